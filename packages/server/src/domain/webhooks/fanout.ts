import { type SQL, sql } from "drizzle-orm";
import { engineOf, execute, insertRows, jsonArrayHas, pgInsertRows, randomHex, typed } from "../../db/queries";
import { events } from "../../db/schema";
import type { Engine, Tx } from "../../ports/storage";

type EventRow = typeof events.$inferInsert & { id: string; availableAt: number; createdAt: number };

/**
 * Writes events to the outbox with their deliveries. On PostgreSQL in one statement (the deliveries
 * made from what the events' insert returns: one round trip); SQLite takes the insert, then
 * queueDeliveries.
 */
export async function insertWithDeliveries(tx: Tx, rows: EventRow[]): Promise<void> {
  if (rows.length === 0) return;
  if (engineOf(tx) === "postgres") {
    await execute(
      tx,
      sql`with v as (${pgInsertRows(events, rows)} returning tenant_id, id as event_id, type, available_at, created_at) ${deliveriesOf("postgres")}`,
    );
    return;
  }
  await insertRows(tx, events, rows);
  await queueDeliveries(tx, rows);
}

/**
 * Queues each event for every enabled endpoint of its tenant whose filter matches, in the same
 * transaction as the events themselves (so an event is never written without its deliveries), in one
 * statement for the whole batch.
 */
export async function queueDeliveries(
  tx: Tx,
  events: { id: string; tenantId: string; type: string; availableAt: number; createdAt: number }[],
): Promise<void> {
  // A VALUES list is a compound select to SQLite, held to 500 terms: a hundred rows at a time.
  for (let start = 0; start < events.length; start += 100) await queueChunk(tx, events.slice(start, start + 100));
}

async function queueChunk(
  tx: Tx,
  events: { id: string; tenantId: string; type: string; availableAt: number; createdAt: number }[],
): Promise<void> {
  if (events.length === 0) return;
  const engine = engineOf(tx);
  const rows = sql.join(
    events.map(
      (event) =>
        sql`(${typed(event.tenantId)}, ${typed(event.id)}, ${typed(event.type)}, ${typed(event.availableAt)}, ${typed(event.createdAt)})`,
    ),
    sql`, `,
  );
  await execute(
    tx,
    sql`with v(tenant_id, event_id, type, available_at, created_at) as (values ${rows}) ${deliveriesOf(engine)}`,
  );
}

/**
 * The insert of the deliveries of the events in `v` (tenant_id, event_id, type, available_at,
 * created_at), which the statement defines before it: a VALUES list, or (insertWithDeliveries, PostgreSQL) the
 * events' own insert, so that an event and its deliveries are one statement.
 */
function deliveriesOf(engine: Engine): SQL {
  // PostgreSQL guesses a hundred rows for `v` when it is an insert's output, and would then hash every
  // tenant's endpoints: a lateral subquery it may not flatten (`offset 0`) looks up each event's tenant
  // by index instead.
  const endpoints =
    engine === "postgres"
      ? sql`cross join lateral (select id, event_types from webhook_endpoints where tenant_id = v.tenant_id and enabled offset 0) e`
      : sql`join webhook_endpoints e on e.tenant_id = v.tenant_id and e.enabled`;
  return sql`insert into webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at)
    select 'whd_' || ${randomHex(engine, 10)}, v.tenant_id, v.event_id, e.id, 'pending', 0, v.available_at, v.created_at, v.created_at
    from v ${endpoints}
    where e.event_types is null or ${jsonArrayHas(engine, "e.event_types", sql`v.type`)}`;
}

/**
 * Withdraws a booking's events that are not visible yet (session.join_window_opened) with their
 * deliveries, in the transaction that cancels the booking: a canceled lesson never opens.
 */
export async function withdrawScheduledEvents(
  tx: Tx,
  booking: { tenantId: string; bookingId: string; now: number },
): Promise<void> {
  const scheduled = sql`select id from events
    where tenant_id = ${booking.tenantId} and booking_id = ${booking.bookingId} and available_at > ${booking.now}`;
  await execute(tx, sql`delete from webhook_deliveries where event_id in (${scheduled})`);
  await execute(tx, sql`delete from events where id in (${scheduled})`);
}
