import type { BookingRow, DisputeSource, EscrowRow, OperationRow } from "../../db/schema";
import type { Tx } from "../../ports/storage";
import { presentBooking, presentEscrow } from "../bookings/present";
import { transitionBooking } from "../bookings/store";
import { type EmitInput, emitEvent, emitEvents } from "../events/emit";
import { escrowBalances, postLedger } from "../ledger/post";
import { splitRefund } from "../money";
import { presentOperation } from "../operations/present";
import { openOperations, requestOperation } from "../operations/store";
import { heldAmount, transitionEscrow, updateEscrow } from "./status";

/**
 * The money movements of an escrow as our books see them, each run inside the caller's transaction
 * so that the state change, its ledger rows, its events and any money operation it needs commit
 * together or not at all.
 */

/**
 * Payment succeeded: the booking is confirmed and the money is held for the tutor and platform.
 * `chargeId`, when the payment names its charge, is recorded in the same update.
 */
export async function captureEscrow(tx: Tx, booking: BookingRow, escrow: EscrowRow, at: number, chargeId?: string) {
  const held = await transitionEscrow(tx, escrow, "held", {
    ...(chargeId ? { chargeId } : {}),
    heldAt: at,
    lastErrorCode: null,
    lastErrorMessage: null,
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
  await emitEvents(tx, [
    {
      tenantId: held.tenantId,
      type: "escrow.held",
      bookingId: booking.id,
      data: { booking: presentBooking(confirmed, held) },
      at,
    },
    {
      tenantId: held.tenantId,
      type: "session.join_window_opened",
      bookingId: booking.id,
      data: { booking_id: booking.id, join_opens_at: new Date(confirmed.joinOpensAt).toISOString() },
      at,
      availableAt: confirmed.joinOpensAt,
    },
  ]);
  return { booking: confirmed, escrow: held };
}

export interface RefundRecord {
  reason: string;
  /** The card network took it back (a lost chargeback), rather than a refund. */
  chargeback?: boolean;
  /** Our refund operation that moved it, if it was ours. */
  operation?: OperationRow;
}

/**
 * Records that `amount` of the unreleased money went back to the student: from the tutor's share
 * first, then the platform fee. Everything still held gone makes the escrow `refunded`; otherwise it
 * keeps its status and what will be released shrinks.
 */
export async function applyRefund(tx: Tx, escrow: EscrowRow, amount: number, at: number, record: RefundRecord) {
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
  const amounts = {
    refundedAmount: escrow.refundedAmount + amount,
    chargedBackAmount: escrow.chargedBackAmount + (record.chargeback ? amount : 0),
    updatedAt: at,
  };
  const fullyRefunded = amounts.refundedAmount + escrow.releasedAmount >= escrow.amount;
  const updated = fullyRefunded
    ? await transitionEscrow(tx, escrow, "refunded", { ...amounts, releaseAt: null })
    : await updateEscrow(tx, escrow, amounts);
  if (!updated) throw new Error(`Escrow ${escrow.id} changed during a refund`);
  await emitEvent(tx, {
    tenantId: escrow.tenantId,
    type: "escrow.refunded",
    bookingId: escrow.bookingId,
    data: {
      escrow: presentEscrow(updated),
      refund: { amount, reason: record.reason },
      ...(record.operation ? { operation: presentOperation(record.operation) } : {}),
    },
    at,
  });
  return updated;
}

/**
 * A refund made after the tutor was paid (a refund in the provider's dashboard, a lost chargeback):
 * the student got `amount` back from the platform's balance, so it leaves `released`, taken from
 * the tutor's share first (then the platform's fee), and what came from the tutor's share is taken
 * back from the tutor with a transfer reversal, written here as an operation.
 */
export async function refundAfterRelease(
  tx: Tx,
  escrow: EscrowRow,
  amount: number,
  at: number,
  record: Omit<RefundRecord, "operation">,
) {
  const balances = await escrowBalances(tx, escrow.id);
  const fromTutor = Math.min(amount, Math.max(0, balances.tutor_released));
  const fromPlatform = amount - fromTutor;
  await postLedger(
    tx,
    escrow,
    "refund_after_release",
    { tutor_released: -fromTutor, platform_revenue: -fromPlatform, refunded: amount },
    at,
  );
  const amounts = {
    refundedAmount: escrow.refundedAmount + amount,
    chargedBackAmount: escrow.chargedBackAmount + (record.chargeback ? amount : 0),
    releasedAmount: escrow.releasedAmount - amount,
    updatedAt: at,
  };
  const updated =
    amounts.refundedAmount >= escrow.amount
      ? await transitionEscrow(tx, escrow, "refunded", amounts)
      : await updateEscrow(tx, escrow, amounts);
  if (!updated) throw new Error(`Escrow ${escrow.id} changed during a refund after release`);
  const reversal =
    fromTutor > 0 && escrow.transferId
      ? await requestOperation(
          tx,
          updated,
          { kind: "transfer_reversal", amount: fromTutor, reason: "refund_after_release" },
          at,
        )
      : null;
  await emitEvent(tx, {
    tenantId: escrow.tenantId,
    type: "escrow.refunded",
    bookingId: escrow.bookingId,
    data: {
      escrow: presentEscrow(updated),
      refund: { amount, reason: record.reason, after_release: true, transfer_reversal_amount: fromTutor },
      ...(reversal ? { operation: presentOperation(reversal) } : {}),
    },
    at,
  });
  return updated;
}

/**
 * The session is over (or settled): release to the tutor at `releaseAt` unless disputed first.
 * The caller emits `escrow.release_scheduled` (emitReleaseScheduled, or releaseScheduled in its own
 * emitEvents) after its own event, so
 * integrators see "session ended" before "release scheduled".
 */
export async function scheduleRelease(
  tx: Tx,
  escrow: EscrowRow,
  releaseAt: number,
  at: number,
): Promise<EscrowRow | null> {
  if (escrow.status !== "held") return null;
  return transitionEscrow(tx, escrow, "release_scheduled", { releaseAt, updatedAt: at });
}

export async function emitReleaseScheduled(tx: Tx, escrow: EscrowRow, at: number): Promise<void> {
  await emitEvent(tx, releaseScheduled(escrow, at));
}

/** The `escrow.release_scheduled` event, for a caller that writes it in one insert with its own (emitEvents). */
export function releaseScheduled(escrow: EscrowRow, at: number): EmitInput {
  return {
    tenantId: escrow.tenantId,
    type: "escrow.release_scheduled",
    bookingId: escrow.bookingId,
    data: { escrow: presentEscrow(escrow) },
    at,
  };
}

export interface DisputeRecord {
  source: DisputeSource;
  reason: string;
  providerDisputeId?: string | null;
}

/**
 * Freezes what is still held: the tutor's pending share moves to `tutor_disputed` and the escrow is
 * `disputed` until unfreezeEscrow. The caller has checked that no release can be moving.
 */
export async function freezeEscrow(tx: Tx, escrow: EscrowRow, dispute: DisputeRecord, at: number) {
  const balances = await escrowBalances(tx, escrow.id);
  await postLedger(
    tx,
    escrow,
    "dispute",
    { tutor_pending: -balances.tutor_pending, tutor_disputed: balances.tutor_pending },
    at,
  );
  const disputed = await transitionEscrow(tx, escrow, "disputed", {
    disputeSource: dispute.source,
    disputeReason: dispute.reason,
    disputedAt: at,
    ...(dispute.providerDisputeId ? { providerDisputeId: dispute.providerDisputeId } : {}),
    updatedAt: at,
  });
  if (!disputed) throw new Error(`Escrow ${escrow.id} changed while being disputed`);
  return disputed;
}

/** The lesson has been given (or settled, or canceled late): what is not refunded is the tutor's. */
export function sessionOver(booking: BookingRow): boolean {
  return booking.status === "completed" || booking.status === "no_show" || booking.status === "canceled";
}

/**
 * Ends a freeze, for every kind of dispute. The tutor's frozen share is pending again; once the
 * session is over, what stays in escrow after `refunding` (a refund decided with the resolution) is
 * released at `releaseAt`; before the lesson it is simply held again.
 */
export async function unfreezeEscrow(
  tx: Tx,
  booking: BookingRow,
  escrow: EscrowRow,
  options: { at: number; releaseAt: number; refunding?: number },
): Promise<EscrowRow> {
  const balances = await escrowBalances(tx, escrow.id);
  await postLedger(
    tx,
    escrow,
    "dispute_resolved",
    { tutor_disputed: -balances.tutor_disputed, tutor_pending: balances.tutor_disputed },
    options.at,
  );
  // What stays in escrow once the refunds decided (with this resolution, or still being made) are made.
  const refunds = await openOperations(tx, escrow.id, "refund");
  const remaining =
    heldAmount(escrow) - (options.refunding ?? 0) - refunds.reduce((sum, operation) => sum + operation.amount, 0);
  const resumed =
    remaining > 0 && sessionOver(booking)
      ? await transitionEscrow(tx, escrow, "release_scheduled", { releaseAt: options.releaseAt, updatedAt: options.at })
      : await transitionEscrow(tx, escrow, "held", { updatedAt: options.at });
  if (!resumed) throw new Error(`Escrow ${escrow.id} changed while its dispute ended`);
  return resumed;
}

/** Records why the escrow's money did not move (null clears it). */
export async function recordEscrowError(
  tx: Tx,
  escrow: EscrowRow,
  error: { code: string; message: string } | null,
  at: number,
): Promise<EscrowRow> {
  return updateEscrow(tx, escrow, {
    lastErrorCode: error?.code ?? null,
    lastErrorMessage: error?.message ?? null,
    updatedAt: at,
  });
}
