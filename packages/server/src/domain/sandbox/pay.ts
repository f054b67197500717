import { presentBooking } from "../bookings/present";
import { loadBooking } from "../bookings/store";
import type { TenantContext } from "../context";
import { Conflict } from "../errors";
import { recordPaymentFailed, recordPaymentSucceeded } from "../escrow/payment";

/** Stands in for the student's card payment on a sandbox tenant. */
export async function paySandboxBooking(
  { deps, tenant, now }: TenantContext,
  bookingId: string,
  outcome: "succeed" | "fail",
) {
  if (tenant.paymentProvider !== "sandbox") {
    throw Conflict(
      "sandbox_only",
      "Only sandbox tenants can pay through the sandbox; Stripe tenants are paid by Stripe",
    );
  }
  const paid = await deps.db.transaction(async (tx) => {
    const current = await loadBooking(tx, tenant.id, bookingId);
    if (current.booking.status !== "pending_payment") {
      throw current.escrow.heldAt
        ? Conflict("booking_already_paid", "The booking has already been paid")
        : Conflict("booking_not_payable", `A ${current.booking.status} booking cannot be paid`);
    }
    if (now >= current.booking.paymentExpiresAt) {
      throw Conflict("payment_window_closed", "The time to pay for this booking has passed");
    }
    if (outcome === "fail") {
      await recordPaymentFailed(tx, current, now, { code: "card_declined", message: "The sandbox card was declined" });
      return null;
    }
    return recordPaymentSucceeded(tx, current, now, `ch_sandbox_${current.escrow.id.slice(4)}`);
  });
  const after = paid ?? (await loadBooking(deps.db, tenant.id, bookingId));
  return presentBooking(after.booking, after.escrow);
}
