import type { SessionStatus } from "./client";
import { useCountdown } from "./useCountdown";

export type JoinWindowState =
  /** No status yet. */
  | "loading"
  /** Booked but not paid: nothing to start. */
  | "unpaid"
  /** Before `join_opens_at`: count down. */
  | "upcoming"
  /** The window is open and nobody has started: this participant may start. */
  | "open"
  /** Running: this participant may join (or rejoin). */
  | "live"
  /** The slot is over but the server has not settled it yet (nobody can enter any more). */
  | "closed"
  | "ended"
  | "canceled"
  | "no_show";

export interface JoinWindow {
  state: JoinWindowState;
  /** Whole seconds until the window opens (while `upcoming`), else null. */
  secondsUntilOpen: number | null;
  /** What a click should call on the client, if anything. */
  action: "start" | "join" | null;
}

export interface JoinWindowOptions {
  serverOffset?: number;
}

/**
 * Where the session stands for entering it, moving from `upcoming` to `open` exactly at
 * `join_opens_at` on the server's clock (this device's clock corrected by `serverOffset`) and to
 * `closed` at `ends_at`, without waiting for the next status poll. Everything else comes from the
 * server's status, which is the authority on start, end, cancellation and no-shows.
 */
export function useJoinWindow(status: SessionStatus | null | undefined, options: JoinWindowOptions = {}): JoinWindow {
  const settled = status ? settledState(status) : "loading";
  const counting = settled === null;
  // One countdown to the opening; it keeps ticking once a second afterwards, and its `now` also
  // decides the closing (ends_at is on the same second grid as join_opens_at).
  const opens = useCountdown(counting && status ? status.join_opens_at : null, {
    serverOffset: options.serverOffset,
    initialNow: status?.server_time,
  });
  if (!counting || !status) return { state: settled ?? "loading", secondsUntilOpen: null, action: null };
  if (opens.secondsLeft === null || opens.now === null)
    return { state: "loading", secondsUntilOpen: null, action: null };

  if (opens.now >= Date.parse(status.ends_at)) return { state: "closed", secondsUntilOpen: null, action: null };
  if (status.status === "in_progress") return { state: "live", secondsUntilOpen: null, action: "join" };
  if (opens.secondsLeft > 0) return { state: "upcoming", secondsUntilOpen: opens.secondsLeft, action: null };
  // The server says when the time to start has passed (its no-show deadline is policy we do not see).
  if (status.phase === "no_show") return { state: "closed", secondsUntilOpen: null, action: null };
  return { state: "open", secondsUntilOpen: null, action: "start" };
}

function settledState(status: SessionStatus): JoinWindowState | null {
  switch (status.status) {
    case "pending_payment":
      return "unpaid";
    case "completed":
      return "ended";
    case "canceled":
      return "canceled";
    case "no_show":
      return "no_show";
    default:
      return null;
  }
}
