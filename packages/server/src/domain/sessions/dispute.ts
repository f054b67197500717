import { Forbidden } from "../errors";
import { openDispute } from "../escrow/dispute";
import type { ParticipantContext } from "./context";

/** The student disputes the lesson from the session screen. */
export async function disputeSession(ctx: ParticipantContext, reason: string) {
  if (ctx.role !== "student") throw Forbidden("student_only", "Only the student can dispute a lesson");
  return openDispute(ctx, { bookingId: ctx.bookingId }, { reason, source: "participant" });
}
