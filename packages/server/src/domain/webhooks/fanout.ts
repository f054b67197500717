import { sql } from "drizzle-orm";
import type { Tx } from "../../ports/storage";

/**
 * Queues the event for every enabled endpoint of the tenant whose filter matches, in the same
 * transaction as the event itself, so an event is never written without its deliveries.
 */
export async function queueDeliveries(
  tx: Tx,
  event: { id: string; tenantId: string; type: string; availableAt: number; createdAt: number },
): Promise<void> {
  await tx.run(sql`
    insert into webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at)
    select 'whd_' || lower(hex(randomblob(10))), ${event.tenantId}, ${event.id}, e.id, 'pending', 0, ${event.availableAt}, ${event.createdAt}, ${event.createdAt}
    from webhook_endpoints e
    where e.tenant_id = ${event.tenantId} and e.enabled = 1
      and (e.event_types is null or exists (select 1 from json_each(e.event_types) where json_each.value = ${event.type}))`);
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
  await tx.run(sql`delete from webhook_deliveries where event_id in (${scheduled})`);
  await tx.run(sql`delete from events where id in (${scheduled})`);
}
