import { and, eq, inArray } from "drizzle-orm";
import { bookings, escrows, type OperationKind, tenants } from "../../db/schema";
import { presentBooking } from "../bookings/present";
import { loadBooking, transitionBooking } from "../bookings/store";
import type { Deps, Tenant } from "../context";
import { transitionEscrow } from "../escrow/status";
import { emitEvent } from "../events/emit";
import { executeDueOperations } from "../operations/execute";
import { describeFailure } from "../operations/outcome";
import { requestDueReleases } from "../operations/releases";
import { completeSession, type Settlement, settleNoShow } from "../sessions/settle";
import { toTenant } from "../tenants/store";
import { type DueBound, dueBounds, withinBound } from "./bounds";

export interface DueWorkSummary {
  expired: number;
  no_shows: number;
  auto_completed: number;
  refunds: number;
  refund_failures: number;
  released: number;
  release_failures: number;
  reversals: number;
  reversal_failures: number;
}

const BATCH = 200;

/**
 * All time-driven work, for every tenant (or one), each at its own clock: expire unpaid bookings,
 * settle no-shows, auto-complete sessions left open, request the transfers of due releases, then
 * execute every due money operation (refunds, transfers, reversals) with the one executor.
 *
 * Idempotent and safe to run in several processes at once: every state change is a conditional
 * transition inside a write transaction (the loser of a race changes nothing), and provider calls
 * are made only under an operation's lease with the operation's own idempotency key.
 */
export async function runDueWork(
  deps: Deps,
  options: { tenantId?: string | undefined; signal?: AbortSignal | undefined } = {},
): Promise<DueWorkSummary> {
  const { tenantId, signal } = options;
  // A shutdown (signal) lets the item under way finish and skips the rest: the next run takes it up.
  const expired = await expireUnpaidBookings(deps, tenantId, signal);
  const noShows = signal?.aborted ? 0 : await settleNoShows(deps, tenantId, signal);
  const autoCompleted = signal?.aborted ? 0 : await autoCompleteSessions(deps, tenantId, signal);
  const releases = signal?.aborted ? { requested: 0, releasedNow: 0 } : await requestDueReleases(deps, { tenantId });
  const executed = await executeDueOperations(deps, { tenantId }, { signal });
  const notMade = (kind: OperationKind) => executed.failed[kind] + executed.retrying[kind];
  return {
    expired,
    no_shows: noShows,
    auto_completed: autoCompleted,
    refunds: executed.succeeded.refund,
    refund_failures: notMade("refund"),
    released: executed.succeeded.transfer + releases.releasedNow,
    release_failures: notMade("transfer"),
    reversals: executed.succeeded.transfer_reversal,
    reversal_failures: notMade("transfer_reversal"),
  };
}

type DueBooking = { bookingId: string; tenant: Tenant };

/** Bookings in `statuses` whose `deadline` column has passed in their tenant's clock, within one bound. */
async function dueBookings(
  deps: Deps,
  statuses: (typeof bookings.status.enumValues)[number][],
  deadline: typeof bookings.paymentExpiresAt | typeof bookings.noShowAt | typeof bookings.autoCompleteAt,
  bound: DueBound,
  exclude: Set<string>,
): Promise<DueBooking[]> {
  const rows = await deps.db
    .select({ bookingId: bookings.id, tenant: tenants })
    .from(bookings)
    .innerJoin(tenants, eq(tenants.id, bookings.tenantId))
    .where(and(inArray(bookings.status, statuses), withinBound(bound, deadline, bookings.tenantId)))
    .orderBy(deadline)
    .limit(BATCH + exclude.size);
  return rows
    .filter((row) => !exclude.has(row.bookingId))
    .map((row) => ({ bookingId: row.bookingId, tenant: toTenant(row.tenant) }));
}

/**
 * Runs `handle` over every due booking, bound by bound (see bounds.ts) and batch by batch, visiting
 * each at most once per run, until `signal` aborts.
 */
async function forEachDue(
  deps: Deps,
  tenantId: string | undefined,
  find: (bound: DueBound, exclude: Set<string>) => Promise<DueBooking[]>,
  handle: (due: DueBooking) => Promise<boolean>,
  signal: AbortSignal | undefined,
): Promise<number> {
  const seen = new Set<string>();
  let count = 0;
  for (const bound of await dueBounds(deps.db, deps.clock.now(), tenantId)) {
    for (;;) {
      if (signal?.aborted) return count;
      const batch = await find(bound, seen);
      if (batch.length === 0) break;
      for (const due of batch) {
        if (signal?.aborted) return count;
        seen.add(due.bookingId);
        if (await handle(due)) count++;
      }
    }
  }
  return count;
}

async function expireUnpaidBookings(
  deps: Deps,
  tenantId: string | undefined,
  signal: AbortSignal | undefined,
): Promise<number> {
  return forEachDue(
    deps,
    tenantId,
    (bound, exclude) => dueBookings(deps, ["pending_payment"], bookings.paymentExpiresAt, bound, exclude),
    async ({ bookingId, tenant }) => {
      const { escrow } = await loadBooking(deps.db, tenant.id, bookingId);
      try {
        await deps.payments
          .forTenant(tenant)
          .cancelPayment({ tenant, paymentId: escrow.paymentId, idempotencyKey: `cancel:${escrow.id}` });
      } catch (error) {
        // The payment could not be voided (it went through meanwhile, or the provider is down): keep
        // the booking; the provider's webhook confirms it or a later tick tries again. Never stop the tick.
        const failure = describeFailure(error);
        await deps.db
          .update(escrows)
          .set({ lastErrorCode: failure.code, lastErrorMessage: failure.message })
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
          current.escrow.status === "awaiting_payment"
            ? ((await transitionEscrow(tx, current.escrow, "canceled", { updatedAt: at })) ?? current.escrow)
            : current.escrow;
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
    signal,
  );
}

async function settleNoShows(
  deps: Deps,
  tenantId: string | undefined,
  signal: AbortSignal | undefined,
): Promise<number> {
  return forEachDue(
    deps,
    tenantId,
    (bound, exclude) => dueBookings(deps, ["confirmed", "in_progress"], bookings.noShowAt, bound, exclude),
    async ({ bookingId, tenant }) => {
      // A refund the settlement needs is made by the executor at the end of this run.
      const settlement = await deps.db.transaction(async (tx): Promise<Settlement | null> => {
        const { booking, escrow } = await loadBooking(tx, tenant.id, bookingId);
        const studentCame = booking.studentJoinedAt !== null;
        const tutorCame = booking.tutorJoinedAt !== null;
        if (studentCame && tutorCame) return null;
        const side = !studentCame && !tutorCame ? "both" : studentCame ? "tutor" : "student";
        return settleNoShow(tx, booking, escrow, side, booking.noShowAt);
      });
      return settlement !== null;
    },
    signal,
  );
}

async function autoCompleteSessions(
  deps: Deps,
  tenantId: string | undefined,
  signal: AbortSignal | undefined,
): Promise<number> {
  return forEachDue(
    deps,
    tenantId,
    (bound, exclude) => dueBookings(deps, ["in_progress"], bookings.autoCompleteAt, bound, exclude),
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
      return settlement !== null;
    },
    signal,
  );
}
