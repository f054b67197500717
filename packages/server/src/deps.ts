import { AgoraTokens } from "./adapters/agora/tokens";
import { NodeWebhookTransport } from "./adapters/http/webhook-transport";
import { SandboxPayments } from "./adapters/sandbox/payments";
import type { Deps } from "./domain/context";
import { Invalid } from "./domain/errors";
import { deriveKey } from "./lib/crypto";
import { type Clock, systemClock } from "./ports/clock";
import type { PaymentProvider, Payments } from "./ports/payments";
import type { Database } from "./ports/storage";
import type { VideoSettings, VideoTokens } from "./ports/video";
import type { WebhookTransport } from "./ports/webhooks";

export interface BuildDepsInput {
  db: Database;
  secret: string;
  mode?: "production" | "development";
  clock?: Clock;
  agoraFallback?: VideoSettings | undefined;
  /** Override adapters (tests use this to observe or break provider calls). */
  providers?: Partial<Record<"sandbox" | "stripe", PaymentProvider>>;
  video?: VideoTokens;
  releaseLeaseMs?: number;
  webhookTransport?: WebhookTransport;
  webhookTimeoutMs?: number;
}

/** The composition root: real adapters unless a caller swaps one in. */
export function buildDeps(input: BuildDepsInput): Deps {
  const webhookTimeoutMs = input.webhookTimeoutMs ?? 15_000;
  const providers = { sandbox: new SandboxPayments(), ...input.providers };
  const payments: Payments = {
    forTenant(tenant) {
      const provider = providers[tenant.paymentProvider];
      if (!provider) {
        throw Invalid(
          "payment_provider_unavailable",
          `The ${tenant.paymentProvider} payment provider is not available on this server`,
          "payment_provider",
        );
      }
      return provider;
    },
  };
  return {
    db: input.db,
    clock: input.clock ?? systemClock,
    payments,
    video: input.video ?? new AgoraTokens(),
    keys: {
      participantTokens: deriveKey(input.secret, "participant-tokens"),
      secrets: deriveKey(input.secret, "tenant-secrets"),
      video: deriveKey(input.secret, "video-channels"),
    },
    mode: input.mode ?? "production",
    agoraFallback: input.agoraFallback,
    releaseLeaseMs: input.releaseLeaseMs ?? 5 * 60_000,
    webhookTransport: input.webhookTransport ?? new NodeWebhookTransport(),
    webhookTimeoutMs,
    webhookLeaseMs: webhookTimeoutMs + 45_000,
  };
}
