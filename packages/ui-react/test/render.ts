import { act } from "@testing-library/react";
import { vi } from "vitest";

/** Lets pending promises (watch's first report, a resolved start) settle inside act. */
export async function flush() {
  await act(async () => {});
}

/** Moves the fake clock forward by `ms`, firing every timer that falls due on the way. */
export async function advance(ms: number) {
  await act(() => vi.advanceTimersByTimeAsync(ms));
}

/** Moves the fake clock to an absolute local time, firing timers on the way. */
export async function advanceTo(localMs: number) {
  await advance(localMs - Date.now());
}

/**
 * Jumps the fake clock to `localMs` the way a throttled tab lives through it: no timer fires on
 * the way, then the one late timer does. Cheaper than advanceTo over hours.
 */
export async function jumpTo(localMs: number) {
  vi.setSystemTime(localMs - 1_000);
  await advance(1_000);
}
