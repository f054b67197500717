import { createRoute, z } from "@hono/zod-openapi";
import { toProviderFact, verifyStripeEvent } from "../../adapters/stripe/events";
import { Invalid } from "../../domain/errors";
import { applyProviderEvent } from "../../domain/provider-events/apply";
import { loadTenant } from "../../domain/tenants/store";
import { unsealStripeSettings } from "../../domain/tenants/stripe-settings";
import type { App } from "../context";
import { ApiError } from "../errors";
import { IdParam, json, writeErrorResponses } from "../schemas";

const ReceivedSchema = z
  .object({
    received: z.literal(true),
    event_id: z.string(),
    outcome: z.string().openapi({ example: "applied", description: "applied, duplicate, or ignored:<why>" }),
  })
  .openapi("StripeWebhookReceived");

const route = createRoute({
  method: "post",
  path: "/v1/stripe/webhooks/{tenantId}",
  tags: ["Stripe"],
  summary: "Stripe webhook endpoint of a tenant (set it in your Stripe dashboard, account and Connect events)",
  description:
    "Verified with your webhook signing secret (Stripe-Signature, raw body, 5-minute tolerance); each event is applied at most once, in any order. Handles payment_intent.succeeded / payment_failed / canceled, charge.refunded, charge.dispute.created / closed, transfer.reversed, account.updated.",
  request: { params: IdParam("tenantId", "tn_…") },
  responses: { 200: json(ReceivedSchema, "The event was received"), ...writeErrorResponses },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const deps = c.get("deps");
    const tenant = await loadTenant(deps.db, c.req.valid("param").tenantId);
    if (tenant.paymentProvider !== "stripe" || !tenant.stripeSealed) {
      throw Invalid("stripe_not_configured", "This tenant does not take payments with Stripe", "tenantId");
    }
    const signature = c.req.header("Stripe-Signature");
    if (!signature) {
      throw new ApiError(400, "invalid_request_error", "signature_missing", "The Stripe-Signature header is missing");
    }
    const raw = await c.req.text();
    const settings = unsealStripeSettings(deps.keys.secrets, tenant.stripeSealed);
    const secrets = [settings.webhook_secret, settings.connect_webhook_secret].filter((s): s is string => !!s);
    let event: ReturnType<typeof verifyStripeEvent>;
    try {
      event = verifyStripeEvent(raw, signature, secrets, deps.clock.now());
    } catch {
      throw new ApiError(
        400,
        "invalid_request_error",
        "signature_invalid",
        "The Stripe-Signature does not match the body with this tenant's signing secret, or is too old",
      );
    }
    if (!isEventShape(event)) {
      throw new ApiError(
        400,
        "invalid_request_error",
        "event_malformed",
        "The Stripe event is missing its id, type, created time or data object",
      );
    }
    if (event.livemode !== (tenant.stripeLivemode === true)) {
      // A test-mode event at a live tenant (or the reverse) is acknowledged and ignored.
      return c.json({ received: true as const, event_id: event.id, outcome: "ignored:livemode_mismatch" }, 200);
    }
    const outcome = await applyProviderEvent(deps, tenant, {
      id: event.id,
      type: event.type,
      createdAt: event.created * 1000,
      fact: toProviderFact(event),
    });
    return c.json({ received: true as const, event_id: event.id, outcome }, 200);
  });
}

/** A signed but malformed event (never sent by Stripe itself) is refused before it reaches the domain. */
function isEventShape(event: { id: unknown; type: unknown; created: unknown; data: unknown }): boolean {
  const data = event.data as { object?: unknown } | null;
  return (
    typeof event.id === "string" &&
    typeof event.type === "string" &&
    typeof event.created === "number" &&
    Number.isFinite(event.created) &&
    data !== null &&
    typeof data === "object" &&
    data.object !== null &&
    typeof data.object === "object"
  );
}
