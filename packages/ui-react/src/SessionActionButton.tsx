import { useRef, useState } from "react";
import {
  isTokenExpired,
  type RefreshableClient,
  type SessionClientLike,
  type SessionStatus,
  type SessionWithVideo,
  type TokenRefresher,
  type VideoCredentials,
} from "./client";
import { formatRelativeIn } from "./time";
import { type JoinWindowState, useJoinWindow } from "./useJoinWindow";
import { renewToken, useSessionStatus } from "./useSessionStatus";

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
  /** The token expired and no fresh one came. */
  expired: string;
  /** The status could not be loaded at all. */
  unavailable: string;
  /** Before the window opens, around the locale's relative time ("in 5 minutes"): "Join opens in 5 minutes". */
  opensIn: (relative: string) => string;
  /** Replaces the whole countdown text when given (seconds until the window opens). */
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
  expired: "Your session link expired. Reload the page.",
  unavailable: "Session status unavailable",
  opensIn: (relative) => `Join opens ${relative}`,
};

export interface SessionActionButtonProps {
  client: Pick<SessionClientLike, "status" | "watch" | "start" | "join" | "serverOffset"> & RefreshableClient;
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
  /**
   * The participant token expired: return a fresh one (from your backend). The button gives it to
   * `client.setToken`, resumes polling and retries a start or join that the expiry interrupted.
   */
  onTokenExpired?: TokenRefresher;
  /** Render nothing once the session is over, canceled or missed (default: a status saying so). */
  hideWhenInactive?: boolean;
  className?: string;
}

type Finished = Exclude<JoinWindowState, "loading" | "upcoming" | "open" | "live">;
const FINISHED: JoinWindowState[] = ["unpaid", "closed", "ended", "canceled", "no_show"];

/**
 * The booking list's and the lesson page's one action: a countdown to the join window, then
 * "Start session" (tutor) or "Join session" (student), then a status saying how it ended.
 * Entering calls `start` until the session runs and `join` after (the server treats a start on a
 * running session as a join, so a race between both sides is harmless).
 */
export function SessionActionButton(props: SessionActionButtonProps) {
  const { client, locale, onStarted, onError, onTokenExpired, hideWhenInactive = false } = props;
  const controlled = props.status !== undefined;
  const own = useSessionStatus(client, { initialStatus: props.initialStatus, enabled: !controlled, onTokenExpired });
  const status = controlled ? props.status : own.status;
  const entry = useJoinWindow(status, { serverOffset: client.serverOffset() });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const lastToken = useRef<string | null>(null);
  const labels = { ...defaultActionLabels, ...props.labels };
  const className = ["lk-action", props.className].filter(Boolean).join(" ");
  const note = (state: string, text: string) => (
    <span className={className} data-state={state}>
      <span className="lk-action__status" role="status">
        {text}
      </span>
    </span>
  );

  if (!controlled && own.expired) return note("expired", labels.expired);
  if (entry.state === "loading") {
    if (!controlled && own.error) return note("unavailable", labels.unavailable);
    return <span className={className} data-state="loading" aria-busy="true" />;
  }
  if (entry.state === "upcoming" && entry.secondsUntilOpen !== null) {
    const seconds = entry.secondsUntilOpen;
    const text = labels.startsIn ? labels.startsIn(seconds, locale) : labels.opensIn(formatRelativeIn(seconds, locale));
    return (
      <span className={className} data-state="upcoming">
        <time className="lk-action__countdown" dateTime={status?.join_opens_at}>
          {text}
        </time>
      </span>
    );
  }
  if (FINISHED.includes(entry.state)) {
    if (hideWhenInactive) return null;
    return note(entry.state, labels[entry.state as Finished]);
  }

  const action = entry.action ?? "start";
  const joining = action === "join" || status?.role === "student";
  const call = () => (action === "join" ? client.join() : client.start());
  const enter = async () => {
    setBusy(true);
    setError(null);
    try {
      let session: SessionWithVideo;
      try {
        session = await call();
      } catch (err) {
        // An expired token is not the participant's problem: renew it and try once more.
        if (!isTokenExpired(err) || !(await renewToken(client, onTokenExpired, err, lastToken))) throw err;
        session = await call();
      }
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
