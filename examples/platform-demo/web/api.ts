// The front end talks only to the demo backend: `/api/*` for the platform's own data and
// `/lessonkit/*` (forwarded to LessonKit) for the participant's session calls.
import type { Booking, TutorBalance } from "@lessonkit/sdk";

export type Role = "student" | "tutor";

export interface Person {
  id: string;
  name: string;
  role: Role;
}

export interface Me {
  user: Person;
  other: Person;
  sandbox: boolean;
  agora_enabled: boolean;
  tenant_now: string;
  clock_offset_seconds: number;
}

/** A moment of a lesson the sandbox clock can jump to. */
export interface Moment {
  label: string;
  at: string;
}

export interface BookingRow {
  booking: Booking;
  /** A participant token for this user's side of the booking, once it is paid. */
  token: { token: string; expires_at: string } | null;
  moments: Moment[];
}

export interface Notification {
  id: string;
  type: string;
  title: string;
  /** May hold `{date}`: `date`, in this page's date format. */
  body: string;
  date: string | null;
  booking_id: string | null;
  created_at: string;
}

/** The demo's sign-in: `?as=student` or `?as=tutor` in the page address. */
export const signedInAs = ((): Role | null => {
  const as = new URLSearchParams(window.location.search).get("as");
  return as === "student" || as === "tutor" ? as : null;
})();

/** Where the browser's `SessionClient` sends its calls (the backend forwards them to LessonKit). */
export const lessonkitBaseUrl = `${window.location.origin}/lessonkit`;

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: { "x-demo-user": signedInAs ?? "", ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new Error(data.error ?? `${response.status} ${response.statusText}`);
  return data;
}

export const api = {
  me: () => call<Me>("GET", "/api/me"),
  bookings: () => call<{ bookings: BookingRow[] }>("GET", "/api/bookings").then((r) => r.bookings),
  book: (subject: string, startsInMinutes: number) =>
    call<{ booking: Booking }>("POST", "/api/bookings", { subject, starts_in_minutes: startsInMinutes }),
  pay: (bookingId: string) => call<{ booking: Booking }>("POST", `/api/bookings/${encodeURIComponent(bookingId)}/pay`),
  notifications: () =>
    call<{ notifications: Notification[] }>("GET", "/api/notifications").then((r) => r.notifications),
  balance: () => call<TutorBalance>("GET", "/api/balance"),
  advanceClock: (seconds: number) =>
    call<{ now: string; offset_seconds: number }>("POST", "/api/sandbox/clock", { advance_seconds: seconds }),
  jumpClock: (to: string) => call<{ now: string; offset_seconds: number }>("POST", "/api/sandbox/clock", { to }),
  /** A fresh participant token, for a page whose token ran out. */
  freshToken: (bookingId: string) =>
    call<{ token: string }>("POST", `/api/bookings/${encodeURIComponent(bookingId)}/token`).then((r) => r.token),
};

export function money(amount: number, currency: string): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).format(amount / 100);
}

const DATE_FORMAT = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
});

/** The page's one date format ("Mon, Nov 30, 2:05 PM"), in the viewer's zone; LessonKit's components use it too. */
export function when(value: string | Date): string {
  return DATE_FORMAT.format(typeof value === "string" ? new Date(value) : value);
}

/** A notification's text with its `{date}` written in the page's format. */
export function notificationText(item: Pick<Notification, "body" | "date">): string {
  return item.date ? item.body.replace("{date}", when(item.date)) : item.body;
}
