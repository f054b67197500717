import { type CSSProperties, useEffect, useRef, useState } from "react";
import type { RefreshableClient, Role, SessionClientLike, SessionStatus, TokenRefresher } from "./client";
import { formatClock, formatDuration, formatMoment } from "./time";
import { useCountdown } from "./useCountdown";
import { useMounted } from "./useMounted";
import { useSessionStatus } from "./useSessionStatus";

/** The clock's thresholds, from the time left to `ends_at`. */
export type TimerState = "normal" | "warning" | "critical" | "overtime";
/** Everything the timer can show: a threshold state, or the session is not under way. */
export type TimerView = TimerState | "loading" | "waiting" | "ended";

export interface SessionTimerMessages {
  /** The visible label in each state, so no state is told by colour alone. */
  label: Record<Exclude<TimerView, "waiting">, string>;
  /** Label while this participant is alone in a running session. */
  waiting: (other: Role) => string;
  /** Under the clock while waiting: the no-show deadline ("at 2:15 PM"). */
  noShowAt: (time: string, other: Role) => string;
  /** Label once the no-show deadline has passed with the other side still absent. */
  absent: (other: Role) => string;
  /** Under the clock in overtime: when the server closes the session by itself. */
  closesAt: (time: string) => string;
  /** Announced once when the remaining time crosses a threshold: "5 minutes remaining". */
  remaining: (duration: string) => string;
  /** Announced once when the scheduled end passes. */
  overtime: string;
  /** Accessible name of the progress bar. */
  progress: string;
}

export const defaultTimerMessages: SessionTimerMessages = {
  label: {
    loading: "Session time",
    normal: "Time left",
    warning: "Ending soon",
    critical: "Last minute",
    overtime: "Overtime",
    ended: "Session ended",
  },
  waiting: (other) => `Waiting for the ${other} to join`,
  noShowAt: (time, other) => `If the ${other} has not joined by ${time}, the lesson counts as missed.`,
  absent: (other) => `The ${other} did not join in time`,
  closesAt: (time) => `The session closes automatically at ${time}.`,
  remaining: (duration) => `${duration} remaining`,
  overtime: "Time is up",
  progress: "Session progress",
};

export interface SessionTimerProps {
  client: Pick<SessionClientLike, "status" | "watch" | "serverOffset"> & RefreshableClient;
  status?: SessionStatus | null;
  initialStatus?: SessionStatus | null;
  /** Seconds left at which the timer turns to `warning` (default 300). */
  warningSeconds?: number;
  /** Seconds left at which the timer turns to `critical` (default 60). */
  criticalSeconds?: number;
  locale?: string;
  /** IANA zone for the deadlines it mentions; the viewer's own by default (filled in after hydration). */
  timeZone?: string;
  /** Formats the deadlines it mentions, to match the rest of your pages ("3:10 PM" by default). */
  formatDate?: (date: Date) => string;
  messages?: Partial<SessionTimerMessages>;
  /** See `SessionActionButton`: return a fresh participant token when the current one expired. */
  onTokenExpired?: TokenRefresher;
  className?: string;
}

export function timerState(secondsLeft: number, warningSeconds: number, criticalSeconds: number): TimerState {
  if (secondsLeft <= 0) return "overtime";
  if (secondsLeft <= criticalSeconds) return "critical";
  if (secondsLeft <= warningSeconds) return "warning";
  return "normal";
}

const SEVERITY: Record<TimerState, number> = { normal: 0, warning: 1, critical: 2, overtime: 3 };

/**
 * The live session's clock: time left to the server's `ends_at` as HH:MM:SS under a visible label
 * ("Time left", "Ending soon", "Last minute", "Overtime"), a progress bar over the scheduled slot,
 * and a state (`data-state`, `lk-timer--<state>`) for themes. While this participant waits alone
 * it says so, with the no-show deadline; in overtime it says when the server closes the session.
 * Crossing a threshold is announced once, politely; a tab asleep through several thresholds
 * announces only the one it wakes up in. After the session ended, the clock stops at `ended_at`.
 */
export function SessionTimer(props: SessionTimerProps) {
  const { client, warningSeconds = 300, criticalSeconds = 60, locale, timeZone } = props;
  const controlled = props.status !== undefined;
  const own = useSessionStatus(client, {
    initialStatus: props.initialStatus,
    enabled: !controlled,
    onTokenExpired: props.onTokenExpired,
  });
  const status = controlled ? props.status : own.status;
  const messages = { ...defaultTimerMessages, ...props.messages };
  const ended = status?.ended_at ?? null;
  const countdown = useCountdown(status && !ended ? status.ends_at : null, {
    serverOffset: client.serverOffset(),
    initialNow: status?.server_time,
  });
  const mounted = useMounted();
  const [announcement, setAnnouncement] = useState("");
  const lastState = useRef<TimerState | null>(null);
  // The latest texts, read when a threshold is crossed (an inline object would re-run the effect every render).
  const latest = useRef({ messages, locale });
  latest.current = { messages, locale };

  let secondsLeft: number | null = countdown.secondsLeft;
  if (status && ended) secondsLeft = Math.ceil((Date.parse(status.ends_at) - Date.parse(ended)) / 1000) || 0;
  const state = secondsLeft === null ? null : timerState(secondsLeft, warningSeconds, criticalSeconds);

  useEffect(() => {
    // Only thresholds crossed while this device's clock drives the timer are announced.
    if (state === null || !countdown.live) return;
    const previous = lastState.current;
    lastState.current = state;
    if (previous === null || SEVERITY[state] <= SEVERITY[previous]) return;
    const { messages: texts, locale: lang } = latest.current;
    setAnnouncement(
      state === "overtime"
        ? texts.overtime
        : texts.remaining(formatDuration(state === "warning" ? warningSeconds : criticalSeconds, lang)),
    );
  }, [state, countdown.live, warningSeconds, criticalSeconds]);

  // Deadlines are shown in the viewer's zone, known only in the browser (unless `timeZone` is given).
  const now = countdown.now ?? (status ? Date.parse(status.server_time) : 0);
  const moment = (iso: string) =>
    !(timeZone || mounted)
      ? ""
      : props.formatDate
        ? props.formatDate(new Date(iso))
        : formatMoment(iso, now, locale, timeZone);

  const other: Role = status?.role === "tutor" ? "student" : "tutor";
  const alone = status?.status === "in_progress" && !status.participants[other].joined_at;
  let view: TimerView = ended ? "ended" : (state ?? "loading");
  let label = "";
  let detail = "";
  let deadline: string | undefined;
  if (alone && !ended && status) {
    const missedBy = now >= Date.parse(status.no_show_at);
    view = "waiting";
    label = missedBy ? messages.absent(other) : messages.waiting(other);
    const time = missedBy ? "" : moment(status.no_show_at);
    if (time) {
      detail = messages.noShowAt(time, other);
      deadline = status.no_show_at;
    }
  } else {
    label = messages.label[view as Exclude<TimerView, "waiting">];
    const time = view === "overtime" && status ? moment(status.auto_complete_at) : "";
    if (time && status) {
      detail = messages.closesAt(time);
      deadline = status.auto_complete_at;
    }
  }

  const durationSeconds = status
    ? Math.max(1, Math.round((Date.parse(status.ends_at) - Date.parse(status.scheduled_start)) / 1000))
    : 1;
  const elapsed = secondsLeft === null ? 0 : Math.min(durationSeconds, Math.max(0, durationSeconds - secondsLeft));
  const percent = Math.round((elapsed / durationSeconds) * 100);
  const display =
    secondsLeft === null
      ? "--:--:--"
      : secondsLeft > 0
        ? formatClock(Math.min(secondsLeft, durationSeconds))
        : `+${formatClock(-secondsLeft)}`;
  const className = ["lk-timer", `lk-timer--${view}`, props.className].filter(Boolean).join(" ");

  return (
    <div className={className} data-state={view}>
      <span className="lk-timer__label">{label}</span>
      <span className="lk-timer__clock" role="timer" aria-atomic="true">
        {display}
      </span>
      <div
        className="lk-timer__progress"
        role="progressbar"
        aria-label={messages.progress}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        style={{ "--lk-timer-progress": `${percent}%` } as CSSProperties}
      >
        <div className="lk-timer__bar" />
      </div>
      {detail ? (
        <time className="lk-timer__detail" dateTime={deadline}>
          {detail}
        </time>
      ) : null}
      <span className="lk-visually-hidden" aria-live="polite">
        {announcement}
      </span>
    </div>
  );
}
