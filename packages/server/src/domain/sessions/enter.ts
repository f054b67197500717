import { presentBooking } from "../bookings/present";
import { loadBooking, transitionBooking, updateBooking } from "../bookings/store";
import { Conflict } from "../errors";
import { emitEvent, emitEvents } from "../events/emit";
import type { ParticipantContext } from "./context";
import { presentSession, presentVideo } from "./present";
import { denyEnter, joinedAt } from "./rules";
import { issueVideo, videoSettingsFor } from "./video";

/**
 * Start or join. The first participant to start moves the booking to `in_progress`; a start on a
 * running session is a join; repeating either is harmless (a reconnect). Both return the caller's
 * own video credentials.
 */
export async function enterSession(ctx: ParticipantContext, action: "start" | "join") {
  const { deps, tenant, now, bookingId, role } = ctx;
  // Fail before any state changes if we could not hand out video credentials afterwards.
  videoSettingsFor(deps, tenant);
  const { booking, escrow } = await deps.db.transaction(async (tx) => {
    const current = await loadBooking(tx, tenant.id, bookingId);
    const { booking } = current;
    const denial = denyEnter(booking, role, now, action);
    if (denial) throw Conflict(denial.code, denial.message);
    const joinedField = role === "student" ? "studentJoinedAt" : "tutorJoinedAt";
    if (booking.status === "confirmed") {
      const started = await transitionBooking(tx, booking, ["confirmed"], {
        status: "in_progress",
        startedAt: now,
        startedBy: role,
        [joinedField]: now,
        updatedAt: now,
      });
      if (!started) throw Conflict("session_changed", "The session changed while starting; retry");
      const data = { booking: presentBooking(started, current.escrow), role };
      await emitEvents(tx, [
        { tenantId: tenant.id, type: "session.started", bookingId, data, at: now },
        { tenantId: tenant.id, type: "session.participant_joined", bookingId, data, at: now },
      ]);
      return { booking: started, escrow: current.escrow };
    }
    if (joinedAt(booking, role) === null) {
      const joined = await updateBooking(tx, booking, { [joinedField]: now, updatedAt: now });
      await emitEvent(tx, {
        tenantId: tenant.id,
        type: "session.participant_joined",
        bookingId,
        data: { booking: presentBooking(joined, current.escrow), role },
        at: now,
      });
      return { booking: joined, escrow: current.escrow };
    }
    return current;
  });
  const video = issueVideo(deps, tenant, booking, role, now);
  return { ...presentSession(booking, escrow, role, now), video: presentVideo(video) };
}
