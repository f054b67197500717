import { type CSSProperties, useEffect, useRef, useState } from "react";
import type { SessionClientLike, SessionStatus } from "./client";
import { formatClock, formatDuration } from "./time";
import { useCountdown } from "./useCountdown";
import { useSessionStatus } from "./useSessionStatus";

export type TimerState = "normal" | "warning" | "critical" | "overtime";

export interface SessionTimerMessages {
  /** Announced once when the remaining time crosses a threshold: "5 minutes remaining". */
  remaining: (duration: string) => string;
  /** Announced once when the scheduled end passes. */
  overtime: string;
  /** Accessible name of the progress bar. */
  progress: string;
}

export const defaultTimerMessages: SessionTimerMessages = {
  remaining: (duration) => `${duration} remaining`,
  overtime: "Time is up",
  progress: "Session progress",
};

export interface SessionTimerProps {
  client: Pick<SessionClientLike, "status" | "watch" | "serverOffset">;
  status?: SessionStatus | null;
  initialStatus?: SessionStatus | null;
  /** Seconds left at which the timer turns to `warning` (default 300). */
  warningSeconds?: number;
  /** Seconds left at which the timer turns to `critical` (default 60). */
  criticalSeconds?: number;
  locale?: string;
  messages?: Partial<SessionTimerMessages>;
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
 * The live session's clock: time left to the server's `ends_at` as HH:MM:SS, a progress bar over
 * the scheduled slot, and a state (`data-state` and a `lk-timer--<state>` class) that themes can
 * colour. Crossing a threshold is announced once, politely; a tab that was asleep through several
 * thresholds announces only the one it wakes up in. After the session ended, the clock stops at `ended_at`.
 */
export function SessionTimer(props: SessionTimerProps) {
  const { client, warningSeconds = 300, criticalSeconds = 60, locale } = props;
  const controlled = props.status !== undefined;
  const own = useSessionStatus(client, { initialStatus: props.initialStatus, enabled: !controlled });
  const status = controlled ? props.status : own.status;
  const messages = { ...defaultTimerMessages, ...props.messages };
  const ended = status?.ended_at ?? null;
  const countdown = useCountdown(status && !ended ? status.ends_at : null, {
    serverOffset: client.serverOffset(),
    initialNow: status?.server_time,
  });
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
  const className = ["lk-timer", state && `lk-timer--${state}`, props.className].filter(Boolean).join(" ");

  return (
    <div className={className} data-state={state ?? "loading"}>
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
      <span className="lk-visually-hidden" aria-live="polite">
        {announcement}
      </span>
    </div>
  );
}
