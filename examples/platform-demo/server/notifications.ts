import type { Booking, Escrow, WebhookEvent } from "@lessonkit/sdk";
import type { DemoUser, Side } from "./users";

/** One line of a user's feed, in that user's terms. */
export interface Notification {
  /** The LessonKit event id (= `webhook-id`). */
  id: string;
  type: string;
  title: string;
  /** May hold `{date}`, which the page fills in with `date` in the viewer's own format and zone. */
  body: string;
  date: string | null;
  booking_id: string | null;
  /** When LessonKit emitted the event (the tenant's clock, which the sandbox test clock moves). */
  created_at: string;
}

type Line = { title: string; body: string; date?: string | null };
/** What each side of the booking reads about one event; a side left out hears nothing of it. */
export type Lines = Partial<Record<Side, Line>>;

/** What an event's `data` may hold: the booking, the escrow, or just the booking id. */
interface EventData {
  booking?: Booking;
  escrow?: Escrow;
  booking_id?: string;
  role?: "student" | "tutor";
  rating?: { stars: number };
  join_opens_at?: string;
  refund?: { amount: number };
  no_show?: { side: "student" | "tutor" | "both"; outcome: "release" | "refund" };
}

export function bookingIdOf(event: WebhookEvent): string | null {
  const data = event.data as EventData;
  return data.booking?.id ?? data.escrow?.booking_id ?? data.booking_id ?? null;
}

export function money(amount: number, currency: string): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).format(amount / 100);
}

/**
 * Turns one LessonKit event into what the student and the tutor each read, or nothing. Money is
 * told to the side it belongs to: the student reads about their payment and refund, the tutor
 * about their payout; neither reads the other's. `booking` is the platform's latest copy.
 */
export function describeEvent(event: WebhookEvent, booking: Booking): Lines {
  const data = event.data as EventData;
  const subject = booking.subject ?? "your lesson";
  const tutor = booking.tutor.name ?? "your tutor";
  const student = booking.student.name ?? "your student";
  const escrow = data.escrow ?? data.booking?.escrow ?? booking.escrow;
  const both = (line: Line): Lines => ({ student: line, tutor: line });
  switch (event.type) {
    case "booking.created":
      return {
        student: { title: "Lesson booked", body: `${subject} with ${tutor}, {date}.`, date: booking.scheduled_start },
        tutor: {
          title: "New booking",
          body: `${student} booked ${subject} for {date}.`,
          date: booking.scheduled_start,
        },
      };
    case "escrow.held":
      return {
        student: {
          title: "Payment received",
          body: `Your ${money(escrow.amount, escrow.currency)} for ${subject} is held safely until after the lesson.`,
        },
        tutor: { title: "Lesson confirmed", body: `${student} paid for ${subject}.` },
      };
    case "payment.failed":
      return { student: { title: "Payment failed", body: `Your payment for ${subject} did not go through.` } };
    case "session.join_window_opened": {
      const minutes = Math.round((Date.parse(booking.scheduled_start) - Date.parse(booking.join_opens_at)) / 60_000);
      const line = { title: `${subject} starts in ${minutes} minutes`, body: "You can enter the lesson now." };
      return both(line);
    }
    case "session.started": {
      const by = data.role === "tutor" ? tutor : student;
      return {
        student: {
          title: "Lesson started",
          body: data.role === "student" ? `You started ${subject}.` : `${by} is waiting for you.`,
        },
        tutor: {
          title: "Lesson started",
          body: data.role === "tutor" ? `You started ${subject}.` : `${by} is waiting for you.`,
        },
      };
    }
    case "session.participant_joined":
      // The starter's own "joined" comes with session.started; the other side is told who arrived.
      if (data.role === booking.session.started_by) return {};
      return data.role === "student"
        ? { tutor: { title: `${student} joined`, body: `${subject} is under way.` } }
        : { student: { title: `${tutor} joined`, body: `${subject} is under way.` } };
    case "session.ended":
      return both({ title: "Lesson ended", body: `${subject} is over.` });
    case "session.no_show": {
      const side = data.no_show?.side;
      const missed = side === "student" ? student : side === "tutor" ? tutor : "Nobody";
      return both({ title: "Lesson missed", body: `${missed} did not join ${subject}.` });
    }
    case "escrow.release_scheduled":
      return {
        student: {
          title: "Anything wrong?",
          body: `You can report a problem with ${subject} until {date}.`,
          date: escrow.release_at,
        },
        tutor: {
          title: "Payout scheduled",
          body: `${money(escrow.tutor_amount, escrow.currency)} for ${subject} will be paid to you on {date}.`,
          date: escrow.release_at,
        },
      };
    case "escrow.released":
      return {
        tutor: {
          title: "Payout sent",
          body: `${money(escrow.payout_amount ?? escrow.tutor_amount, escrow.currency)} for ${subject} was paid to you.`,
        },
      };
    case "escrow.refunded": {
      const amount = money(data.refund?.amount ?? escrow.refunded_amount, escrow.currency);
      return {
        student: { title: "Refund issued", body: `${amount} for ${subject} is on its way back to you.` },
        tutor: { title: "Lesson refunded", body: `${student}'s payment for ${subject} was refunded.` },
      };
    }
    case "escrow.disputed":
      return {
        student: {
          title: "Report received",
          body: `We are looking into ${subject}. The payment is on hold meanwhile.`,
        },
        tutor: {
          title: "Problem reported",
          body: `${student} reported a problem with ${subject}. Your payout is on hold while it is reviewed.`,
        },
      };
    case "escrow.dispute_resolved":
      return both({ title: "Report resolved", body: `The report about ${subject} has been resolved.` });
    case "rating.submitted":
      return {
        student: { title: "Thanks for your rating", body: `You rated ${subject} ${data.rating?.stars ?? "?"}★.` },
        tutor: { title: `New rating: ${data.rating?.stars ?? "?"}★`, body: `${student} rated ${subject}.` },
      };
    case "booking.canceled":
      return both({
        title: "Lesson canceled",
        body: `${subject} on {date} was canceled.`,
        date: booking.scheduled_start,
      });
    default:
      return {};
  }
}

interface Entry {
  id: string;
  type: string;
  booking_id: string | null;
  created_at: string;
  /** The booking's participants: a feed is only ever shown to them. */
  user_ids: Record<Side, string>;
  lines: Lines;
}

/** The newest this many items are shown; the feed keeps a few times more. */
export const FEED_LENGTH = 20;
const KEPT = 500;

/** The in-memory feed. A real platform keeps both the seen ids and the feed in its database. */
export class NotificationFeed {
  readonly #seen = new Set<string>();
  #items: Entry[] = [];

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

  add(entry: Entry): void {
    this.#items.push(entry);
    this.#items.sort((a, b) => b.created_at.localeCompare(a.created_at));
    if (this.#items.length > KEPT) this.#items = this.#items.slice(0, KEPT);
  }

  /** The user's newest items, each in the words meant for their side of the booking. */
  forUser(user: Pick<DemoUser, "id" | "role">, limit = FEED_LENGTH): Notification[] {
    const out: Notification[] = [];
    for (const item of this.#items) {
      if (out.length >= limit) break;
      const line = item.user_ids[user.role] === user.id ? item.lines[user.role] : undefined;
      if (!line) continue;
      out.push({
        id: item.id,
        type: item.type,
        title: line.title,
        body: line.body,
        date: line.date ?? null,
        booking_id: item.booking_id,
        created_at: item.created_at,
      });
    }
    return out;
  }
}
