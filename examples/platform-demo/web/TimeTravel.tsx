import { type FormEvent, useEffect, useState } from "react";
import { api, type BookingRow, when } from "./api";

const STEPS = [
  { seconds: 60, label: "+1 min" },
  { seconds: 5 * 60, label: "+5 min" },
  { seconds: 3600, label: "+1 h" },
  { seconds: 24 * 3600, label: "+24 h" },
];

/**
 * Sandbox tenants only: moves LessonKit's test clock for this tenant (forward only) and runs the
 * work that fell due. Small steps, or a jump to any moment of a lesson: the join window, the
 * start, the no-show deadline, a minute before the end, the automatic close, the payout.
 */
export function TimeTravel(props: { tenantNow: string; rows: BookingRow[]; onAdvanced: () => void }) {
  const { tenantNow, rows, onAdvanced } = props;
  const [offset, setOffset] = useState(() => Date.parse(tenantNow) - Date.now());
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [lessonId, setLessonId] = useState<string>("");
  const [target, setTarget] = useState<string>("");
  useEffect(() => setOffset(Date.parse(tenantNow) - Date.now()), [tenantNow]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);

  const tenant = now + offset;
  const lessons = rows.filter((row) => row.moments.some((m) => Date.parse(m.at) > tenant));
  const lesson = lessons.find((row) => row.booking.id === lessonId) ?? lessons[0];
  const moments = lesson?.moments ?? [];
  const firstAhead = moments.find((m) => Date.parse(m.at) > tenant)?.at ?? "";
  const chosen = moments.some((m) => m.at === target && Date.parse(m.at) > tenant) ? target : firstAhead;

  const move = async (go: () => Promise<{ now: string }>) => {
    setBusy(true);
    setError(null);
    try {
      const clock = await go();
      setOffset(Date.parse(clock.now) - Date.now());
      onAdvanced();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const jump = (event: FormEvent) => {
    event.preventDefault();
    if (chosen) void move(() => api.jumpClock(chosen));
  };

  return (
    <section className="timetravel" aria-labelledby="timetravel-title">
      <div className="timetravel__now">
        <span id="timetravel-title" className="timetravel__title">
          Sandbox clock
        </span>
        <time dateTime={new Date(tenant).toISOString()}>{when(new Date(tenant))}</time>
      </div>
      <fieldset className="timetravel__steps" disabled={busy} aria-label="Move the clock forward">
        {STEPS.map((step) => (
          <button key={step.seconds} type="button" onClick={() => move(() => api.advanceClock(step.seconds))}>
            {step.label}
          </button>
        ))}
      </fieldset>
      {lesson ? (
        <form className="timetravel__jump" onSubmit={jump} aria-label="Jump to a moment of a lesson">
          {lessons.length > 1 ? (
            <label>
              Lesson
              <select value={lesson.booking.id} onChange={(e) => setLessonId(e.target.value)} disabled={busy}>
                {lessons.map((row) => (
                  <option key={row.booking.id} value={row.booking.id}>
                    {row.booking.subject ?? "Lesson"} · {when(row.booking.scheduled_start)}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <label>
            Jump to
            <select value={chosen} onChange={(e) => setTarget(e.target.value)} disabled={busy}>
              {moments.map((m) => (
                <option key={m.label} value={m.at} disabled={Date.parse(m.at) <= tenant}>
                  {m.label} · {when(m.at)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy || !chosen}>
            Jump
          </button>
        </form>
      ) : null}
      {error ? (
        <span className="timetravel__error" role="alert">
          {error}
        </span>
      ) : null}
    </section>
  );
}
