import { eq } from "drizzle-orm";
import { escrows } from "../../db/schema";
import type { Tx } from "../../ports/storage";
import { presentBooking } from "../bookings/present";
import type { BookingWithEscrow } from "../bookings/store";
import { emitEvent } from "../events/emit";
import { captureEscrow } from "./movements";

/** The student's payment went through: hold the money and confirm the booking (once). */
export async function recordPaymentSucceeded(
  tx: Tx,
  { booking, escrow }: BookingWithEscrow,
  at: number,
  chargeId?: string,
) {
  const source = chargeId ? { ...escrow, chargeId } : escrow;
  if (chargeId) await tx.update(escrows).set({ chargeId }).where(eq(escrows.id, escrow.id));
  return captureEscrow(tx, booking, source, at);
}

/** The payment attempt failed: nothing moves; the booking stays payable until it expires. */
export async function recordPaymentFailed(
  tx: Tx,
  { booking, escrow }: BookingWithEscrow,
  at: number,
  failure: { code: string; message: string },
) {
  const [updated] = await tx
    .update(escrows)
    .set({ lastError: `${failure.code}: ${failure.message}`, updatedAt: at })
    .where(eq(escrows.id, escrow.id))
    .returning();
  await emitEvent(tx, {
    tenantId: booking.tenantId,
    type: "payment.failed",
    bookingId: booking.id,
    data: { booking: presentBooking(booking, updated ?? escrow), failure },
    at,
  });
}
