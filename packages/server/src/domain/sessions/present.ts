import type { BookingRow, EscrowRow, Role } from "../../db/schema";
import type { VideoCredentials } from "../../ports/video";
import { iso } from "../bookings/present";
import { canJoin, canStart, denyEnd, phaseOf } from "./rules";

/** What a booking row says about its session regardless of the time: computed once per row object. */
const timeless = new WeakMap<BookingRow, ReturnType<typeof describeBooking>>();

function describeBooking(booking: BookingRow) {
  return {
    booking_id: booking.id,
    subject: booking.subject,
    timezone: booking.timezone,
    scheduled_start: iso(booking.scheduledStart) as string,
    ends_at: iso(booking.endsAt) as string,
    duration_minutes: booking.durationMinutes,
    join_opens_at: iso(booking.joinOpensAt) as string,
    no_show_at: iso(booking.noShowAt) as string,
    auto_complete_at: iso(booking.autoCompleteAt) as string,
    started_at: iso(booking.startedAt),
    started_by: booking.startedBy,
    ended_at: iso(booking.endedAt),
    ended_by: booking.endedBy,
    no_show_side: booking.noShowSide,
    participants: {
      student: { name: booking.studentName, joined_at: iso(booking.studentJoinedAt) },
      tutor: { name: booking.tutorName, joined_at: iso(booking.tutorJoinedAt) },
    },
    rating: booking.ratedAt
      ? {
          stars: booking.ratingStars as number,
          comment: booking.ratingComment,
          rated_at: iso(booking.ratedAt) as string,
        }
      : null,
  };
}

/**
 * The session as one participant sees it, with the server's time so clients can correct their clock.
 * The parts that do not depend on the time are worked out once per row object: status polls are
 * served from frozen snapshots (Deps.snapshots), so one row object serves many polls.
 */
export function presentSession(booking: BookingRow, escrow: EscrowRow, role: Role, now: number) {
  let fixed = timeless.get(booking);
  if (!fixed) {
    fixed = describeBooking(booking);
    timeless.set(booking, fixed);
  }
  return {
    booking_id: fixed.booking_id,
    role,
    status: booking.status,
    phase: phaseOf(booking, now),
    subject: fixed.subject,
    timezone: fixed.timezone,
    scheduled_start: fixed.scheduled_start,
    ends_at: fixed.ends_at,
    duration_minutes: fixed.duration_minutes,
    join_opens_at: fixed.join_opens_at,
    no_show_at: fixed.no_show_at,
    auto_complete_at: fixed.auto_complete_at,
    started_at: fixed.started_at,
    started_by: fixed.started_by,
    ended_at: fixed.ended_at,
    ended_by: fixed.ended_by,
    no_show_side: fixed.no_show_side,
    server_time: iso(now) as string,
    can_start: canStart(booking, role, now),
    can_join: canJoin(booking, role, now),
    can_end: denyEnd(booking, role, now) === null,
    participants: fixed.participants,
    notes: role === "tutor" ? booking.notes : null,
    rating: fixed.rating,
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
