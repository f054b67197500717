import { and, eq, lte, sql } from "drizzle-orm";
import { tenants } from "../../db/schema";
import { parseIsoDateTime } from "../bookings/create";
import { type TenantContext, tenantNow } from "../context";
import { runDueWork } from "../due/run";
import { Conflict, Invalid } from "../errors";
import { hasTestClock, loadTenant } from "../tenants/store";

export const MAX_ADVANCE_SECONDS = 90 * 24 * 3600;

/** How to move the test clock: by a number of seconds, or to an ISO 8601 time (never back). */
export type ClockMove = { seconds: number } | { to: string };

/**
 * The tenant's clock: what time it is for this tenant's bookings (the server's time plus its test
 * clock offset, always 0 for live tenants) and whether it can be moved.
 */
export function readTestClock({ tenant, now }: TenantContext) {
  return {
    now: new Date(now).toISOString(),
    offset_seconds: Math.round(tenant.clockOffsetMs / 1000),
    movable: hasTestClock(tenant),
  };
}

/**
 * Moves a sandbox (or test-mode Stripe) tenant's clock forward (never back) and runs its due work, so an integrator can
 * walk a whole lesson, including the release a day later, in seconds.
 */
export async function moveTestClock(ctx: TenantContext, move: ClockMove) {
  const { deps, tenant } = ctx;
  if (!hasTestClock(tenant)) {
    throw Conflict(
      "test_clock_unavailable",
      "The test clock is only available to sandbox tenants and Stripe tenants with a test-mode key",
    );
  }
  const param = "to" in move ? "to" : "advance_seconds";
  let target: number | null = null;
  let advanceMs: number;
  if ("to" in move) {
    target = parseIsoDateTime(move.to);
    if (target === null) throw Invalid("invalid_datetime", "to must be an ISO 8601 date-time with an offset", "to");
    advanceMs = target - ctx.now;
    if (advanceMs < 0) {
      throw Invalid(
        "clock_cannot_go_back",
        `The test clock only moves forward: it is ${new Date(ctx.now).toISOString()} for this tenant, after ${move.to}`,
        "to",
      );
    }
  } else {
    advanceMs = move.seconds * 1000;
  }
  if (advanceMs > MAX_ADVANCE_SECONDS * 1000) {
    throw Invalid("advance_too_large", `The clock moves at most ${MAX_ADVANCE_SECONDS} seconds at a time`, param);
  }
  if (target === null) {
    await deps.db
      .update(tenants)
      .set({ clockOffsetMs: sql`${tenants.clockOffsetMs} + ${advanceMs}` })
      .where(eq(tenants.id, tenant.id));
  } else {
    // Lands exactly on the target; a concurrent move that already went further is left alone.
    const offset = target - deps.clock.now();
    await deps.db
      .update(tenants)
      .set({ clockOffsetMs: offset })
      .where(and(eq(tenants.id, tenant.id), lte(tenants.clockOffsetMs, offset)));
  }
  const moved = await loadTenant(deps.db, tenant.id);
  const due = await runDueWork(deps, { tenantId: tenant.id });
  return {
    now: new Date(tenantNow(deps, moved)).toISOString(),
    offset_seconds: Math.round(moved.clockOffsetMs / 1000),
    due_work: due,
  };
}
