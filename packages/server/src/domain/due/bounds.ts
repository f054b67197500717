import { and, eq, gt, lte, type SQL, type SQLWrapper } from "drizzle-orm";
import { tenants } from "../../db/schema";
import type { Queryable } from "../../ports/storage";

/**
 * How far due work reaches. Deadlines are stored in their tenant's clock: the server's clock plus
 * the tenant's test-clock offset, which is 0 for every live tenant and never negative (a test clock
 * only moves forward). Comparing a deadline with `server_now + tenants.clock_offset_ms` from a joined
 * table would defeat the `(status, deadline)` indexes (every row of the status read, then sorted), so
 * due work is looked for in ranges those indexes can walk:
 *
 * - for every tenant at once, deadlines up to the server's now (due in any tenant's clock), and
 * - for each tenant whose clock runs ahead (a few sandbox and test-mode tenants), its own deadlines
 *   between the server's now and its now.
 *
 * A run for one tenant (its test clock moved) is the single range up to that tenant's now.
 */
export interface DueBound {
  /** Only this tenant's rows. */
  tenantId?: string;
  /** Deadlines after this (exclusive): the range before it is another bound's. */
  after?: number;
  /** Deadlines up to this (inclusive). */
  until: number;
}

export async function dueBounds(db: Queryable, serverNow: number, tenantId?: string): Promise<DueBound[]> {
  if (tenantId !== undefined) {
    const [tenant] = await db.select({ offset: tenants.clockOffsetMs }).from(tenants).where(eq(tenants.id, tenantId));
    return tenant ? [{ tenantId, until: serverNow + tenant.offset }] : [];
  }
  const ahead = await db
    .select({ id: tenants.id, offset: tenants.clockOffsetMs })
    .from(tenants)
    .where(gt(tenants.clockOffsetMs, 0));
  return [
    { until: serverNow },
    ...ahead.map((tenant) => ({ tenantId: tenant.id, after: serverNow, until: serverNow + tenant.offset })),
  ];
}

/** The bound as a condition on a deadline column and the tenant column of the same table. */
export function withinBound(bound: DueBound, deadline: SQLWrapper, tenantColumn: SQLWrapper): SQL | undefined {
  return and(
    lte(deadline, bound.until),
    bound.after !== undefined ? gt(deadline, bound.after) : undefined,
    bound.tenantId !== undefined ? eq(tenantColumn, bound.tenantId) : undefined,
  );
}
