import type { TenantContext } from "../context";
import { Conflict } from "../errors";
import { emitReleaseScheduled } from "../escrow/movements";
import { heldAmount, transitionEscrow } from "../escrow/status";
import { emitEvent } from "../events/emit";
import { percentOf } from "../money";
import { executeEscrowOperations } from "../operations/execute";
import { requestOperation } from "../operations/store";
import { HOUR, resolvePolicy } from "../policy";
import { withdrawScheduledEvents } from "../webhooks/fanout";
import { presentBooking } from "./present";
import { loadBooking, transitionBooking } from "./store";

export interface CancelBookingInput {
  by: "student" | "tutor" | "platform";
  reason?: string | undefined;
}

/**
 * Cancels a booking before its session starts. Unpaid: the payment is voided. Paid: the student is
 * refunded in full, unless the student cancels within `free_cancel_hours` of the start, when only
 * `late_cancel_refund_percent` comes back and the rest is due to the tutor at once (`release_at` =
 * the cancellation time), paid by the next tick.
 */
export async function cancelBooking(ctx: TenantContext, bookingId: string, input: CancelBookingInput) {
  const { deps, tenant, now } = ctx;
  const current = await loadBooking(deps.db, tenant.id, bookingId);
  if (current.booking.status === "pending_payment") {
    await deps.payments.forTenant(tenant).cancelPayment({
      tenant,
      paymentId: current.escrow.paymentId,
      idempotencyKey: `cancel:${current.escrow.id}`,
    });
  }
  const result = await deps.db.transaction(async (tx) => {
    const { booking, escrow } = await loadBooking(tx, tenant.id, bookingId);
    const denial = denyCancel(booking.status, escrow.status);
    if (denial) throw Conflict(denial.code, denial.message);
    const canceledFields = {
      status: "canceled" as const,
      canceledAt: now,
      canceledBy: input.by,
      cancelReason: input.reason ?? null,
      updatedAt: now,
    };
    const canceled = await transitionBooking(tx, booking, [booking.status], canceledFields);
    if (!canceled) throw Conflict("booking_changed", "The booking changed while it was being canceled; retry");
    await withdrawScheduledEvents(tx, { tenantId: tenant.id, bookingId, now });
    let escrowAfter = escrow;
    let refundPending = false;
    if (escrow.status === "awaiting_payment") {
      escrowAfter = (await transitionEscrow(tx, escrow, "canceled", { updatedAt: now })) ?? escrow;
    } else {
      const policy = resolvePolicy(booking.policy);
      const held = heldAmount(escrow);
      const freeCancel = booking.scheduledStart - now >= policy.free_cancel_hours * HOUR;
      const refund =
        input.by !== "student" || freeCancel
          ? held
          : Math.min(held, percentOf(escrow.amount, policy.late_cancel_refund_percent));
      // What the student does not get back is the tutor's (and platform's) to keep: release it now.
      if (refund < held) {
        escrowAfter =
          (await transitionEscrow(tx, escrow, "release_scheduled", { releaseAt: now, updatedAt: now })) ?? escrow;
      }
      if (refund > 0) {
        await requestOperation(
          tx,
          escrowAfter,
          { kind: "refund", amount: refund, reason: `canceled_by_${input.by}` },
          now,
        );
      }
      refundPending = refund > 0;
    }
    await emitEvent(tx, {
      tenantId: tenant.id,
      type: "booking.canceled",
      bookingId,
      data: { booking: presentBooking(canceled, escrowAfter) },
      at: now,
    });
    if (escrowAfter.status === "release_scheduled") await emitReleaseScheduled(tx, escrowAfter, now);
    return { refundPending, escrowId: escrow.id };
  });
  if (result.refundPending) await executeEscrowOperations(deps, tenant, result.escrowId);
  const after = await loadBooking(deps.db, tenant.id, bookingId);
  return presentBooking(after.booking, after.escrow);
}

function denyCancel(bookingStatus: string, escrowStatus: string): { code: string; message: string } | null {
  switch (bookingStatus) {
    case "pending_payment":
    case "confirmed":
      if (escrowStatus === "disputed") {
        return { code: "escrow_disputed", message: "The escrow is disputed; resolve the dispute instead" };
      }
      return null;
    case "in_progress":
      return { code: "session_in_progress", message: "The session has started; end it instead of canceling" };
    case "canceled":
      return { code: "booking_canceled", message: "The booking is already canceled" };
    default:
      return { code: "booking_not_cancelable", message: `A ${bookingStatus} booking cannot be canceled` };
  }
}
