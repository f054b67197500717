import { and, eq, isNull } from "drizzle-orm";
import { bookings } from "../../db/schema";
import { presentBooking } from "../bookings/present";
import { loadBooking } from "../bookings/store";
import { Conflict, Forbidden } from "../errors";
import { emitEvent } from "../events/emit";
import type { ParticipantContext } from "./context";

export const MAX_COMMENT_LENGTH = 2_000;

/** The student rates a completed session 1–5, once. */
export async function rateSession(
  { deps, tenant, now, bookingId, role }: ParticipantContext,
  input: { stars: number; comment?: string | undefined },
) {
  if (role !== "student") throw Forbidden("student_only", "Only the student can rate the session");
  return deps.db.transaction(async (tx) => {
    const { booking, escrow } = await loadBooking(tx, tenant.id, bookingId);
    if (booking.status !== "completed")
      throw Conflict("session_not_completed", "Only a completed session can be rated");
    if (booking.ratedAt !== null) throw Conflict("already_rated", "This session has already been rated");
    const [rated] = await tx
      .update(bookings)
      .set({ ratingStars: input.stars, ratingComment: input.comment ?? null, ratedAt: now, updatedAt: now })
      .where(and(eq(bookings.id, booking.id), isNull(bookings.ratedAt)))
      .returning();
    if (!rated) throw Conflict("already_rated", "This session has already been rated");
    const rating = { stars: input.stars, comment: input.comment ?? null, rated_at: new Date(now).toISOString() };
    await emitEvent(tx, {
      tenantId: tenant.id,
      type: "rating.submitted",
      bookingId,
      data: { booking: presentBooking(rated, escrow), rating },
      at: now,
    });
    return { booking_id: bookingId, ...rating };
  });
}
