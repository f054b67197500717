import { eq } from "drizzle-orm";
import { bookings } from "../../db/schema";
import { loadBooking } from "../bookings/store";
import { Conflict, Forbidden, Invalid } from "../errors";
import type { ParticipantContext } from "./context";

export const MAX_NOTES_LENGTH = 20_000;

/** The tutor's lesson notes: plain text, saved during or after the session, replaced on each save. */
export async function saveNotes({ deps, tenant, now, bookingId, role }: ParticipantContext, text: string) {
  if (role !== "tutor") throw Forbidden("tutor_only", "Only the tutor can write session notes");
  if (text.length > MAX_NOTES_LENGTH) {
    throw Invalid("notes_too_long", `notes must be at most ${MAX_NOTES_LENGTH} characters`, "notes");
  }
  return deps.db.transaction(async (tx) => {
    const { booking } = await loadBooking(tx, tenant.id, bookingId);
    if (booking.status !== "in_progress" && booking.status !== "completed") {
      throw Conflict("session_not_started", "Notes can be saved once the session has started");
    }
    await tx
      .update(bookings)
      .set({ notes: text, notesUpdatedAt: now, updatedAt: now })
      .where(eq(bookings.id, booking.id));
    return { booking_id: bookingId, notes: text, updated_at: new Date(now).toISOString() };
  });
}
