// @vitest-environment jsdom
import { act } from "@testing-library/react";
import { hydrateRoot } from "react-dom/client";
import { renderToString } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SessionActionButton, SessionCompleteDialog, type SessionStatus, SessionTimer } from "../src";
import { completed, FakeSessionClient, HOUR, live, MINUTE, makeStatus, OPENS, START } from "./fixtures";

function Lesson({ client, status }: { client: FakeSessionClient; status: SessionStatus }) {
  return (
    <main>
      <SessionActionButton client={client} initialStatus={status} />
      <SessionTimer client={client} initialStatus={status} />
      <SessionCompleteDialog client={client} initialStatus={status} />
    </main>
  );
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  document.body.innerHTML = "";
});

/**
 * Renders on "the server" at one time, hydrates on "the client" minutes later with a clock that
 * is also off, and fails on any hydration warning: the first client render must not read the clock.
 */
async function serverThenHydrate(status: SessionStatus, clientNow: number) {
  const errors = vi.spyOn(console, "error");
  const recoverable = vi.fn();
  const html = renderToString(<Lesson client={new FakeSessionClient(status)} status={status} />);

  vi.useFakeTimers({ now: clientNow });
  const container = document.createElement("div");
  container.innerHTML = html;
  document.body.append(container);
  const client = new FakeSessionClient(status, 0);
  await act(async () => {
    hydrateRoot(container, <Lesson client={client} status={status} />, { onRecoverableError: recoverable });
  });
  await act(async () => {}); // watch's first report
  expect(recoverable).not.toHaveBeenCalled();
  expect(errors).not.toHaveBeenCalled();
  return { html, container };
}

describe("server rendering", () => {
  it("an upcoming lesson: the countdown is rendered from server_time, then follows the client clock", async () => {
    const status = makeStatus({}, OPENS - 2 * HOUR);
    const { html, container } = await serverThenHydrate(status, OPENS - HOUR);
    expect(html).toContain("Join opens in 2 hours");
    expect(container.textContent).toContain("Join opens in 1 hour");
  });

  it("a live lesson: timer and button hydrate cleanly, then tick from the client clock", async () => {
    const status = live(START + 10 * MINUTE);
    const { html, container } = await serverThenHydrate(status, START + 12 * MINUTE + 500);
    expect(html).toContain("00:50:00");
    expect(html).toContain("Join session");
    expect(container.querySelector("[role=timer]")?.textContent).toBe("00:48:00");
  });

  it("a completed lesson: the release time is filled in after hydration, in the viewer's zone", async () => {
    vi.stubEnv("TZ", "Asia/Tokyo");
    const status = completed({ role: "student" });
    const { html, container } = await serverThenHydrate(status, START + 3 * HOUR);
    expect(html).toContain("Session completed");
    expect(html).not.toContain("report a problem until");
    expect(container.textContent).toContain("report a problem until");
    expect(container.textContent).toMatch(/11:58\s?PM/); // 14:58 UTC
    vi.unstubAllEnvs();
  });
});
