// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { Profiler } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SessionActionButton } from "../src";
import {
  completed,
  deferred,
  END,
  FakeSessionClient,
  HOUR,
  live,
  MINUTE,
  makeStatus,
  OPENS,
  tokenExpired,
  withVideo,
} from "./fixtures";
import { advance, advanceTo, flush, jumpTo } from "./render";

/** The server's clock runs 30 s ahead of this device's: every boundary is on the server's clock. */
const OFFSET = 30_000;
const local = (serverMs: number) => serverMs - OFFSET;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

async function mount(status = makeStatus(), props: Partial<Parameters<typeof SessionActionButton>[0]> = {}) {
  const client = new FakeSessionClient(status, OFFSET);
  const view = render(<SessionActionButton client={client} {...props} />);
  await flush();
  return { client, ...view };
}

describe("before the join window", () => {
  it("counts down in hours and minutes, then minutes, then seconds, and opens exactly at join_opens_at", async () => {
    vi.setSystemTime(local(OPENS - 2 * HOUR - 30 * MINUTE));
    const { container } = await mount();
    expect(container.textContent).toBe("Join opens in 2 hours 30 minutes");
    expect(screen.queryByRole("button")).toBeNull();

    await advanceTo(local(OPENS - 2 * HOUR - 29 * MINUTE - 59_000));
    expect(container.textContent).toBe("Join opens in 2 hours 30 minutes"); // minutes round up
    await jumpTo(local(OPENS - 2 * HOUR));
    expect(container.textContent).toBe("Join opens in 2 hours");
    await jumpTo(local(OPENS - 5 * MINUTE));
    expect(container.textContent).toBe("Join opens in 5 minutes");
    await jumpTo(local(OPENS - 60_000));
    expect(container.textContent).toBe("Join opens in 1 minute");
    await advance(1_000);
    expect(container.textContent).toBe("Join opens in 59 seconds");

    await advanceTo(local(OPENS) - 1);
    expect(container.textContent).toBe("Join opens in 1 second");
    expect(screen.queryByRole("button")).toBeNull();

    await advance(1);
    expect(screen.getByRole("button", { name: "Start session" })).toBeTruthy();
  });

  it("follows the server's clock, not this device's", async () => {
    // Local clock says the window opened 10 s ago; the server (30 s ahead) agrees only if corrected.
    const client = new FakeSessionClient(makeStatus(), -OFFSET);
    vi.setSystemTime(OPENS + 10_000);
    render(<SessionActionButton client={client} />);
    await flush();
    expect(screen.getByText("Join opens in 20 seconds")).toBeTruthy();
  });

  it("localises the countdown with the locale prop", async () => {
    vi.setSystemTime(local(OPENS - 2 * HOUR - 30 * MINUTE));
    const labels = { opensIn: (relative: string) => `Beitritt möglich ${relative}` };
    const { container } = await mount(makeStatus(), { locale: "de", labels });
    expect(container.textContent).toBe("Beitritt möglich in 2 Stunden 30 Minuten");
    await jumpTo(local(OPENS - 5 * MINUTE));
    expect(container.textContent).toBe("Beitritt möglich in 5 Minuten");
    // `startsIn` replaces the whole text.
    const { container: own } = await mount(makeStatus(), { locale: "de", labels: { startsIn: (s) => `${s} s` } });
    expect(own.textContent).toBe("300 s");
  });

  it("renders at most once a second while counting", async () => {
    vi.setSystemTime(local(OPENS - HOUR) + 400);
    const client = new FakeSessionClient(makeStatus(), OFFSET);
    let commits = 0;
    render(
      <Profiler id="button" onRender={() => commits++}>
        <SessionActionButton client={client} />
      </Profiler>,
    );
    await flush();
    const before = commits;
    // Small steps, each its own act(), so React may commit as often as the hook asks it to.
    for (let i = 0; i < 100; i++) await advance(100);
    expect(commits - before).toBeLessThanOrEqual(10);
    expect(commits - before).toBeGreaterThanOrEqual(9);
  });
});

describe("inside the window", () => {
  it("tutor: Start session calls start, shows busy, hands the video credentials to onStarted", async () => {
    vi.setSystemTime(local(OPENS + MINUTE));
    const onStarted = vi.fn();
    const { client } = await mount(makeStatus({}, OPENS + MINUTE), { onStarted });
    const pending = deferred<ReturnType<typeof withVideo>>();
    client.nextEnter = () => pending.promise;

    fireEvent.click(screen.getByRole("button", { name: "Start session" }));
    const busy = screen.getByRole("button", { name: "Starting…" }) as HTMLButtonElement;
    expect(busy.disabled).toBe(true);
    expect(busy.getAttribute("aria-busy")).toBe("true");
    expect(client.calls).toContain("start");

    const session = withVideo(live(OPENS + MINUTE));
    pending.resolve(session);
    await flush();
    expect(onStarted).toHaveBeenCalledWith(session.video, session);
    // Now running: the same button rejoins.
    expect(screen.getByRole("button", { name: "Join session" })).toBeTruthy();
  });

  it("student: Join session starts a session nobody started yet, and joins a running one", async () => {
    vi.setSystemTime(local(OPENS));
    const { client } = await mount(makeStatus({ role: "student" }, OPENS));
    fireEvent.click(screen.getByRole("button", { name: "Join session" }));
    expect(screen.getByRole("button", { name: "Joining…" })).toBeTruthy();
    await flush();
    expect(client.calls.filter((c) => c === "start" || c === "join")).toEqual(["start"]);

    fireEvent.click(screen.getByRole("button", { name: "Join session" }));
    await flush();
    expect(client.calls.filter((c) => c === "start" || c === "join")).toEqual(["start", "join"]);
  });

  it("shows the error and lets the participant retry", async () => {
    vi.setSystemTime(local(OPENS));
    const onError = vi.fn();
    const { client } = await mount(makeStatus({}, OPENS), { onError });
    client.nextEnter = async () => {
      throw new Error("The session can be started from 13:55");
    };
    fireEvent.click(screen.getByRole("button", { name: "Start session" }));
    await flush();
    expect(screen.getByRole("alert").textContent).toBe("The session can be started from 13:55");
    expect(onError).toHaveBeenCalledOnce();
    const retry = screen.getByRole("button", { name: "Start session" }) as HTMLButtonElement;
    expect(retry.disabled).toBe(false);

    client.nextEnter = null;
    fireEvent.click(retry);
    await flush();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.getByRole("button", { name: "Join session" })).toBeTruthy();
  });

  it("follows live updates from watch: started elsewhere → Join session; ended → a status, no button", async () => {
    vi.setSystemTime(local(OPENS));
    const { client } = await mount(makeStatus({}, OPENS));
    expect(screen.getByRole("button", { name: "Start session" })).toBeTruthy();
    await act(() => client.push(live(OPENS + 10_000)));
    expect(screen.getByRole("button", { name: "Join session" })).toBeTruthy();
    await act(() => client.push(completed()));
    expect(screen.getByRole("status").textContent).toBe("Session ended");
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("closes exactly at the scheduled end, without waiting for the server", async () => {
    vi.setSystemTime(local(END) - 1);
    await mount(live(END - 1));
    expect(screen.getByRole("button", { name: "Join session" })).toBeTruthy();
    await advance(1);
    expect(screen.getByRole("status").textContent).toBe("Session closed");
    expect(screen.queryByRole("button")).toBeNull();
  });
});

describe("after the session", () => {
  it.each([
    ["ended", completed(), "Session ended"],
    ["canceled", makeStatus({ status: "canceled", phase: "canceled" }), "Session canceled"],
    ["no-show", makeStatus({ status: "no_show", phase: "no_show", no_show_side: "tutor" }), "Session missed"],
    ["unpaid", makeStatus({ status: "pending_payment" }), "Awaiting payment"],
  ])("%s: a status saying so, not a button", async (_name, status, label) => {
    vi.setSystemTime(local(OPENS));
    const { client, container } = await mount(status);
    expect(screen.getByRole("status").textContent).toBe(label);
    expect(screen.queryByRole("button")).toBeNull();
    fireEvent.click(container.querySelector(".lk-action") as HTMLElement);
    await flush();
    expect(client.calls).not.toContain("start");
    expect(client.calls).not.toContain("join");
  });

  it("hideWhenInactive renders nothing once the session is over", async () => {
    vi.setSystemTime(local(END + HOUR));
    const { container } = await mount(completed(), { hideWhenInactive: true });
    expect(container.innerHTML).toBe("");
  });
});

describe("an expired participant token", () => {
  it("stops polling, asks onTokenExpired for a fresh token, hands it to the client and watches again", async () => {
    vi.setSystemTime(local(OPENS - HOUR));
    const onTokenExpired = vi.fn(async (_error: unknown) => "lk_pt_fresh");
    const { client } = await mount(makeStatus(), { onTokenExpired });
    expect(client.calls.filter((c) => c === "watch")).toHaveLength(1);

    await act(async () => client.fail(tokenExpired()));
    await flush();
    expect(onTokenExpired).toHaveBeenCalledOnce();
    expect(onTokenExpired.mock.calls[0]?.[0]).toMatchObject({ code: "participant_token_expired" });
    expect(client.tokens).toEqual(["lk_pt_fresh"]);
    expect(client.calls.filter((c) => c === "watch")).toHaveLength(2);
    // Watching again: the next change reaches the button.
    await act(() => client.push(live(OPENS - HOUR)));
    expect(screen.getByRole("button", { name: "Join session" })).toBeTruthy();
  });

  it("without a handler (or when it fails) says so in a status instead of going blank", async () => {
    vi.setSystemTime(local(OPENS));
    const { client } = await mount(makeStatus({}, OPENS));
    await act(async () => client.fail(tokenExpired()));
    await flush();
    expect(screen.getByRole("status").textContent).toBe("Your session link expired. Reload the page.");
    expect(screen.queryByRole("button")).toBeNull();
    expect(client.listeners.size).toBe(0); // nothing polls with the dead token

    cleanup();
    const failing = vi.fn(async () => {
      throw new Error("signed out");
    });
    const second = await mount(makeStatus({}, OPENS), { onTokenExpired: failing });
    await act(async () => second.client.fail(tokenExpired()));
    await flush();
    expect(failing).toHaveBeenCalledOnce();
    expect(screen.getByRole("status").textContent).toBe("Your session link expired. Reload the page.");
    expect(second.client.tokens).toEqual([]);
  });

  it("a start refused for an expired token is retried once with the fresh one", async () => {
    vi.setSystemTime(local(OPENS));
    const onStarted = vi.fn();
    const onTokenExpired = vi.fn(() => "lk_pt_fresh");
    const { client } = await mount(makeStatus({}, OPENS), { onTokenExpired, onStarted });
    let attempts = 0;
    client.nextEnter = async () => {
      attempts++;
      if (attempts === 1) throw tokenExpired();
      return withVideo(live(OPENS));
    };
    fireEvent.click(screen.getByRole("button", { name: "Start session" }));
    await flush();
    expect(attempts).toBe(2);
    expect(client.tokens).toEqual(["lk_pt_fresh"]);
    expect(onStarted).toHaveBeenCalledOnce();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
