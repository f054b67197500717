import { useEffect, useState } from "react";
import { type Instant, msToNextSecond, secondsUntil, toMillis } from "./time";

export interface CountdownOptions {
  /** Milliseconds the server's clock is ahead of this one (`client.serverOffset()`). */
  serverOffset?: number;
  /**
   * The instant to count from on the first render, typically the status's `server_time`. It makes
   * server rendering and hydration deterministic; without it the first render has `secondsLeft: null`.
   */
  initialNow?: Instant | null;
}

export interface Countdown {
  /** Whole seconds until the target, rounded up: 0 from the target on, negative after it. */
  secondsLeft: number | null;
  /** The server-corrected time the value was computed at (ms since the epoch). */
  now: number | null;
  /** False until the hook has read this device's clock (always false during server rendering). */
  live: boolean;
}

type State = Countdown & { target: number | null };

const IDLE: State = { secondsLeft: null, now: null, live: false, target: null };

function initialState(target: number | null, initialNow: Instant | null | undefined): State {
  if (target === null || initialNow == null) return { ...IDLE, target };
  const now = toMillis(initialNow);
  return { secondsLeft: secondsUntil(target, now), now, live: false, target };
}

/**
 * Time left until `target`, on the server's clock. The value is always recomputed from the
 * absolute target and `Date.now() + serverOffset`, never by counting ticks, so a throttled
 * background tab is exact again on its next timer or as soon as it becomes visible. The next
 * update is scheduled for the moment the whole-second value changes: at most one render a second.
 */
export function useCountdown(target: Instant | null | undefined, options: CountdownOptions = {}): Countdown {
  const parsed = target == null ? Number.NaN : toMillis(target);
  const targetMs = Number.isNaN(parsed) ? null : parsed;
  const offset = options.serverOffset ?? 0;
  const [state, setState] = useState<State>(() => initialState(targetMs, options.initialNow));

  useEffect(() => {
    if (targetMs === null) {
      setState(IDLE);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const sync = () => {
      clearTimeout(timer);
      const now = Date.now() + offset;
      const secondsLeft = secondsUntil(targetMs, now);
      setState((prev) =>
        prev.live && prev.target === targetMs && prev.secondsLeft === secondsLeft
          ? prev
          : { secondsLeft, now, live: true, target: targetMs },
      );
      timer = setTimeout(sync, msToNextSecond(targetMs, now));
    };
    const onVisibility = () => {
      if (document.visibilityState === "visible") sync();
    };
    sync();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [targetMs, offset]);

  // A new target renders from the old state until the effect runs; never show a stale target's value.
  if (state.target !== targetMs) return initialState(targetMs, options.initialNow);
  return { secondsLeft: state.secondsLeft, now: state.now, live: state.live };
}
