import { mkdir } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionStatus } from "../src";
import { axeViolations, bundlePage, chromiumPath, html, launchChromium, stylesheet } from "./browser/chromium";
import { MINUTE, makeStatus, withVideo } from "./fixtures";

// Every component in every state, checked by axe-core in a real Chromium at a phone's width (390 px)
// and a laptop's (1280 px); then a whole lesson done with the keyboard alone.

const ARTIFACTS = fileURLToPath(new URL("../test-artifacts", import.meta.url));
const WIDTHS = [390, 1280] as const;
const SLOW = { timeout: 15_000 };
const iso = (ms: number) => new Date(ms).toISOString();

/** The keyboard lesson's server: a lesson the tutor started 10 minutes ago, the student not in yet. */
function lessonServer() {
  const t0 = Date.now();
  const calls: Array<{ path: string; body: unknown }> = [];
  let session: SessionStatus = makeStatus(
    {
      booking_id: "bk_key",
      role: "student",
      status: "in_progress",
      phase: "in_progress",
      scheduled_start: iso(t0 - 10 * MINUTE),
      ends_at: iso(t0 + 50 * MINUTE),
      join_opens_at: iso(t0 - 15 * MINUTE),
      no_show_at: iso(t0 + 5 * MINUTE),
      auto_complete_at: iso(t0 + 60 * MINUTE),
      started_at: iso(t0 - 10 * MINUTE),
      started_by: "tutor",
      can_join: true,
      participants: {
        student: { name: "Sam", joined_at: null },
        tutor: { name: "Tia", joined_at: iso(t0 - 10 * MINUTE) },
      },
    },
    t0,
  );
  const answer = (action: string, body: unknown): unknown => {
    const now = Date.now();
    calls.push({ path: action, body });
    if (action === "/join") {
      session = {
        ...session,
        can_end: true,
        participants: { ...session.participants, student: { name: "Sam", joined_at: iso(now) } },
      };
      return withVideo({ ...session, server_time: iso(now) });
    }
    if (action === "/end") {
      session = {
        ...session,
        status: "completed",
        phase: "ended",
        ended_at: iso(now),
        ended_by: "student",
        can_join: false,
        can_end: false,
        escrow: { ...session.escrow, status: "release_scheduled", release_at: iso(now + 24 * 60 * MINUTE) },
      };
    }
    if (action === "/rating") {
      const { stars, comment } = body as { stars: number; comment?: string };
      session = { ...session, rating: { stars, comment: comment ?? null, rated_at: iso(now) } };
      return { booking_id: "bk_key", stars, comment: comment ?? null, rated_at: iso(now) };
    }
    if (action === "/dispute") {
      session = { ...session, escrow: { ...session.escrow, status: "disputed" } };
      return { id: "esc_key", booking_id: "bk_key", status: "disputed" };
    }
    return { ...session, server_time: iso(now) };
  };
  return { calls, answer };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return body ? JSON.parse(body) : undefined;
}

let server: Server;
let origin: string;
let browser: Browser;
let context: BrowserContext;
let lesson: ReturnType<typeof lessonServer>;

// Skipped only when this run has no browser (the global setup said why and how to get one).
const CHROMIUM = chromiumPath();

beforeAll(async () => {
  if (!CHROMIUM) return;
  const [states, keyboard, css, launched] = await Promise.all([
    bundlePage("states.tsx"),
    bundlePage("lesson.tsx"),
    stylesheet(),
    launchChromium(),
  ]);
  browser = launched;
  lesson = lessonServer();
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };
    if (url.pathname === "/states") return send(200, "text/html", html("states.js"));
    if (url.pathname === "/lesson") return send(200, "text/html", html("lesson.js"));
    if (url.pathname === "/states.js") return send(200, "text/javascript", states);
    if (url.pathname === "/lesson.js") return send(200, "text/javascript", keyboard);
    if (url.pathname === "/styles.css") return send(200, "text/css", css);
    const match = /^\/v1\/sessions\/bk_key(\/\w+)?$/.exec(url.pathname);
    if (!match) return send(404, "application/json", "{}");
    const body = req.method === "POST" ? await readJson(req) : undefined;
    return send(200, "application/json", JSON.stringify(lesson.answer(match[1] ?? "", body)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US", timezoneId: "UTC" });
  await mkdir(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** Fails on page errors; collected per page. */
function watchErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  return problems;
}

describe.skipIf(!CHROMIUM)("axe-core in Chromium, every state, at 390 px and 1280 px", () => {
  it("finds no violations in any state of any component, and nothing overflows a phone's width (and does find planted ones)", async () => {
    const page = await context.newPage();
    const problems = watchErrors(page);
    await page.goto(`${origin}/states`);
    const state = (name: string) => page.getByRole("region", { name, exact: true });

    // Wait for the states that settle after the first render, and put the interactive ones in place.
    await expect.poll(() => state("Timer: normal").getByRole("timer").textContent(), SLOW).toMatch(/^00:\d\d:\d\d$/);
    await state("Action: token expired").getByRole("status").waitFor();
    await state("Action: open, start refused").getByRole("button", { name: "Start session" }).click();
    await state("Action: open, start refused").getByRole("alert").waitFor();
    await state("Completion: student, reporting").getByRole("button", { name: "Report a problem" }).click();
    await state("Completion: student, reporting").getByRole("textbox", { name: "What went wrong?" }).waitFor();

    expect(await page.locator("section.state").count()).toBe(28);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      // landmark-unique is off for this page only: it holds nine completion panels with the same
      // title, where a platform's page has one.
      expect(await axeViolations(page, { skip: ["landmark-unique"] }), `axe at ${width} px`).toEqual([]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `horizontal overflow at ${width} px`).toBeLessThanOrEqual(0);
    }
    // The checker is looking: a nameless button, an unlabelled field and faint text are reported.
    await page.evaluate(() => {
      const bad = document.createElement("div");
      bad.innerHTML = '<button></button><input type="text"><p style="color:#ccc;background:#fff">faint</p>';
      document.querySelector("main")?.append(bad);
    });
    expect((await axeViolations(page, { skip: ["landmark-unique"] })).map((v) => v.id).sort()).toEqual([
      "button-name",
      "color-contrast",
      "label",
    ]);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});

describe.skipIf(!CHROMIUM)("keyboard only", () => {
  it("tabs through join, the timer, end, the rating and a report, and Escape gives focus back", async () => {
    const page = await context.newPage();
    const problems = watchErrors(page);
    await page.goto(`${origin}/lesson`);
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return `${el?.tagName.toLowerCase()}:${el?.getAttribute("aria-label") ?? el?.textContent ?? ""}`;
      });
    const inDialog = () => page.evaluate(() => Boolean(document.activeElement?.closest("dialog[open]")));

    // Join: the first stop on the page.
    await page.getByRole("button", { name: "Join session" }).waitFor(SLOW);
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("button:Join session");
    await page.keyboard.press("Enter");
    await expect.poll(() => lesson.calls.map((c) => c.path), SLOW).toContain("/join");

    // The timer is read, not operated: it is labelled, and Tab goes past it to End session.
    const timer = page.locator(".lk-timer");
    await expect.poll(() => timer.locator(".lk-timer__label").textContent(), SLOW).toBe("Time left");
    expect(await timer.getByRole("timer").textContent()).toMatch(/^00:(49|50):\d\d$/);
    await expect
      .poll(() => page.getByRole("button", { name: "End session" }).getAttribute("aria-disabled"), SLOW)
      .toBe("false");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("button:End session");
    await page.keyboard.press("Enter");

    // The completion dialog opens modally with focus on the first star.
    const dialog = page.getByRole("dialog", { name: "Session completed" });
    await dialog.waitFor(SLOW);
    expect(await dialog.evaluate((d) => (d as HTMLDialogElement).open && d.matches(":modal"))).toBe(true);
    expect(await focused()).toBe("input:1 star");

    // Rating: Space picks a star, arrows move it, Tab to the comment and to Submit.
    await page.keyboard.press("Space");
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    expect(await focused()).toBe("input:4 stars");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Clear explanations");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("button:Submit rating");
    await page.keyboard.press("Enter");
    await dialog.getByText("Thanks for your rating.").waitFor(SLOW);
    expect(lesson.calls.find((c) => c.path === "/rating")?.body).toEqual({ stars: 4, comment: "Clear explanations" });
    expect(await inDialog()).toBe(true);

    // Report a problem: Tab to it, Enter opens the form with focus in the reason.
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("button:Report a problem");
    await page.keyboard.press("Enter");
    expect(await focused()).toBe("textarea:");
    await page.keyboard.type("The video kept dropping");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("button:Send report");
    await page.keyboard.press("Enter");
    await dialog.getByText("Your report was sent.", { exact: false }).waitFor(SLOW);
    expect(lesson.calls.find((c) => c.path === "/dispute")?.body).toEqual({ reason: "The video kept dropping" });
    expect(await inDialog()).toBe(true);

    // Tab stays inside the modal dialog.
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press("Tab");
      expect(await inDialog(), `Tab ${i + 1} stays in the dialog`).toBe(true);
    }

    // The open modal passes axe at both widths.
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      expect(await axeViolations(page), `axe at ${width} px`).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `keyboard-dialog-${width}.png`) });
    }

    // Escape closes it and focus goes back to where it was.
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count(), SLOW).toBe(0);
    expect(await focused()).toBe("button:Lesson over");
    expect(problems).toEqual([]);
  }, 60_000);
});
