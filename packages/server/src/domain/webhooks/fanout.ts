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
