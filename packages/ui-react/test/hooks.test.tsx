// @vitest-environment jsdom
import { act, cleanup, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useCountdown, useJoinWindow, useSessionStatus } from "../src";
import { FakeSessionClient, live, MINUTE, makeStatus, OPENS, START } from "./fixtures";
import { flush } from "./render";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("useCountdown", () => {
  it("renders nothing clock-dependent before mount unless given initialNow, then reads the corrected clock", () => {
    vi.setSystemTime(START - 10_000);
    let first: unknown;
    const { result } = renderHook(() => {
      const value = useCountdown(START, { serverOffset: 4_000 });
      first ??= value;
      return value;
    });
    expect(first).toEqual({ secondsLeft: null, now: null, live: false });
    expect(result.current).toEqual({ secondsLeft: 6, now: START - 6_000, live: true });

    const ssr = renderHook(() => useCountdown(START, { initialNow: new Date(START - 60_000).toISOString() }));
    expect(ssr.result.current.live).toBe(true); // effects ran; the SSR value was only the first render
  });

  it("re-syncs immediately when the tab becomes visible again", () => {
    vi.setSystemTime(START - 100_000);
    const { result } = renderHook(() => useCountdown(START));
    expect(result.current.secondsLeft).toBe(100);
    vi.setSystemTime(START - 40_000); // asleep: no timer ran
    expect(result.current.secondsLeft).toBe(100);
    act(() => {
      document.dispatchEvent(new Event("visibilitychange"));
    });
    expect(result.current.secondsLeft).toBe(40);
  });
});

describe("useJoinWindow", () => {
  it("moves upcoming → open at join_opens_at and live → closed at ends_at; settled states come from the server", () => {
    vi.setSystemTime(OPENS - 1);
    const { result, rerender } = renderHook(({ status }) => useJoinWindow(status), {
      initialProps: { status: makeStatus({}, OPENS - 1) },
    });
    expect(result.current).toEqual({ state: "upcoming", secondsUntilOpen: 1, action: null });
    act(() => vi.advanceTimersByTime(1));
    expect(result.current).toEqual({ state: "open", secondsUntilOpen: null, action: "start" });

    rerender({ status: live(START + 5 * MINUTE) });
    expect(result.current.action).toBe("join");
    rerender({ status: makeStatus({ status: "canceled", phase: "canceled" }) });
    expect(result.current).toEqual({ state: "canceled", secondsUntilOpen: null, action: null });
    rerender({ status: makeStatus({ phase: "no_show" }, OPENS + 20 * MINUTE) });
    expect(result.current.state).toBe("closed"); // past the server's no-show deadline
  });
});

describe("useSessionStatus", () => {
  it("follows watch, keeps the last good status on a failed refetch, and stops watching on unmount", async () => {
    const client = new FakeSessionClient(makeStatus());
    const { result, unmount } = renderHook(() => useSessionStatus(client));
    expect(result.current.loading).toBe(true);
    await flush();
    expect(result.current.status?.phase).toBe("upcoming");
    expect(result.current.loading).toBe(false);

    act(() => client.push(live(START)));
    expect(result.current.status?.status).toBe("in_progress");

    client.status = async () => {
      throw new Error("offline");
    };
    await act(async () => {
      await expect(result.current.refetch()).rejects.toThrow("offline");
    });
    expect((result.current.error as Error).message).toBe("offline");
    expect(result.current.status?.status).toBe("in_progress");

    expect(client.listeners.size).toBe(1);
    unmount();
    expect(client.listeners.size).toBe(0);
  });

  it("does not fetch at all when disabled (a parent owns the status)", async () => {
    const client = new FakeSessionClient(makeStatus());
    renderHook(() => useSessionStatus(client, { enabled: false }));
    await flush();
    expect(client.calls).toEqual([]);
  });
});
