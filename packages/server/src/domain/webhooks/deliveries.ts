import { and, asc, eq, inArray } from "drizzle-orm";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../db/schema";
import { newId } from "../../lib/ids";
import type { TenantContext } from "../context";
import { Conflict, NotFound } from "../errors";
import { getEvent } from "../events/list";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** An event's deliveries, each with its attempts, for GET /v1/events/{id}. */
export async function deliveriesOf({ deps, tenant }: TenantContext, eventId: string) {
  const deliveries = await deps.db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.tenantId, tenant.id), eq(webhookDeliveries.eventId, eventId)))
    .orderBy(asc(webhookDeliveries.seq));
  const attempts = deliveries.length
    ? await deps.db
        .select()
        .from(webhookAttempts)
        .where(
          inArray(
            webhookAttempts.deliveryId,
            deliveries.map((d) => d.id),
          ),
        )
        .orderBy(asc(webhookAttempts.seq))
    : [];
  return deliveries.map((d) => ({
    id: d.id,
    endpoint_id: d.endpointId,
    status: d.status,
    attempt_count: d.attemptCount,
    next_attempt_at: d.status === "pending" ? iso(d.nextAttemptAt) : null,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    completed_at: iso(d.completedAt),
    attempts: attempts
      .filter((a) => a.deliveryId === d.id)
      .map((a) => ({
        attempted_at: iso(a.attemptedAt) as string,
        status_code: a.statusCode,
        duration_ms: a.durationMs,
        response_excerpt: a.responseExcerpt,
        error: a.error,
      })),
  }));
}

export async function getEventWithDeliveries(ctx: TenantContext, eventId: string) {
  const event = await getEvent(ctx, eventId);
  return { ...event, deliveries: await deliveriesOf(ctx, eventId) };
}

/**
 * Sends an event again, now, to one endpoint or to every enabled one. The `webhook-id` stays the
 * event id, so a receiver that already processed it can tell.
 */
export async function redeliverEvent(ctx: TenantContext, eventId: string, endpointId?: string) {
  const { deps, tenant, now } = ctx;
  await getEvent(ctx, eventId);
  const endpoints = await deps.db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenant.id), endpointId ? eq(webhookEndpoints.id, endpointId) : undefined));
  if (endpointId && endpoints.length === 0) throw NotFound("webhook endpoint", endpointId, "endpoint_id");
  const targets = endpoints.filter((e) => e.enabled);
  if (targets.length === 0) throw Conflict("no_enabled_endpoint", "There is no enabled webhook endpoint to deliver to");
  await deps.db.transaction(async (tx) => {
    for (const endpoint of targets) {
      await tx
        .insert(webhookDeliveries)
        .values({
          id: newId("whd"),
          tenantId: tenant.id,
          eventId,
          endpointId: endpoint.id,
          status: "pending",
          nextAttemptAt: now,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: [webhookDeliveries.eventId, webhookDeliveries.endpointId],
          // Dropping any claim makes a worker still holding the old series unable to overwrite this one.
          set: {
            status: "pending",
            attemptCount: 0,
            nextAttemptAt: now,
            completedAt: null,
            claimToken: null,
            claimExpiresAt: null,
            updatedAt: now,
          },
        });
    }
  });
  return getEventWithDeliveries(ctx, eventId);
}
