import { and, eq, gt, or } from "drizzle-orm";
import { type EscrowRow, providerEvents } from "../../db/schema";
import { presentBooking } from "../bookings/present";
import { type BookingWithEscrow, transitionBooking } from "../bookings/store";
import { recordPaymentFailed, recordPaymentSucceeded } from "../escrow/payment";
import { transitionEscrow, updateEscrow } from "../escrow/status";
import { emitEvent } from "../events/emit";
import type { FactContext } from "./facts";

/**
 * Any charge event proves the payment went through, so an event that overtakes
 * payment_intent.succeeded captures first. Returns the escrow as it now is, or null when it was
 * never paid here (canceled before the payment).
 */
export async function ensureCaptured(
  { tx, at }: FactContext,
  found: BookingWithEscrow,
  chargeId: string | null,
): Promise<EscrowRow | null> {
  const { booking, escrow } = found;
  if (escrow.status === "canceled") return null;
  if (escrow.status === "awaiting_payment") {
    const captured = await recordPaymentSucceeded(tx, { booking, escrow }, at, chargeId ?? undefined);
    return captured?.escrow ?? null;
  }
  if (chargeId && escrow.chargeId !== chargeId) return updateEscrow(tx, escrow, { chargeId });
  return escrow;
}

/**
 * A failed attempt is always reported (`payment.failed`), whenever its event arrives. It becomes the
 * escrow's last error only while the escrow is unpaid and no later failure of the same payment was
 * applied before it: a failure delivered after the success (or after a later failure) changes nothing.
 */
export async function recordFailedPayment(
  context: FactContext,
  found: BookingWithEscrow,
  fact: { paymentId: string; code: string; message: string },
) {
  const { tx, tenant, at, event } = context;
  const unpaid = found.escrow.status === "awaiting_payment" || found.escrow.status === "canceled";
  const [later] = unpaid
    ? await tx
        .select({ id: providerEvents.eventId })
        .from(providerEvents)
        .where(
          and(
            eq(providerEvents.tenantId, tenant.id),
            eq(providerEvents.subjectId, fact.paymentId),
            eq(providerEvents.type, "payment_intent.payment_failed"),
            or(
              gt(providerEvents.createdAt, event.createdAt),
              and(eq(providerEvents.createdAt, event.createdAt), gt(providerEvents.eventId, event.id)),
            ),
          ),
        )
        .limit(1)
    : [];
  await recordPaymentFailed(tx, found, at, { code: fact.code, message: fact.message }, unpaid && !later);
}

/** The PaymentIntent was canceled at the provider: an unpaid booking is canceled with it. */
export async function cancelUnpaid({ tx, at }: FactContext, { booking, escrow }: BookingWithEscrow): Promise<boolean> {
  const canceled = await transitionBooking(tx, booking, ["pending_payment"], {
    status: "canceled",
    canceledAt: at,
    canceledBy: "system",
    cancelReason: "payment_canceled",
    updatedAt: at,
  });
  if (!canceled) return false;
  const escrowAfter =
    escrow.status === "awaiting_payment"
      ? ((await transitionEscrow(tx, escrow, "canceled", { updatedAt: at })) ?? escrow)
      : escrow;
  await emitEvent(tx, {
    tenantId: booking.tenantId,
    type: "booking.canceled",
    bookingId: booking.id,
    data: { booking: presentBooking(canceled, escrowAfter) },
    at,
  });
  return true;
}
