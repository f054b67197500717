import { useState } from "react";
import type { SessionClientLike, SessionStatus, SessionWithVideo, VideoCredentials } from "./client";
import { formatStartsIn } from "./time";
import { type JoinWindowState, useJoinWindow } from "./useJoinWindow";
import { useSessionStatus } from "./useSessionStatus";

export interface SessionActionLabels {
  start: string;
  join: string;
  starting: string;
  joining: string;
  unpaid: string;
  closed: string;
  ended: string;
  canceled: string;
  no_show: string;
  /** Text before the window opens; defaults to `formatStartsIn` ("In 2 hours 30 minutes"). */
  startsIn?: (seconds: number, locale: string | undefined) => string;
}

export const defaultActionLabels: SessionActionLabels = {
  start: "Start session",
  join: "Join session",
  starting: "Starting…",
  joining: "Joining…",
  unpaid: "Awaiting payment",
  closed: "Session closed",
  ended: "Session ended",
  canceled: "Session canceled",
  no_show: "Session missed",
};

export interface SessionActionButtonProps {
  client: Pick<SessionClientLike, "status" | "watch" | "start" | "join" | "serverOffset">;
  /** Controlled status (e.g. from your own `useSessionStatus`); otherwise the button fetches and watches it. */
  status?: SessionStatus | null;
  /** First status to render before the client has answered (server rendering). */
  initialStatus?: SessionStatus | null;
  /** BCP 47 locale for the countdown (`Intl.RelativeTimeFormat`); the browser's by default. */
  locale?: string;
  labels?: Partial<SessionActionLabels>;
  /** Called with this participant's video credentials once start or join succeeds. */
  onStarted?: (video: VideoCredentials, session: SessionWithVideo) => void;
  onError?: (error: unknown) => void;
  /** Render nothing once the session is over, canceled or missed (default: a disabled button saying so). */
  hideWhenInactive?: boolean;
  className?: string;
}

const INACTIVE: JoinWindowState[] = ["unpaid", "closed", "ended", "canceled", "no_show"];

/**
 * The booking list's and the lesson page's one button: a countdown until the join window opens,
 * then "Start session" (tutor) or "Join session" (student), then disabled or hidden.
 * Entering calls `start` until the session runs and `join` after (the server treats a start on a
 * running session as a join, so a race between both sides is harmless).
 */
export function SessionActionButton(props: SessionActionButtonProps) {
  const { client, locale, onStarted, onError, hideWhenInactive = false } = props;
  const controlled = props.status !== undefined;
  const own = useSessionStatus(client, { initialStatus: props.initialStatus, enabled: !controlled });
  const status = controlled ? props.status : own.status;
  const entry = useJoinWindow(status, { serverOffset: client.serverOffset() });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const labels = { ...defaultActionLabels, ...props.labels };
  const className = ["lk-action", props.className].filter(Boolean).join(" ");

  if (entry.state === "loading") {
    return <span className={className} data-state="loading" aria-busy="true" />;
  }
  if (entry.state === "upcoming" && entry.secondsUntilOpen !== null) {
    const text = (labels.startsIn ?? formatStartsIn)(entry.secondsUntilOpen, locale);
    return (
      <span className={className} data-state="upcoming">
        <time className="lk-action__countdown" dateTime={status?.join_opens_at}>
          {text}
        </time>
      </span>
    );
  }
  if (INACTIVE.includes(entry.state)) {
    if (hideWhenInactive) return null;
    return (
      <span className={className} data-state={entry.state}>
        <button type="button" className="lk-action__button" disabled>
          {labels[entry.state as Exclude<JoinWindowState, "loading" | "upcoming" | "open" | "live">]}
        </button>
      </span>
    );
  }

  const action = entry.action ?? "start";
  const joining = action === "join" || status?.role === "student";
  const enter = async () => {
    setBusy(true);
    setError(null);
    try {
      const session = action === "join" ? await client.join() : await client.start();
      if (!controlled) own.update(session);
      onStarted?.(session.video, session);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      onError?.(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className={className} data-state={busy ? "busy" : error ? "error" : entry.state}>
      <button type="button" className="lk-action__button" onClick={enter} disabled={busy} aria-busy={busy}>
        {busy ? (joining ? labels.joining : labels.starting) : joining ? labels.join : labels.start}
      </button>
      {error ? (
        <span className="lk-action__error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}
