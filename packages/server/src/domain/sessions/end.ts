import { loadBooking } from "../bookings/store";
import { Conflict } from "../errors";
import { executeEscrowOperations } from "../operations/execute";
import type { ParticipantContext } from "./context";
import { presentSession } from "./present";
import { denyEnd, joinedAt, otherRole } from "./rules";
import { completeSession, settleNoShow } from "./settle";

/**
 * Ends the session. With both sides having joined it is completed and the release is scheduled;
 * if the other side never came and the no-show deadline has passed, it is settled as their no-show.
 */
export async function endSession(ctx: ParticipantContext) {
  const { deps, tenant, now, bookingId, role } = ctx;
  const settlement = await deps.db.transaction(async (tx) => {
    const { booking, escrow } = await loadBooking(tx, tenant.id, bookingId);
    const denial = denyEnd(booking, role, now);
    if (denial) throw Conflict(denial.code, denial.message);
    const absent = otherRole(role);
    const result =
      joinedAt(booking, absent) === null
        ? await settleNoShow(tx, booking, escrow, absent, now)
        : await completeSession(tx, booking, escrow, role, now);
    if (!result) throw Conflict("session_changed", "The session changed while ending; retry");
    return result;
  });
  if (!settlement.refundPending) return presentSession(settlement.booking, settlement.escrow, role, now);
  await executeEscrowOperations(deps, tenant, settlement.escrow.id);
  const { booking, escrow } = await loadBooking(deps.db, tenant.id, bookingId);
  return presentSession(booking, escrow, role, now);
}
