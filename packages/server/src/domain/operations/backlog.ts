import { and, count, eq, inArray, lte, max, sql } from "drizzle-orm";
import { moneyOperations, tenants } from "../../db/schema";
import type { Backlog } from "../../ports/metrics";
import type { Deps } from "../context";

/**
 * Money operations an operator watches: open ones (pending, in flight) and failed ones by kind, and
 * how long the longest-waiting due one has waited, each in its tenant's clock. Reads go through the
 * (status, due_at) index; succeeded and canceled rows, the bulk, are never counted.
 */
export async function operationsBacklog(deps: Deps): Promise<Backlog["operations"]> {
  const serverNow = deps.clock.now();
  const counts = await deps.db
    .select({ kind: moneyOperations.kind, status: moneyOperations.status, count: count() })
    .from(moneyOperations)
    .where(inArray(moneyOperations.status, ["pending", "in_flight", "failed"]))
    .groupBy(moneyOperations.kind, moneyOperations.status);
  const [oldest] = await deps.db
    .select({ ageMs: max(sql<number>`${serverNow} + ${tenants.clockOffsetMs} - ${moneyOperations.dueAt}`) })
    .from(moneyOperations)
    .innerJoin(tenants, eq(tenants.id, moneyOperations.tenantId))
    .where(
      and(
        inArray(moneyOperations.status, ["pending", "in_flight"]),
        lte(moneyOperations.dueAt, sql`${serverNow} + ${tenants.clockOffsetMs}`),
      ),
    );
  return {
    counts: counts.map((row) => ({ ...row, status: row.status as "pending" | "in_flight" | "failed" })),
    oldestDueAgeMs: Math.max(0, Number(oldest?.ageMs ?? 0)),
  };
}
