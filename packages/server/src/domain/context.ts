import type { BookingRow, EscrowRow } from "../db/schema";
import type { Memo, SnapshotCache } from "../lib/snapshot-cache";
import type { Clock } from "../ports/clock";
import type { Metrics } from "../ports/metrics";
import type { Payments } from "../ports/payments";
import type { Database } from "../ports/storage";
import type { VideoSettings, VideoTokens } from "../ports/video";
import type { WebhookTransport } from "../ports/webhooks";
import type { ParticipantClaims } from "./participants/claims";
import type { Policy } from "./policy";

/** Everything the domain needs from the outside world, injected once by createApp / the CLI. */
export interface Deps {
  db: Database;
  clock: Clock;
  payments: Payments;
  video: VideoTokens;
  keys: {
    /** Signs participant tokens. */
    participantTokens: Buffer;
    /** Seals secrets tenants give us (Agora certificates, Stripe keys). */
    secrets: Buffer;
    /** Derives opaque video channel names and uids. */
    video: Buffer;
  };
  mode: "production" | "development";
  /** Agora settings for tenants that have none of their own. */
  agoraFallback: VideoSettings | undefined;
  /** How long a tick's claim on a release lasts before another run may take it over. */
  releaseLeaseMs: number;
  /** Sends webhook deliveries. */
  webhookTransport: WebhookTransport;
  /** Per-attempt timeout (15 s by default). */
  webhookTimeoutMs: number;
  /** How long a worker's claim on a delivery lasts; longer than the timeout. */
  webhookLeaseMs: number;
  /** What the server counts about itself (Prometheus). */
  metrics: Metrics;
  /** Snapshots behind the reads every participant's screen polls (never used inside a write). */
  snapshots: {
    tenants: SnapshotCache<Tenant>;
    bookings: SnapshotCache<{ booking: BookingRow; escrow: EscrowRow }>;
    /** Participant tokens whose signature and shape checked out, with their claims (expiry is checked per request). */
    verifiedTokens: Memo<Readonly<ParticipantClaims>>;
  };
}

export interface Tenant {
  id: string;
  name: string;
  paymentProvider: "sandbox" | "stripe";
  policy: Policy;
  clockOffsetMs: number;
  secretKeyHint: string;
  agoraAppId: string | null;
  agoraAppCertificateSealed: string | null;
  stripeSealed: string | null;
  stripeLivemode: boolean | null;
  /** Provider calls per second this tenant set for itself (null: the default for its key mode). */
  providerRateLimit: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A domain call on behalf of one tenant, at that tenant's current time. */
export interface TenantContext {
  deps: Deps;
  tenant: Tenant;
  now: number;
}

/** The tenant's clock: the server's clock plus its test-clock offset (zero outside the sandbox). */
export function tenantNow(deps: Deps, tenant: Pick<Tenant, "clockOffsetMs">): number {
  return deps.clock.now() + tenant.clockOffsetMs;
}
