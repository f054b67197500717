import type { BookingRow, Role } from "../../db/schema";
import { MINUTE, resolvePolicy } from "../policy";

/**
 * When a session may be started, joined and ended. Pure functions of the booking, the role asking
 * and the tenant's current time, so every boundary is testable without a server.
 */

export type Phase = "upcoming" | "joinable" | "in_progress" | "ended" | "canceled" | "no_show";

export const otherRole = (role: Role): Role => (role === "student" ? "tutor" : "student");

export function joinedAt(booking: BookingRow, role: Role): number | null {
  return role === "student" ? booking.studentJoinedAt : booking.tutorJoinedAt;
}

/** Last moment anyone may join: the policy's late-join limit, or the scheduled end. */
export function lateJoinDeadline(booking: BookingRow): number {
  const policy = resolvePolicy(booking.policy);
  return policy.late_join_minutes === null
    ? booking.endsAt
    : Math.min(booking.endsAt, booking.scheduledStart + policy.late_join_minutes * MINUTE);
}

/** A first join must happen before the no-show deadline too: past it, that side is a no-show. */
export function firstJoinDeadline(booking: BookingRow): number {
  return Math.min(booking.noShowAt, lateJoinDeadline(booking));
}

/** When the video credentials stop working: the scheduled end plus the overtime grace. */
export function videoExpiresAt(booking: BookingRow): number {
  return booking.autoCompleteAt;
}

export function phaseOf(booking: BookingRow, now: number): Phase {
  switch (booking.status) {
    case "pending_payment":
      return "upcoming";
    case "confirmed":
      if (now < booking.joinOpensAt) return "upcoming";
      // Past the deadline nobody can start any more; the tick settles it as a no-show.
      return now < firstJoinDeadline(booking) ? "joinable" : "no_show";
    case "in_progress":
      return "in_progress";
    case "completed":
      return "ended";
    case "canceled":
      return "canceled";
    case "no_show":
      return "no_show";
  }
}

export type Denial = { code: string; message: string };

/** Why `role` may not start or join now, or null if it may (start on a running session is a join). */
export function denyEnter(booking: BookingRow, role: Role, now: number, action: "start" | "join"): Denial | null {
  switch (booking.status) {
    case "pending_payment":
      return { code: "booking_not_paid", message: "The booking has not been paid yet" };
    case "canceled":
      return { code: "booking_canceled", message: "The booking was canceled" };
    case "no_show":
      return { code: "session_no_show", message: "The session was settled as a no-show" };
    case "completed":
      return { code: "session_ended", message: "The session has ended" };
    case "confirmed":
      if (action === "join") return { code: "session_not_started", message: "The session has not been started yet" };
      if (now < booking.joinOpensAt) {
        return {
          code: "join_window_not_open",
          message: `The session can be started from ${new Date(booking.joinOpensAt).toISOString()}`,
        };
      }
      if (now >= firstJoinDeadline(booking)) {
        return { code: "join_window_closed", message: "The time to start this session has passed" };
      }
      return null;
    case "in_progress": {
      // late_join_minutes limits a late first arrival; a participant already in (a reconnect, a page
      // reload) may come back for fresh credentials until the scheduled end.
      const rejoin = joinedAt(booking, role) !== null;
      const deadline = rejoin ? booking.endsAt : firstJoinDeadline(booking);
      if (now >= deadline) return { code: "join_window_closed", message: "The time to join this session has passed" };
      return null;
    }
  }
}

/**
 * `can_start`: this participant may be the one who starts the session, which nobody has yet. Once it
 * runs, `can_start` is false for both sides and `can_join` says who may (re)join; a POST …/start
 * that arrives then is still answered as a join, so a late button press never fails.
 */
export function canStart(booking: BookingRow, role: Role, now: number): boolean {
  return booking.status === "confirmed" && denyEnter(booking, role, now, "start") === null;
}

/** `can_join`: the session runs and this participant may join it, or rejoin for fresh credentials. */
export function canJoin(booking: BookingRow, role: Role, now: number): boolean {
  return denyEnter(booking, role, now, "join") === null;
}

/** Why `role` may not end the session now, or null if it may. */
export function denyEnd(booking: BookingRow, role: Role, now: number): Denial | null {
  if (booking.status === "completed") return { code: "session_ended", message: "The session has already ended" };
  if (booking.status !== "in_progress") {
    return { code: "session_not_started", message: "The session has not been started" };
  }
  if (joinedAt(booking, role) === null) {
    return { code: "participant_not_joined", message: "Only a participant who joined the session can end it" };
  }
  if (joinedAt(booking, otherRole(role)) === null && now < booking.noShowAt) {
    return {
      code: "counterpart_may_still_join",
      message: `The other participant may still join until ${new Date(booking.noShowAt).toISOString()}`,
    };
  }
  return null;
}
