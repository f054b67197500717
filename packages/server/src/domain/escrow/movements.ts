import { eq } from "drizzle-orm";
import { type BookingRow, type EscrowRow, escrows } from "../../db/schema";
import type { Tx } from "../../ports/storage";
import { presentBooking, presentEscrow } from "../bookings/present";
import { transitionBooking, transitionEscrow } from "../bookings/store";
import { emitEvent } from "../events/emit";
import { escrowBalances, postLedger } from "../ledger/post";
import { splitRefund } from "../money";

/**
 * The money movements of an escrow, each run inside the caller's transaction so that the state
 * change, its ledger rows and its events commit together or not at all.
 */

/** Payment succeeded: the booking is confirmed and the money is held for the tutor and platform. */
export async function captureEscrow(tx: Tx, booking: BookingRow, escrow: EscrowRow, at: number) {
  const held = await transitionEscrow(tx, escrow, ["awaiting_payment"], {
    status: "held",
    heldAt: at,
    lastError: null,
    updatedAt: at,
  });
  if (!held) return null;
  const confirmed = await transitionBooking(tx, booking, ["pending_payment"], { status: "confirmed", updatedAt: at });
  if (!confirmed) throw new Error(`Booking ${booking.id} left pending_payment while its escrow awaited payment`);
  await postLedger(
    tx,
    held,
    "capture",
    { payer: -held.amount, tutor_pending: held.tutorAmount, platform_pending: held.platformFee },
    at,
  );
  const data = { booking: presentBooking(confirmed, held) };
  await emitEvent(tx, { tenantId: held.tenantId, type: "escrow.held", bookingId: booking.id, data, at });
  await emitEvent(tx, {
    tenantId: held.tenantId,
    type: "session.join_window_opened",
    bookingId: booking.id,
    data: { booking_id: booking.id, join_opens_at: new Date(confirmed.joinOpensAt).toISOString() },
    at,
    availableAt: confirmed.joinOpensAt,
  });
  return { booking: confirmed, escrow: held };
}

/**
 * Returns `amount` of the unreleased money to the student: from the tutor's share first, then the
 * platform fee. A refund of everything still held makes the escrow `refunded`; otherwise the escrow
 * keeps its status and what will be released shrinks.
 */
export async function applyRefund(
  tx: Tx,
  escrow: EscrowRow,
  amount: number,
  at: number,
  reason: string,
): Promise<EscrowRow> {
  const balances = await escrowBalances(tx, escrow.id);
  const tutorAccount = balances.tutor_disputed > 0 ? "tutor_disputed" : "tutor_pending";
  const { fromTutor, fromPlatform } = splitRefund(amount, balances[tutorAccount], balances.platform_pending);
  if (fromTutor + fromPlatform !== amount) {
    throw new Error(`Refund of ${amount} exceeds what escrow ${escrow.id} still holds`);
  }
  await postLedger(
    tx,
    escrow,
    "refund",
    { [tutorAccount]: -fromTutor, platform_pending: -fromPlatform, refunded: amount },
    at,
  );
  const refundedAmount = escrow.refundedAmount + amount;
  const fullyRefunded = refundedAmount + escrow.releasedAmount >= escrow.amount;
  const [updated] = await tx
    .update(escrows)
    .set({
      refundedAmount,
      status: fullyRefunded ? "refunded" : escrow.status,
      releaseAt: fullyRefunded ? null : escrow.releaseAt,
      updatedAt: at,
    })
    .where(eq(escrows.id, escrow.id))
    .returning();
  if (!updated) throw new Error(`Escrow ${escrow.id} vanished during a refund`);
  await emitEvent(tx, {
    tenantId: escrow.tenantId,
    type: "escrow.refunded",
    bookingId: escrow.bookingId,
    data: { escrow: presentEscrow(updated), refund: { amount, reason } },
    at,
  });
  return updated;
}

/**
 * The session is over (or settled): release to the tutor at `releaseAt` unless disputed first.
 * The caller emits `escrow.release_scheduled` (emitReleaseScheduled) after its own event, so
 * integrators see "session ended" before "release scheduled".
 */
export async function scheduleRelease(
  tx: Tx,
  escrow: EscrowRow,
  releaseAt: number,
  at: number,
): Promise<EscrowRow | null> {
  return transitionEscrow(tx, escrow, ["held"], { status: "release_scheduled", releaseAt, updatedAt: at });
}

export async function emitReleaseScheduled(tx: Tx, escrow: EscrowRow, at: number): Promise<void> {
  await emitEvent(tx, {
    tenantId: escrow.tenantId,
    type: "escrow.release_scheduled",
    bookingId: escrow.bookingId,
    data: { escrow: presentEscrow(escrow) },
    at,
  });
}

/**
 * Moves the tutor's pending share to `tutor_disputed` in the ledger and marks the escrow disputed
 * (remembering its status, to return to it), with the dispute's own fields. The caller has checked
 * that the escrow is held or scheduled for release and that no release is in flight.
 */
export async function freezeEscrow(
  tx: Tx,
  escrow: EscrowRow,
  dispute: Partial<EscrowRow>,
  at: number,
): Promise<EscrowRow> {
  const balances = await escrowBalances(tx, escrow.id);
  await postLedger(
    tx,
    escrow,
    "dispute",
    { tutor_pending: -balances.tutor_pending, tutor_disputed: balances.tutor_pending },
    at,
  );
  const [disputed] = await tx
    .update(escrows)
    .set({ ...dispute, status: "disputed", statusBeforeDispute: escrow.status, updatedAt: at })
    .where(eq(escrows.id, escrow.id))
    .returning();
  if (!disputed) throw new Error(`Escrow ${escrow.id} vanished while disputing`);
  return disputed;
}
