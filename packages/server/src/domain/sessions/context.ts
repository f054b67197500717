import type { Role } from "../../db/schema";
import type { TenantContext } from "../context";

/** A call made with a participant token: one booking, one role. */
export interface ParticipantContext extends TenantContext {
  bookingId: string;
  role: Role;
  userId: string;
}
