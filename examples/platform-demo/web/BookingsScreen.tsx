import type { Booking } from "@lessonkit/sdk";
import { SessionClient } from "@lessonkit/sdk/browser";
import { SessionActionButton, useSessionStatus } from "@lessonkit/ui-react";
import { type FormEvent, useEffect, useState } from "react";
import { api, type BookingRow, lessonkitBaseUrl, type Me, money, when } from "./api";
import type { ActiveSession } from "./SessionScreen";

interface Props {
  me: Me;
  list: { data: BookingRow[] | undefined; error: string | null; reload: () => void };
  clockVersion: number;
  onEnter: (session: ActiveSession) => void;
}

/** The student's and the tutor's list of lessons, each with LessonKit's action button. */
export function BookingsScreen({ me, list, clockVersion, onEnter }: Props) {
  const student = me.user.role === "student";
  return (
    <section aria-labelledby="lessons-title">
      <h1 id="lessons-title">{student ? "My lessons" : "My students' lessons"}</h1>
      {student ? <BookLesson tutorName={me.other.name} onBooked={list.reload} /> : null}
      {list.error ? <p role="alert">Could not load lessons: {list.error}</p> : null}
      {list.data === undefined ? (
        <p className="muted">Loading…</p>
      ) : list.data.length === 0 ? (
        <p className="muted">{student ? "No lessons yet: book one above." : "No lessons booked with you yet."}</p>
      ) : (
        <ul className="bookings">
          {list.data.map((row) => (
            <BookingItem
              key={row.booking.id}
              row={row}
              me={me}
              clockVersion={clockVersion}
              onChanged={list.reload}
              onEnter={onEnter}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function BookLesson({ tutorName, onBooked }: { tutorName: string; onBooked: () => void }) {
  const [subject, setSubject] = useState("Algebra");
  const [startsIn, setStartsIn] = useState(10);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.book(subject, startsIn);
      onBooked();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="book" onSubmit={submit} aria-label="Book a lesson">
      <label>
        Subject
        <input value={subject} onChange={(e) => setSubject(e.target.value)} required maxLength={80} />
      </label>
      <label>
        Starts
        <select value={startsIn} onChange={(e) => setStartsIn(Number(e.target.value))}>
          <option value={10}>in 10 minutes</option>
          <option value={60}>in 1 hour</option>
          <option value={1440}>in 24 hours</option>
        </select>
      </label>
      <span className="muted book__terms">60 min with {tutorName} · $50.00</span>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Booking…" : "Book lesson"}
      </button>
      {error ? <span role="alert">{error}</span> : null}
    </form>
  );
}

const STATUS_LABELS: Record<Booking["status"], string> = {
  pending_payment: "Awaiting payment",
  confirmed: "Confirmed",
  in_progress: "In progress",
  completed: "Completed",
  canceled: "Canceled",
  no_show: "Missed",
};

const ESCROW_LABELS: Partial<Record<Booking["escrow"]["status"], string>> = {
  held: "Payment held in escrow",
  release_scheduled: "Payment release scheduled",
  released: "Payment released to tutor",
  refunded: "Payment refunded",
  disputed: "Payment disputed",
};

function BookingItem(props: {
  row: BookingRow;
  me: Me;
  clockVersion: number;
  onChanged: () => void;
  onEnter: (session: ActiveSession) => void;
}) {
  const { booking, token } = props.row;
  const student = props.me.user.role === "student";
  const withWhom = student
    ? `with ${booking.tutor.name ?? booking.tutor.id}`
    : `with ${booking.student.name ?? booking.student.id}`;
  const { escrow } = booking;
  return (
    <li className="booking" data-booking-id={booking.id} aria-label={`${booking.subject ?? "Lesson"} ${withWhom}`}>
      <div className="booking__main">
        <strong>{booking.subject ?? "Lesson"}</strong> <span>{withWhom}</span>
        <div className="muted booking__when">
          {when(booking.scheduled_start)} · {booking.duration_minutes} min · {money(escrow.amount, escrow.currency)}
        </div>
        <div className="booking__status">
          <span className={`badge badge--${booking.status}`}>{STATUS_LABELS[booking.status]}</span>
          {ESCROW_LABELS[escrow.status] ? <span className="muted"> · {ESCROW_LABELS[escrow.status]}</span> : null}
        </div>
      </div>
      <div className="booking__action">
        {booking.status === "pending_payment" ? (
          student ? (
            <PayButton booking={booking} onPaid={props.onChanged} />
          ) : (
            <span className="muted" role="status">
              Waiting for the student's payment
            </span>
          )
        ) : token ? (
          <LiveSessionAction
            booking={booking}
            token={token.token}
            clockVersion={props.clockVersion}
            onEnter={props.onEnter}
          />
        ) : null}
      </div>
    </li>
  );
}

function PayButton({ booking, onPaid }: { booking: Booking; onPaid: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pay = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.pay(booking.id);
      onPaid();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };
  return (
    <span className="pay">
      <button type="button" className="primary" onClick={pay} disabled={busy}>
        {busy ? "Paying…" : `Pay ${money(booking.escrow.amount, booking.escrow.currency)}`}
      </button>
      <span className="muted pay__note">Sandbox card: no real money moves</span>
      {error ? <span role="alert">{error}</span> : null}
    </span>
  );
}

/** The booking's `SessionActionButton`, on a `SessionClient` holding this user's participant token. */
function LiveSessionAction(props: {
  booking: Booking;
  token: string;
  clockVersion: number;
  onEnter: (session: ActiveSession) => void;
}) {
  // One client per lesson for the page's life: a newer token from the list is handed to it.
  const [client] = useState(() => new SessionClient({ token: props.token, baseUrl: lessonkitBaseUrl }));
  useEffect(() => client.setToken(props.token), [client, props.token]);
  const bookingId = props.booking.id;
  const onTokenExpired = () => api.freshToken(bookingId);
  const { status, update, refetch } = useSessionStatus(client, { intervalMs: 2_000, onTokenExpired });
  // Time travel moved the server's clock: ask again now rather than at the next poll.
  useEffect(() => {
    if (props.clockVersion > 0) refetch().catch(() => {});
  }, [props.clockVersion, refetch]);

  const completed = status?.status === "completed" && status.role === "student";
  const canRate = completed && !status.rating;
  const canReport = completed && (status.escrow.status === "held" || status.escrow.status === "release_scheduled");
  return (
    <>
      <SessionActionButton
        client={client}
        status={status}
        locale="en"
        onTokenExpired={onTokenExpired}
        onStarted={(video, session) => {
          update(session);
          props.onEnter({ booking: props.booking, client, video, status: session });
        }}
      />
      {(canRate || canReport) && status ? (
        <button
          type="button"
          className="primary"
          onClick={() => props.onEnter({ booking: props.booking, client, video: null, status })}
        >
          {canRate ? "Rate lesson" : "Report a problem"}
        </button>
      ) : null}
    </>
  );
}
