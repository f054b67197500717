import { AgoraTokens } from "./adapters/agora/tokens";
import { NodeWebhookTransport } from "./adapters/http/webhook-transport";
import { PrometheusMetrics } from "./adapters/prometheus/metrics";
import { SandboxPayments } from "./adapters/sandbox/payments";
import { StripeClients, type StripeOptions } from "./adapters/stripe/client";
import { StripePayments } from "./adapters/stripe/payments";
import type { Deps } from "./domain/context";
import { Invalid } from "./domain/errors";
import { operationsBacklog } from "./domain/operations/backlog";
import { deliveriesBacklog } from "./domain/webhooks/backlog";
import { deriveKey } from "./lib/crypto";
import { Memo, SnapshotCache } from "./lib/snapshot-cache";
import { type Clock, systemClock } from "./ports/clock";
import type { Metrics } from "./ports/metrics";
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
  /** Stripe client settings: LESSONKIT_STRIPE_API_URL, retries (tests keep delays tiny). */
  stripe?: StripeOptions;
  /**
   * The database's write generation (OpenDatabase.writeGeneration). With it, the session status
   * reads are served from snapshots no older than `snapshotTtlMs` and dropped on any local write;
   * without it every read goes to the database.
   */
  writeGeneration?: () => number;
  /** Changes of one row announced by other processes (OpenDatabase.changeVersion): drops that row's snapshots. */
  changeVersion?: (row: string) => number;
  /** How stale a write from another process may look to a status read (1 s by default). */
  snapshotTtlMs?: number;
  /** The instance's metrics (a fresh registry by default: every app has its own). */
  metrics?: Metrics;
}

/** The composition root: real adapters unless a caller swaps one in. */
export function buildDeps(input: BuildDepsInput): Deps {
  const webhookTimeoutMs = input.webhookTimeoutMs ?? 15_000;
  const secrets = deriveKey(input.secret, "tenant-secrets");
  const metrics = input.metrics ?? new PrometheusMetrics();
  const stripeOptions = {
    observe: ({ tenantId, seconds, errorCode }: { tenantId: string; seconds: number; errorCode: string | null }) =>
      metrics.providerRequest("stripe", seconds, errorCode, tenantId),
    ...input.stripe,
  };
  const providers = {
    sandbox: new SandboxPayments(),
    stripe: new StripePayments(new StripeClients(secrets, stripeOptions)),
    ...input.providers,
  };
  const clock = input.clock ?? systemClock;
  const changeVersion = input.changeVersion ?? (() => 0);
  const snapshotOptions = {
    generation: input.writeGeneration ?? (() => 0),
    now: () => clock.now(),
    ttlMs: input.writeGeneration ? (input.snapshotTtlMs ?? 1000) : 0,
  };
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
  const deps: Deps = {
    db: input.db,
    clock,
    payments,
    video: input.video ?? new AgoraTokens(),
    keys: {
      participantTokens: deriveKey(input.secret, "participant-tokens"),
      secrets,
      video: deriveKey(input.secret, "video-channels"),
    },
    mode: input.mode ?? "production",
    agoraFallback: input.agoraFallback,
    releaseLeaseMs: input.releaseLeaseMs ?? 5 * 60_000,
    webhookTransport: input.webhookTransport ?? new NodeWebhookTransport(),
    webhookTimeoutMs,
    webhookLeaseMs: webhookTimeoutMs + 45_000,
    snapshots: {
      tenants: new SnapshotCache({ ...snapshotOptions, version: (key) => changeVersion(`tenant:${key}`) }),
      bookings: new SnapshotCache({ ...snapshotOptions, version: (key) => changeVersion(`booking:${key}`) }),
      verifiedTokens: new Memo(),
    },
    metrics,
  };
  metrics.readBacklogFrom(async () => ({
    operations: await operationsBacklog(deps),
    deliveries: await deliveriesBacklog(deps),
  }));
  return deps;
}
