// @vitest-environment jsdom
import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SessionTimer } from "../src";
import { AUTO_COMPLETE, completed, END, FakeSessionClient, live, MINUTE, NO_SHOW, START } from "./fixtures";
import { advance, advanceTo, flush, jumpTo } from "./render";

/** This device's clock runs 45 s behind the server's. */
const OFFSET = 45_000;
const local = (serverMs: number) => serverMs - OFFSET;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

async function mount(props: Partial<Parameters<typeof SessionTimer>[0]> = {}, status = live(Date.now() + OFFSET)) {
  const client = new FakeSessionClient(status, OFFSET);
  const view = render(<SessionTimer client={client} {...props} />);
  await flush();
  const root = view.container.firstElementChild as HTMLElement;
  const liveRegion = root.querySelector("[aria-live=polite]") as HTMLElement;
  // Every change of the live region's text is one announcement to a screen reader.
  const announcements: string[] = [];
  new MutationObserver(() => announcements.push(liveRegion.textContent ?? "")).observe(liveRegion, {
    childList: true,
    characterData: true,
    subtree: true,
  });
  return {
    client,
    announcements,
    clock: () => screen.getByRole("timer").textContent,
    state: () => root.dataset.state,
    label: () => root.querySelector(".lk-timer__label")?.textContent,
    detail: () => root.querySelector(".lk-timer__detail")?.textContent ?? null,
    progress: () => Number(screen.getByRole("progressbar").getAttribute("aria-valuenow")),
    ...view,
  };
}

/** Lets MutationObserver callbacks (microtasks) run. */
const settle = () => act(async () => {});

describe("SessionTimer", () => {
  it("shows HH:MM:SS to the server's ends_at and a progress bar over the slot", async () => {
    vi.setSystemTime(local(START + 15 * MINUTE) + 300);
    const t = await mount();
    expect(t.clock()).toBe("00:45:00");
    expect(t.progress()).toBe(25);
    await advance(699); // 15:00.999 on the server's clock: 44:59.001 left, shown rounded up
    expect(t.clock()).toBe("00:45:00");
    await advance(1); // 15:01.000
    expect(t.clock()).toBe("00:44:59");
    await jumpTo(local(START + 30 * MINUTE));
    expect(t.clock()).toBe("00:30:00");
    expect(t.progress()).toBe(50);
    expect(screen.getByRole("progressbar").getAttribute("aria-label")).toBe("Session progress");
  });

  it("turns warning at 5:00, critical at 1:00 and overtime at the end, each at the exact millisecond", async () => {
    vi.setSystemTime(local(END - 5 * MINUTE) - 1);
    const t = await mount();
    expect([t.clock(), t.state()]).toEqual(["00:05:01", "normal"]);
    expect(t.container.firstElementChild?.className).toBe("lk-timer lk-timer--normal");
    await advance(1);
    expect([t.clock(), t.state()]).toEqual(["00:05:00", "warning"]);
    expect(t.container.firstElementChild?.className).toBe("lk-timer lk-timer--warning");

    await advanceTo(local(END - MINUTE) - 1);
    expect([t.clock(), t.state()]).toEqual(["00:01:01", "warning"]);
    await advance(1);
    expect([t.clock(), t.state()]).toEqual(["00:01:00", "critical"]);

    await advanceTo(local(END) - 1);
    expect([t.clock(), t.state()]).toEqual(["00:00:01", "critical"]);
    await advance(1);
    expect([t.clock(), t.state()]).toEqual(["+00:00:00", "overtime"]);
    await advance(61_000);
    expect([t.clock(), t.state(), t.progress()]).toEqual(["+00:01:01", "overtime", 100]);
  });

  it("announces each threshold once, politely", async () => {
    vi.setSystemTime(local(END - 6 * MINUTE));
    const t = await mount();
    await advanceTo(local(END - 5 * MINUTE));
    await settle();
    expect(t.announcements).toEqual(["5 minutes remaining"]);
    for (let i = 0; i < 30; i++) await advance(1_000); // many renders inside the warning band
    await settle();
    expect(t.announcements).toEqual(["5 minutes remaining"]);
    await advanceTo(local(END - MINUTE));
    await advanceTo(local(END + 2 * MINUTE));
    await settle();
    expect(t.announcements).toEqual(["5 minutes remaining", "1 minute remaining", "Time is up"]);
  });

  it("uses configurable thresholds", async () => {
    vi.setSystemTime(local(END - 11 * MINUTE));
    const t = await mount({ warningSeconds: 600, criticalSeconds: 120 });
    await advanceTo(local(END - 10 * MINUTE));
    expect(t.state()).toBe("warning");
    await advanceTo(local(END - 2 * MINUTE) - 1);
    expect(t.state()).toBe("warning");
    await advance(1);
    expect(t.state()).toBe("critical");
    await settle();
    expect(t.announcements).toEqual(["10 minutes remaining", "2 minutes remaining"]);
  });

  it("does not drift through an hour in a throttled background tab, and re-syncs on visibility", async () => {
    vi.setSystemTime(local(START) + 250);
    const t = await mount();
    expect(t.clock()).toBe("01:00:00");

    // A background tab: timers fire about once a minute instead of once a second. A timer that
    // counted its own ticks would be 59 minutes behind after this.
    for (let minute = 1; minute <= 54; minute++) {
      vi.setSystemTime(local(START + minute * MINUTE) + 250);
      await advance(1_000); // one late timer
    }
    expect(t.clock()).toBe("00:05:59"); // 54:01.250 on the server clock: 5:58.750 left, rounded up
    vi.setSystemTime(local(START + 59 * MINUTE) + 250);
    await advance(1_000);
    expect(t.clock()).toBe("00:00:59"); // 59:01.250 on the server's clock
    await settle();
    // Asleep through the warning threshold: only the band it woke up in is announced.
    expect(t.announcements).toEqual(["1 minute remaining"]);

    // The tab is hidden and no timer fires at all; coming back shows the exact time at once.
    vi.setSystemTime(local(END + 30_000) + 250);
    await act(async () => {
      document.dispatchEvent(new Event("visibilitychange"));
    });
    expect([t.clock(), t.state()]).toEqual(["+00:00:30", "overtime"]);
  });

  it("stops at ended_at once the session is completed", async () => {
    vi.setSystemTime(local(END + 3 * MINUTE));
    const t = await mount({}, completed());
    expect([t.clock(), t.state(), t.progress(), t.label()]).toEqual(["00:02:00", "ended", 97, "Session ended"]);
    await settle();
    expect(t.announcements).toEqual([]); // a finished session announces nothing
    await advance(5_000);
    expect(t.clock()).toBe("00:02:00");
  });

  it("renders at most once a second", async () => {
    vi.setSystemTime(local(START + 10 * MINUTE) + 123);
    const client = new FakeSessionClient(live(START + 10 * MINUTE), OFFSET);
    let renders = 0;
    const offset = client.serverOffset;
    client.serverOffset = () => {
      renders++;
      return offset();
    };
    render(<SessionTimer client={client} />);
    await flush();
    const before = renders;
    for (let i = 0; i < 100; i++) await advance(100);
    expect(renders - before).toBeLessThanOrEqual(10);
    expect(screen.getByRole("timer").textContent).toBe("00:49:50");
  });
});

describe("SessionTimer's visible text", () => {
  it("labels every state in words, not colour alone", async () => {
    vi.setSystemTime(local(END - 6 * MINUTE));
    const t = await mount({ timeZone: "UTC", locale: "en-US" });
    expect([t.state(), t.label(), t.detail()]).toEqual(["normal", "Time left", null]);
    await jumpTo(local(END - 5 * MINUTE));
    expect([t.state(), t.label()]).toEqual(["warning", "Ending soon"]);
    await jumpTo(local(END - 30_000));
    expect([t.state(), t.label()]).toEqual(["critical", "Last minute"]);
    // Overtime says when the server closes the session (end + the overtime grace), here in UTC.
    await jumpTo(local(END + 2 * MINUTE));
    expect([t.state(), t.label(), t.clock()]).toEqual(["overtime", "Overtime", "+00:02:00"]);
    expect(t.detail()).toBe("The session closes automatically at 3:10 PM.");
    expect(t.container.querySelector(".lk-timer__detail")?.getAttribute("datetime")).toBe(
      new Date(AUTO_COMPLETE).toISOString(),
    );
  });

  it("a participant alone in the session sees who they wait for and the no-show deadline", async () => {
    vi.setSystemTime(local(START + 2 * MINUTE));
    const alone = live(START + 2 * MINUTE, {
      role: "tutor",
      participants: {
        student: { name: "Sam", joined_at: null },
        tutor: { name: "Tia", joined_at: new Date(START).toISOString() },
      },
    });
    const t = await mount({ timeZone: "Europe/Paris", locale: "en-GB" }, alone);
    expect([t.state(), t.label(), t.clock()]).toEqual(["waiting", "Waiting for the student to join", "00:58:00"]);
    // 14:15 UTC is 15:15 in Paris.
    expect(t.detail()).toBe("If the student has not joined by 15:15, the lesson counts as missed.");
    expect(t.container.querySelector(".lk-timer__detail")?.getAttribute("datetime")).toBe(
      new Date(NO_SHOW).toISOString(),
    );

    await jumpTo(local(NO_SHOW));
    expect([t.state(), t.label(), t.detail()]).toEqual(["waiting", "The student did not join in time", null]);

    // The student arrives: an ordinary running clock again.
    await act(() =>
      t.client.push(
        live(NO_SHOW, {
          participants: { ...alone.participants, student: { name: "Sam", joined_at: new Date(NO_SHOW).toISOString() } },
        }),
      ),
    );
    expect([t.state(), t.label()]).toEqual(["normal", "Time left"]);
  });

  it("formatDate puts the platform's own date format in the text", async () => {
    vi.setSystemTime(local(END + MINUTE));
    const t = await mount({ formatDate: (d) => `<${d.toISOString()}>` });
    expect(t.detail()).toBe(`The session closes automatically at <${new Date(AUTO_COMPLETE).toISOString()}>.`);
  });

  it("without a timeZone, dates wait for the browser: the server's render has none", async () => {
    const { renderToString } = await import("react-dom/server");
    const status = live(END + MINUTE);
    const html = renderToString(<SessionTimer client={new FakeSessionClient(status)} initialStatus={status} />);
    expect(html).toContain("Overtime");
    expect(html).not.toContain("closes automatically");
  });
});
