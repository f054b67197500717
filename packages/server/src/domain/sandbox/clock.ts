import { eq, sql } from "drizzle-orm";
import { tenants } from "../../db/schema";
import { type TenantContext, tenantNow } from "../context";
import { runDueWork } from "../due/run";
import { Conflict, Invalid } from "../errors";
import { hasTestClock, loadTenant } from "../tenants/store";

export const MAX_ADVANCE_SECONDS = 90 * 24 * 3600;

/**
 * Moves a sandbox (or test-mode Stripe) tenant's clock forward (never back) and runs its due work, so an integrator can
 * walk a whole lesson, including the release a day later, in seconds.
 */
export async function advanceTestClock({ deps, tenant }: TenantContext, advanceSeconds: number) {
  if (!hasTestClock(tenant)) {
    throw Conflict(
      "test_clock_unavailable",
      "The test clock is only available to sandbox tenants and Stripe tenants with a test-mode key",
    );
  }
  if (advanceSeconds > MAX_ADVANCE_SECONDS) {
    throw Invalid("advance_too_large", `advance_seconds must be at most ${MAX_ADVANCE_SECONDS}`, "advance_seconds");
  }
  await deps.db
    .update(tenants)
    .set({ clockOffsetMs: sql`${tenants.clockOffsetMs} + ${advanceSeconds * 1000}` })
    .where(eq(tenants.id, tenant.id));
  const moved = await loadTenant(deps.db, tenant.id);
  const due = await runDueWork(deps, { tenantId: tenant.id });
  return {
    now: new Date(tenantNow(deps, moved)).toISOString(),
    offset_seconds: Math.round(moved.clockOffsetMs / 1000),
    due_work: due,
  };
}
