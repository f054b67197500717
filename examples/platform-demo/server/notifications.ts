import type { Booking, Escrow, WebhookEvent } from "@lessonkit/sdk";

export interface Notification {
  /** The LessonKit event id (= `webhook-id`). */
  id: string;
  type: string;
  title: string;
  body: string;
  booking_id: string | null;
  /** When LessonKit emitted the event (the tenant's clock, which the sandbox test clock moves). */
  created_at: string;
  /** The users who see it: the booking's student and tutor. */
  user_ids: string[];
}

/** What an event's `data` may hold: the booking, the escrow, or just the booking id. */
interface EventData {
  booking?: Booking;
  escrow?: Escrow;
  booking_id?: string;
  role?: "student" | "tutor";
  rating?: { stars: number };
  join_opens_at?: string;
  refund?: { amount: number };
}

export function bookingIdOf(event: WebhookEvent): string | null {
  const data = event.data as EventData;
  return data.booking?.id ?? data.escrow?.booking_id ?? data.booking_id ?? null;
}

export function money(amount: number, currency: string): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).format(amount / 100);
}

function utc(iso: string | null | undefined): string {
  if (!iso) return "later";
  const text = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
  return `${text.format(new Date(iso))} UTC`;
}

/**
 * Turns one LessonKit event into the line the platform shows its users, or null for events the
 * feed leaves out. `booking` is the latest copy the platform has of the event's booking.
 */
export function describeEvent(event: WebhookEvent, booking: Booking): { title: string; body: string } | null {
  const data = event.data as EventData;
  const subject = booking.subject ?? "the lesson";
  const tutor = booking.tutor.name ?? booking.tutor.id;
  const student = booking.student.name ?? booking.student.id;
  const escrow = data.escrow ?? data.booking?.escrow ?? booking.escrow;
  const nameOf = (role: string | undefined | null) =>
    role === "tutor" ? tutor : role === "student" ? student : "LessonKit";
  switch (event.type) {
    case "booking.created":
      return { title: "Lesson booked", body: `${subject} with ${tutor}, ${utc(booking.scheduled_start)}.` };
    case "escrow.held":
      return {
        title: "Payment held",
        body: `${money(escrow.amount, escrow.currency)} for ${subject} is held in escrow until the lesson.`,
      };
    case "payment.failed":
      return { title: "Payment failed", body: `The payment for ${subject} did not go through.` };
    case "session.join_window_opened": {
      const minutes = Math.round((Date.parse(booking.scheduled_start) - Date.parse(booking.join_opens_at)) / 60_000);
      return {
        title: `Session starts in ${minutes} minutes`,
        body: `${subject}: ${tutor} and ${student} can start the session now.`,
      };
    }
    case "session.started":
      return { title: "Session started", body: `${nameOf(data.role)} started ${subject}.` };
    case "session.participant_joined":
      // The starter's own "joined" comes with session.started; say it once.
      if (data.role === booking.session.started_by) return null;
      return { title: `${nameOf(data.role)} joined the session`, body: `${subject} is under way.` };
    case "session.ended":
      return { title: "Session ended", body: `${subject} was ended by ${nameOf(booking.session.ended_by)}.` };
    case "session.no_show":
      return { title: "Session missed", body: `${subject} did not take place.` };
    case "escrow.release_scheduled":
      return {
        title: "Payment release scheduled",
        body: `${money(escrow.tutor_amount, escrow.currency)} will be released to ${tutor} on ${utc(escrow.release_at)}.`,
      };
    case "escrow.released":
      return {
        title: "Payment released to tutor",
        body: `${money(escrow.payout_amount ?? escrow.tutor_amount, escrow.currency)} paid out to ${tutor} for ${subject}.`,
      };
    case "escrow.refunded":
      return {
        title: "Payment refunded",
        body: `${money(data.refund?.amount ?? escrow.refunded_amount, escrow.currency)} returned to ${student}.`,
      };
    case "escrow.disputed":
      return {
        title: "Payment disputed",
        body: `The payment for ${subject} is on hold while the dispute is reviewed.`,
      };
    case "escrow.dispute_resolved":
      return { title: "Dispute resolved", body: `The dispute about ${subject} was resolved.` };
    case "rating.submitted":
      return { title: `Lesson rated ${data.rating?.stars ?? "?"}★`, body: `${student} rated ${subject}.` };
    case "booking.canceled":
      return { title: "Lesson canceled", body: `${subject} with ${tutor} was canceled.` };
    default:
      return null;
  }
}

/** The in-memory feed. A real platform keeps both the seen ids and the feed in its database. */
export class NotificationFeed {
  readonly #seen = new Set<string>();
  readonly #items: Notification[] = [];

  /** True the first time a webhook id is offered; false for every redelivery or retry of it. */
  markSeen(webhookId: string): boolean {
    if (this.#seen.has(webhookId)) return false;
    this.#seen.add(webhookId);
    return true;
  }

  /** Processing failed: let the next delivery of this id through. */
  forget(webhookId: string): void {
    this.#seen.delete(webhookId);
  }

  add(notification: Notification): void {
    this.#items.push(notification);
    this.#items.sort((a, b) => b.created_at.localeCompare(a.created_at));
  }

  forUser(userId: string): Notification[] {
    return this.#items.filter((item) => item.user_ids.includes(userId));
  }
}
