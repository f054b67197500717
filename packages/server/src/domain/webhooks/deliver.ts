import { and, eq, inArray, isNull, lt, or } from "drizzle-orm";
import { claimable } from "../../db/queries";
import { events, tenants, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../db/schema";
import { randomToken } from "../../lib/ids";
import type { Tx } from "../../ports/storage";
import type { WebhookResponse } from "../../ports/webhooks";
import type { Deps } from "../context";
import { dueBounds, withinBound } from "../due/bounds";
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
/** Lease time an attempt needs beyond its timeout (recording the outcome). */
const LEASE_MARGIN_MS = 5_000;

type DeliveryRow = typeof webhookDeliveries.$inferSelect;

/** Takes a lease on up to `limit` due deliveries; another worker never gets the same ones. */
export async function claimDueDeliveries(deps: Deps, limit: number): Promise<DeliveryRow[]> {
  const serverNow = deps.clock.now();
  const free = or(isNull(webhookDeliveries.claimToken), lt(webhookDeliveries.claimExpiresAt, serverNow));
  const bounds = await dueBounds(deps.db, serverNow);
  // Found and claimed in one write transaction: a second worker finds what this one left.
  return deps.db.transaction(async (tx) => {
    const claimed: DeliveryRow[] = [];
    for (const bound of bounds) {
      if (claimed.length >= limit) break;
      const due = await claimable(
        tx,
        tx
          .select({ id: webhookDeliveries.id })
          .from(webhookDeliveries)
          .where(
            and(
              eq(webhookDeliveries.status, "pending"),
              withinBound(bound, webhookDeliveries.nextAttemptAt, webhookDeliveries.tenantId),
              free,
            ),
          )
          .orderBy(webhookDeliveries.nextAttemptAt)
          .limit(limit - claimed.length),
        webhookDeliveries,
      );
      if (due.length === 0) continue;
      claimed.push(
        ...(await tx
          .update(webhookDeliveries)
          .set({ claimToken: randomToken(16), claimExpiresAt: serverNow + deps.webhookLeaseMs })
          .where(
            and(
              inArray(
                webhookDeliveries.id,
                due.map((row) => row.id),
              ),
              eq(webhookDeliveries.status, "pending"),
              free,
            ),
          )
          .returning()),
      );
    }
    return claimed;
  });
}

export type AttemptOutcome = "succeeded" | "retry_scheduled" | "failed";

type EventRow = typeof events.$inferSelect;
/** What an attempt needs that does not change between attempts: the event and its tenant's clock offset. */
type AttemptContext = { event: EventRow; offset: number };

/** One attempt's result, to be written with the delivery's new state. */
interface AttemptRecord {
  delivery: DeliveryRow;
  outcome: ReturnType<typeof nextStep>;
  response: WebhookResponse;
  tenantNow: number;
}

/** The events (and tenant clock offsets) of a batch of deliveries, in one query. */
async function attemptContexts(deps: Deps, deliveries: DeliveryRow[]): Promise<Map<string, AttemptContext>> {
  const ids = [...new Set(deliveries.map((delivery) => delivery.eventId))];
  const rows = ids.length
    ? await deps.db
        .select({ event: events, offset: tenants.clockOffsetMs })
        .from(events)
        .innerJoin(tenants, eq(tenants.id, events.tenantId))
        .where(inArray(events.id, ids))
    : [];
  return new Map(rows.map((row) => [row.event.id, row]));
}

/**
 * Sends one attempt to the delivery's endpoint as it is now (read fresh, so a deleted, disabled or
 * re-keyed endpoint is honoured at once); a delivery whose endpoint is gone is finished as failed.
 */
async function sendAttempt(
  deps: Deps,
  delivery: DeliveryRow,
  context: AttemptContext | undefined,
): Promise<{ kind: "sent"; record: AttemptRecord } | { kind: "failed" }> {
  const [endpoint] = await deps.db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, delivery.tenantId), eq(webhookEndpoints.id, delivery.endpointId)));
  if (!context || !endpoint?.enabled) {
    // Timestamps of a delivery are in its tenant's clock, like on the main path below.
    const tenantNow = deps.clock.now() + (context?.offset ?? (await tenantOffset(deps, delivery.tenantId)));
    await finish(deps, delivery, {
      status: "failed",
      lastError: endpoint ? "endpoint_disabled" : "endpoint_deleted",
      completedAt: tenantNow,
      updatedAt: tenantNow,
    });
    return { kind: "failed" };
  }
  const { id, type, created_at, data } = presentEvent(context.event);
  const body = JSON.stringify({ id, type, created_at, data });
  const timestamp = Math.floor(deps.clock.now() / 1000);
  const headers = {
    "content-type": "application/json",
    "user-agent": "LessonKit-Webhooks/1.0",
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatureHeader(signingSecrets(deps, endpoint), id, timestamp, body),
  };
  const response = await deps.webhookTransport.send({
    url: endpoint.url,
    headers,
    body,
    timeoutMs: deps.webhookTimeoutMs,
    allowLoopback: deps.mode === "development",
  });
  const outcome = nextStep(response.status, delivery.attemptCount + 1, response.retryAfterSeconds);
  return { kind: "sent", record: { delivery, outcome, response, tenantNow: deps.clock.now() + context.offset } };
}

/**
 * Writes attempts in the caller's transaction: each attempt, its delivery's new state and (for a
 * 410) the endpoint change commit together. A delivery is only updated while this worker's claim
 * on it holds.
 */
async function recordAttempts(tx: Tx, records: AttemptRecord[]): Promise<void> {
  await tx.insert(webhookAttempts).values(
    records.map(({ delivery, response, tenantNow }) => ({
      deliveryId: delivery.id,
      tenantId: delivery.tenantId,
      attemptedAt: tenantNow,
      statusCode: response.status,
      durationMs: response.durationMs,
      responseExcerpt: response.bodyExcerpt.slice(0, EXCERPT_CHARS) || null,
      error: response.error,
    })),
  );
  for (const { delivery, outcome, response, tenantNow } of records) {
    const { status, error } = response;
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
        attemptCount: delivery.attemptCount + 1,
        lastStatusCode: status,
        lastError: outcome.kind === "succeeded" ? null : (error ?? `HTTP ${status}`),
        nextAttemptAt: outcome.kind === "retry_scheduled" ? tenantNow + outcome.delayMs : delivery.nextAttemptAt,
        completedAt: outcome.kind === "retry_scheduled" ? null : tenantNow,
        claimToken: null,
        claimExpiresAt: null,
        updatedAt: tenantNow,
      })
      .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.claimToken, delivery.claimToken ?? "")));
  }
}

/**
 * Records attempts as they complete, several per write transaction (group commit): a result waits
 * for the responses that arrived in the same turn of the event loop, or for the write in progress,
 * and then goes into the next transaction with them, so a busy worker does not pay one commit per
 * attempt. If a group cannot be written, its attempts are written one per transaction.
 */
function attemptRecorder(deps: Deps) {
  type Waiting = { record: AttemptRecord; resolve: () => void; reject: (error: unknown) => void };
  let waiting: Waiting[] = [];
  let writing = false;
  const writeAll = async () => {
    while (waiting.length > 0) {
      const group = waiting;
      waiting = [];
      try {
        await deps.db.transaction((tx) =>
          recordAttempts(
            tx,
            group.map((entry) => entry.record),
          ),
        );
        for (const entry of group) entry.resolve();
      } catch {
        for (const entry of group) {
          await deps.db.transaction((tx) => recordAttempts(tx, [entry.record])).then(entry.resolve, entry.reject);
        }
      }
    }
    writing = false;
  };
  return (record: AttemptRecord) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ record, resolve, reject });
      if (writing) return;
      writing = true;
      setImmediate(writeAll);
    });
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

async function tenantOffset(deps: Deps, tenantId: string): Promise<number> {
  const [tenant] = await deps.db
    .select({ offset: tenants.clockOffsetMs })
    .from(tenants)
    .where(eq(tenants.id, tenantId));
  return tenant?.offset ?? 0;
}

async function finish(deps: Deps, delivery: DeliveryRow, patch: Partial<DeliveryRow> & { updatedAt: number }) {
  await deps.db
    .update(webhookDeliveries)
    .set({ ...patch, claimToken: null, claimExpiresAt: null })
    .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.claimToken, delivery.claimToken ?? "")));
}

/** What one batch of the delivery worker came to. */
export interface DeliveryBatchSummary {
  claimed: number;
  succeeded: number;
  retry_scheduled: number;
  failed: number;
  /** Claimed but not attempted (a lease too short for another attempt, or a shutdown): handed back at once. */
  handed_back: number;
}

/** Claims and attempts due deliveries, `concurrency` at a time; returns how many were attempted. */
export async function deliverDueWebhooks(
  deps: Deps,
  options: { limit?: number; concurrency?: number } = {},
): Promise<number> {
  const batch = await deliverWebhookBatch(deps, options);
  return batch.succeeded + batch.retry_scheduled + batch.failed;
}

/**
 * Claims up to `limit` due deliveries and attempts them, `concurrency` at a time. Once `signal`
 * aborts (the process is shutting down) no attempt is started: those under way finish and are
 * recorded, and the rest are handed back so that another worker takes them up at once.
 */
export async function deliverWebhookBatch(
  deps: Deps,
  options: { limit?: number; concurrency?: number; signal?: AbortSignal | undefined } = {},
): Promise<DeliveryBatchSummary> {
  const claimed = await claimDueDeliveries(deps, options.limit ?? 200);
  const summary: DeliveryBatchSummary = {
    claimed: claimed.length,
    succeeded: 0,
    retry_scheduled: 0,
    failed: 0,
    handed_back: 0,
  };
  const count = (outcome: AttemptOutcome | "handed_back", delivery: DeliveryRow) => {
    summary[outcome]++;
    deps.metrics.webhookDelivery(outcome, delivery.tenantId);
  };
  const contexts = await attemptContexts(deps, claimed);
  const record = attemptRecorder(deps);
  const queue = [...claimed];
  const workers = Array.from({ length: Math.min(options.concurrency ?? 32, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      // Slow receivers can keep the tail of a batch waiting; an attempt starts only while the lease
      // still outlasts it, so no other worker can claim it mid-flight. Otherwise it is handed back.
      if (
        options.signal?.aborted ||
        (next.claimExpiresAt ?? 0) - deps.clock.now() < deps.webhookTimeoutMs + LEASE_MARGIN_MS
      ) {
        await finish(deps, next, { updatedAt: next.updatedAt });
        count("handed_back", next);
        continue;
      }
      const attempt = await sendAttempt(deps, next, contexts.get(next.eventId));
      if (attempt.kind === "sent") await record(attempt.record);
      count(attempt.kind === "sent" ? attempt.record.outcome.kind : attempt.kind, next);
    }
  });
  await Promise.all(workers);
  return summary;
}
