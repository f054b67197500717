import { z } from "zod";
import { seal, unseal } from "../../lib/crypto";
import { Invalid } from "../errors";

/**
 * A tenant's Stripe settings. They are sealed (AES-256-GCM, key derived from LESSONKIT_SECRET) as
 * one JSON document in `tenants.stripe_sealed` and never returned by the API: only whether they are
 * set and whether the key is a live-mode key.
 */
export interface StripeSettings {
  secret_key: string;
  webhook_secret: string;
  connect_webhook_secret?: string | undefined;
}

const settingsSchema = z.object({
  secret_key: z.string(),
  webhook_secret: z.string(),
  connect_webhook_secret: z.string().optional(),
});

const SECRET_KEY = /^(sk|rk)_(test|live)_[0-9A-Za-z_]+$/;
const WEBHOOK_SECRET = /^whsec_[0-9A-Za-z_+/=]+$/;

/** Checks the shape of the keys (the key itself is proven by the first Stripe call). */
export function validateStripeSettings(input: StripeSettings): StripeSettings {
  if (!SECRET_KEY.test(input.secret_key)) {
    throw Invalid(
      "invalid_stripe_secret_key",
      "stripe.secret_key must be a Stripe secret or restricted key (sk_… or rk_…)",
      "stripe.secret_key",
    );
  }
  if (!WEBHOOK_SECRET.test(input.webhook_secret)) {
    throw Invalid(
      "invalid_stripe_webhook_secret",
      "stripe.webhook_secret must be a signing secret (whsec_…)",
      "stripe.webhook_secret",
    );
  }
  if (input.connect_webhook_secret !== undefined && !WEBHOOK_SECRET.test(input.connect_webhook_secret)) {
    throw Invalid(
      "invalid_stripe_webhook_secret",
      "stripe.connect_webhook_secret must be a signing secret (whsec_…)",
      "stripe.connect_webhook_secret",
    );
  }
  return input;
}

export function sealStripeSettings(key: Buffer, input: StripeSettings): string {
  const settings = validateStripeSettings(input);
  return seal(key, JSON.stringify(settings));
}

export function unsealStripeSettings(key: Buffer, sealed: string): StripeSettings {
  return settingsSchema.parse(JSON.parse(unseal(key, sealed)));
}

/** Live mode is the key's mode: `sk_live_…` / `rk_live_…`. */
export function isLiveKey(secretKey: string): boolean {
  return /^(sk|rk)_live_/.test(secretKey);
}
