import type { Booking, Tenant } from "@lessonkit/sdk";

/** A moment of a lesson the sandbox clock can jump to. */
export interface Moment {
  label: string;
  at: string;
}

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The moments of one lesson worth jumping to, from the tenant's policy (the deadlines LessonKit
 * keeps): join window, start, no-show deadline, the last minutes, the end, the automatic close and
 * the payout. Lessons that are over and paid out (or canceled) have none left.
 */
export function lessonMoments(booking: Booking, policy: Tenant["policy"]): Moment[] {
  if (booking.status === "canceled" || booking.status === "pending_payment") return [];
  const start = Date.parse(booking.scheduled_start);
  const end = Date.parse(booking.ends_at);
  const moments: Moment[] = [];
  if (booking.status === "confirmed" || booking.status === "in_progress") {
    moments.push(
      { label: "Join opens", at: booking.join_opens_at },
      { label: "Lesson starts", at: booking.scheduled_start },
      { label: "No-show deadline", at: iso(start + policy.no_show_minutes * MINUTE) },
      { label: "10 min before the end", at: iso(end - 10 * MINUTE) },
      { label: "1 min before the end", at: iso(end - MINUTE) },
      { label: "Lesson ends", at: booking.ends_at },
      { label: "Closes automatically", at: iso(end + policy.overtime_grace_minutes * MINUTE) },
    );
  }
  const { escrow } = booking;
  if (escrow.release_at && (escrow.status === "release_scheduled" || escrow.status === "held")) {
    moments.push({ label: "Payout to tutor", at: escrow.release_at });
  }
  return moments;
}
