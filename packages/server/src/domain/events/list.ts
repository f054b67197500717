import { and, desc, eq, lt, lte } from "drizzle-orm";
import { events } from "../../db/schema";
import type { TenantContext } from "../context";
import { NotFound } from "../errors";
import { type PageRequest, resolveCursor, toPage } from "../lists/page";
import type { EventType } from "./emit";

type EventRow = typeof events.$inferSelect;

/** Standard Webhooks body shape: the same object is listed here and delivered to endpoints. */
export function presentEvent(row: EventRow) {
  return {
    id: row.id,
    object: "event" as const,
    type: row.type as EventType,
    created_at: new Date(row.availableAt).toISOString(),
    booking_id: row.bookingId,
    data: row.data as Record<string, unknown>,
  };
}

export interface ListEventsInput extends PageRequest {
  type?: string | undefined;
  booking_id?: string | undefined;
}

/** Events of this tenant that have happened by its clock (scheduled ones appear at their time). */
export async function listEvents({ deps, tenant, now }: TenantContext, input: ListEventsInput) {
  const cursor = await resolveCursor(
    input,
    async (id) =>
      (
        await deps.db
          .select({ seq: events.seq })
          .from(events)
          .where(and(eq(events.tenantId, tenant.id), eq(events.id, id)))
      )[0]?.seq,
    "event",
  );
  const rows = await deps.db
    .select()
    .from(events)
    .where(
      and(
        eq(events.tenantId, tenant.id),
        lte(events.availableAt, now),
        input.type ? eq(events.type, input.type) : undefined,
        input.booking_id ? eq(events.bookingId, input.booking_id) : undefined,
        cursor !== undefined ? lt(events.seq, cursor) : undefined,
      ),
    )
    .orderBy(desc(events.seq))
    .limit(input.limit + 1);
  return toPage(rows.map(presentEvent), input.limit);
}

export async function getEvent({ deps, tenant, now }: TenantContext, eventId: string) {
  const [row] = await deps.db
    .select()
    .from(events)
    .where(and(eq(events.tenantId, tenant.id), eq(events.id, eventId), lte(events.availableAt, now)));
  if (!row) throw NotFound("event", eventId, "id");
  return presentEvent(row);
}
