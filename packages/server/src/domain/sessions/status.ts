import { bookingSnapshot } from "../bookings/store";
import type { ParticipantContext } from "./context";
import { presentSession } from "./present";

export async function getSessionStatus({ deps, tenant, now, bookingId, role }: ParticipantContext) {
  const { booking, escrow } = await bookingSnapshot(deps, tenant.id, bookingId);
  return presentSession(booking, escrow, role, now);
}
