import { count, eq, max, sql } from "drizzle-orm";
import { tenants, webhookDeliveries } from "../../db/schema";
import type { Backlog } from "../../ports/metrics";
import type { Deps } from "../context";

/**
 * Pending webhook deliveries: how many are due now (the backlog the workers drain), how many wait
 * for a later retry, and how long the longest-waiting due one has been due, in its tenant's clock.
 */
export async function deliveriesBacklog(deps: Deps): Promise<Backlog["deliveries"]> {
  const serverNow = deps.clock.now();
  const tenantNow = sql`${serverNow} + ${tenants.clockOffsetMs}`;
  const [row] = await deps.db
    .select({
      due: count(sql`case when ${webhookDeliveries.nextAttemptAt} <= ${tenantNow} then 1 end`),
      scheduled: count(sql`case when ${webhookDeliveries.nextAttemptAt} > ${tenantNow} then 1 end`),
      oldestMs: max(sql<number>`${tenantNow} - ${webhookDeliveries.nextAttemptAt}`),
    })
    .from(webhookDeliveries)
    .innerJoin(tenants, eq(tenants.id, webhookDeliveries.tenantId))
    .where(eq(webhookDeliveries.status, "pending"));
  return {
    due: row?.due ?? 0,
    scheduled: row?.scheduled ?? 0,
    oldestDueAgeMs: Math.max(0, Number(row?.oldestMs ?? 0)),
  };
}
