import type { BookingRow, EscrowRow, Role } from "../../db/schema";
import type { VideoCredentials } from "../../ports/video";
import { iso } from "../bookings/present";
import { denyEnd, denyEnter, phaseOf } from "./rules";

/** The session as one participant sees it, with the server's time so clients can correct their clock. */
export function presentSession(booking: BookingRow, escrow: EscrowRow, role: Role, now: number) {
  return {
    booking_id: booking.id,
    role,
    status: booking.status,
    phase: phaseOf(booking, now),
    subject: booking.subject,
    timezone: booking.timezone,
    scheduled_start: iso(booking.scheduledStart) as string,
    ends_at: iso(booking.endsAt) as string,
    duration_minutes: booking.durationMinutes,
    join_opens_at: iso(booking.joinOpensAt) as string,
    started_at: iso(booking.startedAt),
    started_by: booking.startedBy,
    ended_at: iso(booking.endedAt),
    ended_by: booking.endedBy,
    no_show_side: booking.noShowSide,
    server_time: iso(now) as string,
    can_start: denyEnter(booking, role, now, "start") === null,
    can_join: denyEnter(booking, role, now, "join") === null,
    can_end: denyEnd(booking, role, now) === null,
    participants: {
      student: { name: booking.studentName, joined_at: iso(booking.studentJoinedAt) },
      tutor: { name: booking.tutorName, joined_at: iso(booking.tutorJoinedAt) },
    },
    notes: role === "tutor" ? booking.notes : null,
    rating: booking.ratedAt
      ? {
          stars: booking.ratingStars as number,
          comment: booking.ratingComment,
          rated_at: iso(booking.ratedAt) as string,
        }
      : null,
    escrow: {
      status: escrow.status,
      release_at: iso(escrow.releaseAt),
      currency: escrow.currency,
      amount: escrow.amount,
      tutor_amount: escrow.tutorAmount,
    },
  };
}

export function presentVideo(video: VideoCredentials) {
  return {
    provider: video.provider,
    app_id: video.appId,
    channel: video.channel,
    uid: video.uid,
    token: video.token,
    expires_at: iso(video.expiresAt) as string,
  };
}

export type SessionResource = ReturnType<typeof presentSession>;
