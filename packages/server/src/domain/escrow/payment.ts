import type { Tx } from "../../ports/storage";
import { presentBooking } from "../bookings/present";
import type { BookingWithEscrow } from "../bookings/store";
import { emitEvent } from "../events/emit";
import { captureEscrow, recordEscrowError } from "./movements";

/** The student's payment went through: hold the money and confirm the booking (once). */
export async function recordPaymentSucceeded(
  tx: Tx,
  { booking, escrow }: BookingWithEscrow,
  at: number,
  chargeId?: string,
) {
  return captureEscrow(tx, booking, escrow, at, chargeId);
}

/**
 * A payment attempt failed: nothing moves; the booking stays payable until it expires.
 * `payment.failed` is emitted for every failed attempt; the escrow keeps the failure as its last
 * error only when `asLastError` (it is unpaid and no later attempt is known).
 */
export async function recordPaymentFailed(
  tx: Tx,
  { booking, escrow }: BookingWithEscrow,
  at: number,
  failure: { code: string; message: string },
  asLastError = true,
) {
  const updated = asLastError ? await recordEscrowError(tx, escrow, failure, at) : escrow;
  await emitEvent(tx, {
    tenantId: booking.tenantId,
    type: "payment.failed",
    bookingId: booking.id,
    data: { booking: presentBooking(booking, updated), failure },
    at,
  });
}
