import {
  SessionActionButton,
  SessionCompleteDialog,
  type SessionStatus,
  SessionTimer,
  type SessionWithVideo,
} from "@lessonkit/ui-react";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { type ReactElement, version as reactVersion } from "react";
import { version as reactDomVersion } from "react-dom";
import { createRoot, hydrateRoot } from "react-dom/client";
import { version as reactDomServerVersion, renderToString } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
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
  START,
  tokenExpired,
  withVideo,
} from "../../ui-react/test/fixtures";
import { advance, advanceTo, flush, jumpTo } from "../../ui-react/test/render";

// @lessonkit/ui-react's peer range is "^18.2.0 || ^19.0.0"; its own suite runs on React 19. This one
// renders the built package (dist) on React 18: see vitest.config.ts for how every React import,
// the library's and Testing Library's included, is pointed at this workspace's React 18.

/** The server's clock runs 30 s ahead of this device's. */
const OFFSET = 30_000;
const local = (serverMs: number) => serverMs - OFFSET;

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  document.body.innerHTML = "";
});

/** Calls the library's component as a plain function, so the element it returns can be inspected. */
let fromLibrary: ReactElement | null = null;
function Probe({ client, status }: { client: FakeSessionClient; status: SessionStatus }) {
  fromLibrary = SessionTimer({ client, status }) as ReactElement;
  return fromLibrary;
}

describe("the React in use", () => {
  it("is React 18 for the test, react-dom, react-dom/server and the library's own JSX", async () => {
    expect(reactVersion).toMatch(/^18\./);
    expect(reactDomVersion).toMatch(/^18\./);
    expect(reactDomServerVersion).toMatch(/^18\./);

    // The library's elements come from the `react/jsx-runtime` it imports: React 18 tags them
    // "react.element", React 19 "react.transitional.element" (which react-dom 18 refuses to render).
    // Rendering them through react-dom 18's createRoot also proves the library's hooks run on the
    // same React instance as the renderer (a second copy would throw an invalid hook call).
    const status = live(START + 10 * MINUTE);
    const client = new FakeSessionClient(status);
    const container = document.createElement("div");
    document.body.append(container);
    vi.useFakeTimers({ now: START + 10 * MINUTE });
    const root = createRoot(container);
    await act(async () => root.render(<Probe client={client} status={status} />));
    expect((fromLibrary as unknown as { $$typeof: symbol }).$$typeof).toBe(Symbol.for("react.element"));
    expect(container.querySelector("[role=timer]")?.textContent).toBe("00:50:00");
    await act(async () => root.unmount());
  });
});

describe("SessionActionButton on React 18", () => {
  it("counts down and turns into Start session exactly at join_opens_at on the server's clock", async () => {
    vi.useFakeTimers({ now: local(OPENS - MINUTE) });
    const client = new FakeSessionClient(makeStatus(), OFFSET);
    const { container } = render(<SessionActionButton client={client} />);
    await flush();
    expect(container.textContent).toBe("Join opens in 1 minute");
    await advance(1_000);
    expect(container.textContent).toBe("Join opens in 59 seconds");
    await advanceTo(local(OPENS) - 1);
    expect(container.textContent).toBe("Join opens in 1 second");
    expect(screen.queryByRole("button")).toBeNull();
    await advance(1);
    expect(screen.getByRole("button", { name: "Start session" })).toBeTruthy();
  });

  it("Start session calls start, is busy meanwhile, then offers Join session", async () => {
    vi.useFakeTimers({ now: local(OPENS + MINUTE) });
    const onStarted = vi.fn();
    const client = new FakeSessionClient(makeStatus({}, OPENS + MINUTE), OFFSET);
    render(<SessionActionButton client={client} onStarted={onStarted} />);
    await flush();
    const pending = deferred<SessionWithVideo>();
    client.nextEnter = () => pending.promise;

    fireEvent.click(screen.getByRole("button", { name: "Start session" }));
    const busy = screen.getByRole("button", { name: "Starting…" }) as HTMLButtonElement;
    expect(busy.disabled).toBe(true);
    expect(client.calls).toContain("start");

    const session = withVideo(live(OPENS + MINUTE));
    pending.resolve(session);
    await flush();
    expect(onStarted).toHaveBeenCalledWith(session.video, session);
    expect(screen.getByRole("button", { name: "Join session" })).toBeTruthy();
  });

  it("a student joins a running session with Join session, which calls join", async () => {
    vi.useFakeTimers({ now: local(START + 5 * MINUTE) });
    const client = new FakeSessionClient(live(START + 5 * MINUTE, { role: "student" }), OFFSET);
    render(<SessionActionButton client={client} />);
    await flush();
    fireEvent.click(screen.getByRole("button", { name: "Join session" }));
    await flush();
    expect(client.calls.filter((c) => c === "join" || c === "start")).toEqual(["join"]);
  });
});

describe("SessionTimer on React 18", () => {
  it("shows HH:MM:SS in a role=timer, ticks on the second and turns warning at 5:00 left", async () => {
    vi.useFakeTimers({ now: local(START + 15 * MINUTE) + 300 });
    const client = new FakeSessionClient(live(START + 15 * MINUTE), OFFSET);
    const { container } = render(<SessionTimer client={client} />);
    await flush();
    const clock = () => screen.getByRole("timer").textContent;
    const state = () => (container.firstElementChild as HTMLElement).dataset.state;
    expect(clock()).toBe("00:45:00");
    await advance(699);
    expect(clock()).toBe("00:45:00");
    await advance(1);
    expect(clock()).toBe("00:44:59");

    await jumpTo(local(END - 5 * MINUTE) - 1);
    expect([clock(), state()]).toEqual(["00:05:01", "normal"]);
    await advance(1);
    expect([clock(), state()]).toEqual(["00:05:00", "warning"]);
    await advance(5 * MINUTE);
    expect([clock(), state()]).toEqual(["+00:00:00", "overtime"]);
  });
});

describe("SessionCompleteDialog on React 18", () => {
  it("a student rates the session: the stars and trimmed comment go to client.rate", async () => {
    const onRated = vi.fn();
    const client = new FakeSessionClient(completed({ role: "student" }));
    render(<SessionCompleteDialog client={client} onRated={onRated} />);
    await screen.findByRole("dialog", { name: "Session completed" });
    const submit = screen.getByRole("button", { name: "Submit rating" }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);

    fireEvent.click(screen.getByRole("radio", { name: "4 stars" }));
    fireEvent.change(screen.getByLabelText("Comment (optional)"), { target: { value: "  Clear explanations  " } });
    expect(submit.disabled).toBe(false);
    fireEvent.click(submit);
    expect((await screen.findByRole("status")).textContent).toBe("Thanks for your rating.");
    expect(client.calls).toContain("rate:4:Clear explanations");
    expect(onRated).toHaveBeenCalledWith(4, "Clear explanations");
    expect(screen.queryByRole("radio")).toBeNull();
  });

  it("a student reports a problem: the reason goes to client.dispute; Escape closes it", async () => {
    const onClose = vi.fn();
    const client = new FakeSessionClient(completed({ role: "student" }));
    render(<SessionCompleteDialog client={client} onClose={onClose} />);
    const dialog = await screen.findByRole("dialog", { name: "Session completed" });
    expect(dialog.contains(document.activeElement)).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Report a problem" }));
    fireEvent.change(screen.getByRole("textbox", { name: "What went wrong?" }), { target: { value: "No show" } });
    fireEvent.click(screen.getByRole("button", { name: "Send report" }));
    await screen.findByText("Your report was sent. The payment is on hold while it is reviewed.");
    expect(client.calls).toContain("dispute:No show");
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(onClose).toHaveBeenCalledOnce();
  });
});

describe("an expired token on React 18", () => {
  it("the button asks onTokenExpired for a fresh token, hands it to the client and watches again", async () => {
    vi.useFakeTimers({ now: local(OPENS - HOUR) });
    const client = new FakeSessionClient(makeStatus(), OFFSET);
    const onTokenExpired = vi.fn(async () => "lk_pt_fresh");
    render(<SessionActionButton client={client} onTokenExpired={onTokenExpired} />);
    await flush();
    await act(async () => client.fail(tokenExpired()));
    await flush();
    expect(client.tokens).toEqual(["lk_pt_fresh"]);
    expect(client.calls.filter((c) => c === "watch")).toHaveLength(2);
  });
});

function Lesson({ client, status }: { client: FakeSessionClient; status: SessionStatus }) {
  return (
    <main>
      <SessionActionButton client={client} initialStatus={status} />
      <SessionTimer client={client} initialStatus={status} />
      <SessionCompleteDialog client={client} initialStatus={status} />
    </main>
  );
}

/** renderToString on "the server", hydrateRoot on "the client" later: any hydration warning fails. */
async function serverThenHydrate(status: SessionStatus, clientNow: number) {
  const errors = vi.spyOn(console, "error");
  const recoverable = vi.fn();
  const html = renderToString(<Lesson client={new FakeSessionClient(status)} status={status} />);

  vi.useFakeTimers({ now: clientNow });
  const container = document.createElement("div");
  container.innerHTML = html;
  document.body.append(container);
  await act(async () => {
    hydrateRoot(container, <Lesson client={new FakeSessionClient(status)} status={status} />, {
      onRecoverableError: recoverable,
    });
  });
  await act(async () => {}); // watch's first report
  expect(recoverable).not.toHaveBeenCalled();
  expect(errors).not.toHaveBeenCalled();
  return { html, container };
}

describe("server rendering and hydration on React 18", () => {
  it("an upcoming lesson renders its countdown from server_time, then follows the client clock", async () => {
    const { html, container } = await serverThenHydrate(makeStatus({}, OPENS - 2 * HOUR), OPENS - HOUR);
    expect(html).toContain("Join opens in 2 hours");
    expect(container.textContent).toContain("Join opens in 1 hour");
  });

  it("a live lesson hydrates the timer and Join session cleanly, then ticks from the client clock", async () => {
    const { html, container } = await serverThenHydrate(live(START + 10 * MINUTE), START + 12 * MINUTE + 500);
    expect(html).toContain("00:50:00");
    expect(html).toContain("Join session");
    expect(container.querySelector("[role=timer]")?.textContent).toBe("00:48:00");
  });

  it("a completed lesson hydrates the dialog (useId) and fills in the release time afterwards", async () => {
    vi.stubEnv("TZ", "Asia/Tokyo");
    const { html, container } = await serverThenHydrate(completed({ role: "student" }), START + 3 * HOUR);
    expect(html).toContain("Session completed");
    expect(html).not.toContain("report a problem until");
    const dialog = container.querySelector("dialog");
    expect(dialog?.getAttribute("aria-labelledby")).toBe(container.querySelector("h2")?.id);
    expect(dialog?.hasAttribute("open")).toBe(true);
    expect(container.textContent).toMatch(/report a problem until .*11:58\s?PM/); // 14:58 UTC
  });
});
