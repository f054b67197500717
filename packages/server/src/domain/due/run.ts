import { and, eq, inArray, lte, sql } from "drizzle-orm";
import { bookings, escrows, tenants } from "../../db/schema";
import { presentBooking } from "../bookings/present";
import { loadBooking, transitionBooking, transitionEscrow } from "../bookings/store";
import type { Deps, Tenant } from "../context";
import { escrowsWithPending } from "../escrow/claims";
import { describeFailure, settlePendingRefund } from "../escrow/refund";
import { claimDueReleases, executeReleases } from "../escrow/release";
import { finishPendingReversals } from "../escrow/reversal";
import { emitEvent } from "../events/emit";
import { completeSession, type Settlement, settleNoShow } from "../sessions/settle";
import { toTenant } from "../tenants/store";

export interface DueWorkSummary {
  expired: number;
  no_shows: number;
  auto_completed: number;
  refunds: number;
  refund_failures: number;
  released: number;
  release_failures: number;
}

const BATCH = 200;

/**
 * All time-driven work, for every tenant (or one), each at its own clock: expire unpaid bookings,
 * settle no-shows, auto-complete sessions left open, finish pending refunds, release due escrows.
 *
 * Idempotent and safe to run in several processes at once: every state change is a conditional
 * transition inside a write transaction (the loser of a race changes nothing), and provider calls
 * are made only under a lease with an idempotency key derived from the escrow.
 */
export async function runDueWork(deps: Deps, options: { tenantId?: string | undefined } = {}): Promise<DueWorkSummary> {
  const summary: DueWorkSummary = {
    expired: 0,
    no_shows: 0,
    auto_completed: 0,
    refunds: 0,
    refund_failures: 0,
    released: 0,
    release_failures: 0,
  };
  summary.expired = await expireUnpaidBookings(deps, options.tenantId);
  // Refunds made as sessions are settled count too; one that failed there is retried (and counted) below.
  const inline = { refunded: 0 };
  summary.no_shows = await settleNoShows(deps, options.tenantId, inline);
  summary.auto_completed = await autoCompleteSessions(deps, options.tenantId, inline);
  const refunds = await finishPendingRefunds(deps, options.tenantId);
  summary.refunds = refunds.refunded + inline.refunded;
  summary.refund_failures = refunds.failed;
  await finishPendingReversals(deps, options.tenantId);
  const releases = await releaseDueEscrows(deps, options.tenantId);
  summary.released = releases.released;
  summary.release_failures = releases.failed;
  return summary;
}

type DueBooking = { bookingId: string; tenant: Tenant };

/** Bookings in `statuses` whose `deadline` column has passed in their tenant's clock. */
async function dueBookings(
  deps: Deps,
  statuses: (typeof bookings.status.enumValues)[number][],
  deadline: typeof bookings.paymentExpiresAt | typeof bookings.noShowAt | typeof bookings.autoCompleteAt,
  tenantId: string | undefined,
  exclude: Set<string>,
): Promise<DueBooking[]> {
  const serverNow = deps.clock.now();
  const rows = await deps.db
    .select({ bookingId: bookings.id, tenant: tenants })
    .from(bookings)
    .innerJoin(tenants, eq(tenants.id, bookings.tenantId))
    .where(
      and(
        inArray(bookings.status, statuses),
        lte(deadline, sql`${serverNow} + ${tenants.clockOffsetMs}`),
        tenantId ? eq(bookings.tenantId, tenantId) : undefined,
      ),
    )
    .orderBy(deadline)
    .limit(BATCH + exclude.size);
  return rows
    .filter((row) => !exclude.has(row.bookingId))
    .map((row) => ({ bookingId: row.bookingId, tenant: toTenant(row.tenant) }));
}

/** Runs `handle` over every due booking, batch by batch, visiting each at most once per run. */
async function forEachDue(
  find: (exclude: Set<string>) => Promise<DueBooking[]>,
  handle: (due: DueBooking) => Promise<boolean>,
): Promise<number> {
  const seen = new Set<string>();
  let count = 0;
  for (;;) {
    const batch = await find(seen);
    if (batch.length === 0) return count;
    for (const due of batch) {
      seen.add(due.bookingId);
      if (await handle(due)) count++;
    }
  }
}

async function expireUnpaidBookings(deps: Deps, tenantId?: string): Promise<number> {
  return forEachDue(
    (exclude) => dueBookings(deps, ["pending_payment"], bookings.paymentExpiresAt, tenantId, exclude),
    async ({ bookingId, tenant }) => {
      const { escrow } = await loadBooking(deps.db, tenant.id, bookingId);
      try {
        await deps.payments
          .forTenant(tenant)
          .cancelPayment({ tenant, paymentId: escrow.paymentId, idempotencyKey: `cancel:${escrow.id}` });
      } catch (error) {
        // The payment could not be voided (it went through meanwhile, or the provider is down): keep
        // the booking; the provider's webhook confirms it or a later tick tries again. Never stop the tick.
        await deps.db
          .update(escrows)
          .set({ lastError: describeFailure(error) })
          .where(and(eq(escrows.id, escrow.id), eq(escrows.status, "awaiting_payment")));
        return false;
      }
      return deps.db.transaction(async (tx) => {
        const current = await loadBooking(tx, tenant.id, bookingId);
        const at = current.booking.paymentExpiresAt;
        const canceled = await transitionBooking(tx, current.booking, ["pending_payment"], {
          status: "canceled",
          canceledAt: at,
          canceledBy: "system",
          cancelReason: "payment_expired",
          updatedAt: at,
        });
        if (!canceled) return false;
        const escrowAfter =
          (await transitionEscrow(tx, current.escrow, ["awaiting_payment"], { status: "canceled", updatedAt: at })) ??
          current.escrow;
        await emitEvent(tx, {
          tenantId: tenant.id,
          type: "booking.canceled",
          bookingId,
          data: { booking: presentBooking(canceled, escrowAfter) },
          at,
        });
        return true;
      });
    },
  );
}

async function settleNoShows(deps: Deps, tenantId: string | undefined, inline: { refunded: number }): Promise<number> {
  return forEachDue(
    async (exclude) => await dueBookings(deps, ["confirmed", "in_progress"], bookings.noShowAt, tenantId, exclude),
    async ({ bookingId, tenant }) => {
      const settlement = await deps.db.transaction(async (tx): Promise<Settlement | null> => {
        const { booking, escrow } = await loadBooking(tx, tenant.id, bookingId);
        const studentCame = booking.studentJoinedAt !== null;
        const tutorCame = booking.tutorJoinedAt !== null;
        if (studentCame && tutorCame) return null;
        const side = !studentCame && !tutorCame ? "both" : studentCame ? "tutor" : "student";
        return settleNoShow(tx, booking, escrow, side, booking.noShowAt);
      });
      if (settlement?.refundPending && (await settlePendingRefund(deps, tenant, settlement.escrow.id)) === "refunded") {
        inline.refunded++;
      }
      return settlement !== null;
    },
  );
}

async function autoCompleteSessions(
  deps: Deps,
  tenantId: string | undefined,
  inline: { refunded: number },
): Promise<number> {
  return forEachDue(
    (exclude) => dueBookings(deps, ["in_progress"], bookings.autoCompleteAt, tenantId, exclude),
    async ({ bookingId, tenant }) => {
      const settlement = await deps.db.transaction(async (tx) => {
        const { booking, escrow } = await loadBooking(tx, tenant.id, bookingId);
        if (booking.studentJoinedAt === null || booking.tutorJoinedAt === null) {
          // Only possible when the no-show deadline lies beyond the end: settle it as a no-show now.
          const side = booking.studentJoinedAt === null ? "student" : "tutor";
          return settleNoShow(tx, booking, escrow, side, booking.autoCompleteAt);
        }
        return completeSession(tx, booking, escrow, "system", booking.autoCompleteAt);
      });
      if (settlement?.refundPending && (await settlePendingRefund(deps, tenant, settlement.escrow.id)) === "refunded") {
        inline.refunded++;
      }
      return settlement !== null;
    },
  );
}

async function finishPendingRefunds(deps: Deps, tenantId?: string) {
  const rows = await escrowsWithPending(deps.db, "refund", deps.clock.now(), tenantId);
  let refunded = 0;
  let failed = 0;
  for (const row of rows) {
    const outcome = await settlePendingRefund(deps, row.tenant, row.escrowId);
    if (outcome === "refunded") refunded++;
    if (outcome === "failed") failed++;
  }
  return { refunded, failed };
}

async function releaseDueEscrows(deps: Deps, tenantId?: string) {
  let released = 0;
  let failed = 0;
  // A refused release frees its claim; remember it so this run does not pick it up again.
  const refused: string[] = [];
  for (;;) {
    const claims = await claimDueReleases(deps, { limit: BATCH, tenantId, exclude: refused });
    if (claims.length === 0) break;
    const outcomes = await executeReleases(deps, claims);
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome === "released") released++;
      if (outcome === "failed") {
        failed++;
        refused.push(claims[index]!.escrow.id);
      }
    }
  }
  return { released, failed };
}
