import { and, eq, isNull, lt, lte, or, sql } from "drizzle-orm";
import { events, tenants, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../db/schema";
import { randomToken } from "../../lib/ids";
import type { Deps } from "../context";
import { presentEvent } from "../events/list";
import { signingSecrets } from "./endpoints";
import { signatureHeader } from "./sign";

/** Delays before each retry, after the previous failure (Standard Webhooks / Svix schedule). */
export const RETRY_SCHEDULE_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3600_000,
  5 * 3600_000,
  10 * 3600_000,
  10 * 3600_000,
];
/** Retry-After is honoured up to this long. */
const MAX_RETRY_AFTER_MS = 24 * 3600_000;
const EXCERPT_CHARS = 500;

type DeliveryRow = typeof webhookDeliveries.$inferSelect;

/** Takes a lease on up to `limit` due deliveries; another worker never gets the same ones. */
export async function claimDueDeliveries(deps: Deps, limit: number): Promise<DeliveryRow[]> {
  const serverNow = deps.clock.now();
  const free = or(isNull(webhookDeliveries.claimToken), lt(webhookDeliveries.claimExpiresAt, serverNow));
  const due = deps.db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .innerJoin(tenants, eq(tenants.id, webhookDeliveries.tenantId))
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        lte(webhookDeliveries.nextAttemptAt, sql`${serverNow} + ${tenants.clockOffsetMs}`),
        free,
      ),
    )
    .orderBy(webhookDeliveries.nextAttemptAt)
    .limit(limit);
  return deps.db
    .update(webhookDeliveries)
    .set({ claimToken: randomToken(16), claimExpiresAt: serverNow + deps.webhookLeaseMs })
    .where(and(sql`${webhookDeliveries.id} in ${due}`, eq(webhookDeliveries.status, "pending"), free))
    .returning();
}

export type AttemptOutcome = "succeeded" | "retry_scheduled" | "failed";

/**
 * Makes one attempt of a claimed delivery and records it. The body and the `webhook-id` (the event
 * id) are the same on every attempt, so receivers can deduplicate.
 */
export async function attemptDelivery(deps: Deps, delivery: DeliveryRow): Promise<AttemptOutcome> {
  const [row] = await deps.db
    .select({ event: events, endpoint: webhookEndpoints, offset: tenants.clockOffsetMs })
    .from(events)
    .innerJoin(tenants, eq(tenants.id, events.tenantId))
    .leftJoin(webhookEndpoints, eq(webhookEndpoints.id, delivery.endpointId))
    .where(eq(events.id, delivery.eventId));
  if (!row?.endpoint?.enabled) {
    await finish(deps, delivery, {
      status: "failed",
      lastError: row?.endpoint ? "endpoint_disabled" : "endpoint_deleted",
    });
    return "failed";
  }
  const { id, type, created_at, data } = presentEvent(row.event);
  const body = JSON.stringify({ id, type, created_at, data });
  const timestamp = Math.floor(deps.clock.now() / 1000);
  const headers = {
    "content-type": "application/json",
    "user-agent": "LessonKit-Webhooks/1.0",
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatureHeader(signingSecrets(deps, row.endpoint), id, timestamp, body),
  };
  const response = await deps.webhookTransport.send({
    url: row.endpoint.url,
    headers,
    body,
    timeoutMs: deps.webhookTimeoutMs,
    allowLoopback: deps.mode === "development",
  });
  const { status, error } = response;
  const tenantNow = deps.clock.now() + row.offset;
  const attempts = delivery.attemptCount + 1;
  const outcome = nextStep(status, attempts, response.retryAfterSeconds);
  const lastError = outcome.kind === "succeeded" ? null : (error ?? `HTTP ${status}`);
  // The attempt, the delivery's new state and (for a 410) the endpoint change commit together.
  await deps.db.transaction(async (tx) => {
    await tx.insert(webhookAttempts).values({
      deliveryId: delivery.id,
      tenantId: delivery.tenantId,
      attemptedAt: tenantNow,
      statusCode: status,
      durationMs: response.durationMs,
      responseExcerpt: response.bodyExcerpt.slice(0, EXCERPT_CHARS) || null,
      error,
    });
    if (status === 410) {
      // The receiver says it is gone for good: stop sending it anything.
      await tx
        .update(webhookEndpoints)
        .set({ enabled: false, disabledReason: "endpoint_gone_410", updatedAt: tenantNow })
        .where(eq(webhookEndpoints.id, delivery.endpointId));
    }
    await tx
      .update(webhookDeliveries)
      .set({
        status: outcome.kind === "retry_scheduled" ? "pending" : outcome.kind,
        attemptCount: attempts,
        lastStatusCode: status,
        lastError,
        nextAttemptAt: outcome.kind === "retry_scheduled" ? tenantNow + outcome.delayMs : delivery.nextAttemptAt,
        completedAt: outcome.kind === "retry_scheduled" ? null : tenantNow,
        claimToken: null,
        claimExpiresAt: null,
        updatedAt: tenantNow,
      })
      .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.claimToken, delivery.claimToken ?? "")));
  });
  return outcome.kind;
}

/** 2xx succeeds; 410 gives up at once; anything else is retried on the schedule, then given up. */
function nextStep(
  status: number | null,
  attempts: number,
  retryAfterSeconds: number | null,
): { kind: "succeeded" | "failed" } | { kind: "retry_scheduled"; delayMs: number } {
  if (status !== null && status >= 200 && status < 300) return { kind: "succeeded" };
  if (status === 410) return { kind: "failed" };
  const delay = RETRY_SCHEDULE_MS[attempts - 1];
  if (delay === undefined) return { kind: "failed" };
  const jittered = Math.round(delay * (0.9 + Math.random() * 0.2));
  const retryAfter = retryAfterSeconds === null ? 0 : Math.min(retryAfterSeconds * 1000, MAX_RETRY_AFTER_MS);
  return { kind: "retry_scheduled", delayMs: Math.max(jittered, retryAfter) };
}

async function finish(deps: Deps, delivery: DeliveryRow, patch: Partial<DeliveryRow>) {
  await deps.db
    .update(webhookDeliveries)
    .set({ ...patch, claimToken: null, claimExpiresAt: null, updatedAt: deps.clock.now() })
    .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.claimToken, delivery.claimToken ?? "")));
}

/** Claims and attempts due deliveries, `concurrency` at a time; returns how many were attempted. */
export async function deliverDueWebhooks(
  deps: Deps,
  options: { limit?: number; concurrency?: number } = {},
): Promise<number> {
  const claimed = await claimDueDeliveries(deps, options.limit ?? 200);
  const queue = [...claimed];
  const workers = Array.from({ length: Math.min(options.concurrency ?? 32, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await attemptDelivery(deps, next);
  });
  await Promise.all(workers);
  return claimed.length;
}
