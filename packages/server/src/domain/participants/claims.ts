import type { Role } from "../../db/schema";

/** What a participant token says: one booking, one role, one user, until when. */
export interface ParticipantClaims {
  tenantId: string;
  bookingId: string;
  role: Role;
  userId: string;
  /** Epoch ms in the tenant's clock. */
  expiresAt: number;
}
