import type { BookingRow, EscrowRow, Role } from "../../db/schema";
import type { Tx } from "../../ports/storage";
import { presentBooking } from "../bookings/present";
import { transitionBooking } from "../bookings/store";
import { releaseScheduled, scheduleRelease } from "../escrow/movements";
import { heldAmount } from "../escrow/status";
import { emitEvents } from "../events/emit";
import { requestOperation } from "../operations/store";
import { HOUR, resolvePolicy } from "../policy";

/** What happened to a booking's money when its session was settled. */
export interface Settlement {
  booking: BookingRow;
  escrow: EscrowRow;
  /** A refund operation was requested and should be made at once (executeEscrowOperations). */
  refundPending: boolean;
}

/** The session is over: completed, and the tutor is paid `release_delay_hours` later unless disputed. */
export async function completeSession(
  tx: Tx,
  booking: BookingRow,
  escrow: EscrowRow,
  endedBy: Role | "system",
  at: number,
): Promise<Settlement | null> {
  const completed = await transitionBooking(tx, booking, ["in_progress"], {
    status: "completed",
    endedAt: at,
    endedBy,
    updatedAt: at,
  });
  if (!completed) return null;
  const releaseDelay = resolvePolicy(booking.policy).release_delay_hours * HOUR;
  const scheduled = escrow.status === "held" ? await scheduleRelease(tx, escrow, at + releaseDelay, at) : null;
  const current = scheduled ?? escrow;
  await emitEvents(tx, [
    {
      tenantId: booking.tenantId,
      type: "session.ended",
      bookingId: booking.id,
      data: { booking: presentBooking(completed, current) },
      at,
    },
    ...(scheduled ? [releaseScheduled(scheduled, at)] : []),
  ]);
  return { booking: completed, escrow: current, refundPending: false };
}

/**
 * Settles a session in which `side` never joined (or nobody did), by the booking's policy: the
 * tutor is paid (after the usual delay) or the student is refunded. A disputed escrow is left for
 * the dispute's resolution.
 */
export async function settleNoShow(
  tx: Tx,
  booking: BookingRow,
  escrow: EscrowRow,
  side: Role | "both",
  at: number,
): Promise<Settlement | null> {
  const settled = await transitionBooking(tx, booking, ["confirmed", "in_progress"], {
    status: "no_show",
    noShowSide: side,
    updatedAt: at,
  });
  if (!settled) return null;
  const policy = resolvePolicy(booking.policy);
  const outcome = side === "both" ? "refund" : side === "student" ? policy.student_no_show : policy.tutor_no_show;
  let current = escrow;
  let refundPending = false;
  let scheduled: EscrowRow | null = null;
  if (escrow.status === "held") {
    if (outcome === "release") {
      scheduled = await scheduleRelease(tx, escrow, at + policy.release_delay_hours * HOUR, at);
      current = scheduled ?? escrow;
    } else {
      const amount = heldAmount(escrow);
      if (amount > 0) await requestOperation(tx, escrow, { kind: "refund", amount, reason: `no_show:${side}` }, at);
      refundPending = amount > 0;
    }
  }
  await emitEvents(tx, [
    {
      tenantId: booking.tenantId,
      type: "session.no_show",
      bookingId: booking.id,
      data: { booking: presentBooking(settled, current), no_show: { side, outcome } },
      at,
    },
    ...(scheduled ? [releaseScheduled(scheduled, at)] : []),
  ]);
  return { booking: settled, escrow: current, refundPending };
}
