import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CHROMIUM_ARGS, chromiumPath } from "@lessonkit/test-browser";
import { build } from "esbuild";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionStatus } from "../src";
import { completed, HOUR, live, MINUTE, makeStatus, withVideo } from "./fixtures";

// A real browser (the one @lessonkit/test-browser settled on for this run), driven by
// playwright-core, on a page bundled by esbuild and served from loopback together with a small
// stand-in of the session API. Without a browser (the global setup said why) these tests skip.
const CHROMIUM = chromiumPath();
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const ARTIFACTS = here("../test-artifacts");

/** The machine may be busy: give the page time, the assertions stay exact. */
const SLOW = { timeout: 15_000 };
const iso = (ms: number) => new Date(ms).toISOString();

/** The three lessons, with every time relative to the moment of the request (the server's clock). */
function sessionFor(bookingId: string, now: number, startedAt: number): SessionStatus {
  if (bookingId === "bk_upcoming") {
    const opens = now + 2 * HOUR + 30 * MINUTE;
    return makeStatus(
      {
        booking_id: bookingId,
        join_opens_at: iso(opens),
        scheduled_start: iso(opens + 5 * MINUTE),
        ends_at: iso(opens + 65 * MINUTE),
      },
      now,
    );
  }
  if (bookingId === "bk_live") {
    // 4½ minutes left when the page loads: the timer is in its warning state.
    const endsAt = startedAt + 4 * MINUTE + 30_000;
    return live(now, {
      booking_id: bookingId,
      scheduled_start: iso(endsAt - HOUR),
      join_opens_at: iso(endsAt - HOUR - 5 * MINUTE),
      ends_at: iso(endsAt),
      started_at: iso(endsAt - HOUR),
    });
  }
  return { ...completed({ role: "student", booking_id: bookingId }), server_time: iso(now) };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return JSON.parse(body);
}

let server: Server;
let origin: string;
let context: BrowserContext;
let profile: string;
const ratings: unknown[] = [];
const joins: string[] = [];

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [here("./browser/page.tsx")],
    bundle: true,
    write: false,
    format: "esm",
    jsx: "automatic",
    minify: true,
    define: { "process.env.NODE_ENV": '"production"' },
    alias: { "@lessonkit/sdk": here("../../sdk/src/browser.ts") },
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0]?.text ?? "";
  const css = await readFile(here("../src/styles.css"), "utf8");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LessonKit UI</title>
<link rel="stylesheet" href="/styles.css"></head><body><div id="root"></div><script type="module" src="/page.js"></script></body></html>`;
  let startedAt: number | undefined; // the live lesson's clock starts with the page's first request

  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };
    if (url.pathname === "/") return send(200, "text/html", html);
    if (url.pathname === "/page.js") return send(200, "text/javascript", script);
    if (url.pathname === "/styles.css") return send(200, "text/css", css);
    if (url.pathname === "/favicon.ico") return send(204, "image/x-icon", "");
    const match = /^\/v1\/sessions\/(bk_\w+)(\/\w+)?$/.exec(url.pathname);
    if (!match || req.headers.authorization !== "Bearer lk_pt_browser") return send(404, "application/json", "{}");
    const [, bookingId = "", action = ""] = match;
    startedAt ??= Date.now();
    const session = sessionFor(bookingId, Date.now(), startedAt);
    if (req.method === "GET" && action === "") return send(200, "application/json", JSON.stringify(session));
    if (req.method === "POST" && (action === "/join" || action === "/start")) {
      joins.push(`${bookingId}${action}`);
      return send(200, "application/json", JSON.stringify(withVideo(session)));
    }
    if (req.method === "POST" && action === "/rating") {
      const body = (await readJson(req)) as { stars: number; comment?: string };
      ratings.push(body);
      const rating = {
        booking_id: bookingId,
        stars: body.stars,
        comment: body.comment ?? null,
        rated_at: iso(Date.now()),
      };
      return send(200, "application/json", JSON.stringify(rating));
    }
    return send(404, "application/json", "{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  profile = await mkdtemp(join(tmpdir(), "lk-ui-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM ?? "",
    headless: true,
    viewport: { width: 900, height: 900 },
    timezoneId: "Europe/Paris",
    args: [...CHROMIUM_ARGS, "--headless"],
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (server) await new Promise((resolve) => server.close(resolve)); // never wait on a server setup did not make
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe.skipIf(!CHROMIUM)("in headless Chromium", () => {
  it("shows the countdown, the live timer and the completion dialog, and rates the lesson", async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    await page.goto(origin);

    const upcoming = page.getByRole("region", { name: "Upcoming lesson" });
    await expect.poll(() => upcoming.textContent(), SLOW).toContain("Join opens in 2 hours 30 minutes");

    const lesson = page.getByRole("region", { name: "Live lesson" });
    const timer = lesson.getByRole("timer");
    await expect.poll(() => timer.textContent(), SLOW).toMatch(/^00:0[34]:\d\d$/);
    const timerBox = lesson.locator(".lk-timer");
    expect(await timerBox.getAttribute("data-state")).toBe("warning");
    // The stylesheet's warning colour reaches the clock.
    expect(await timer.evaluate((el) => getComputedStyle(el).color)).toBe("rgb(180, 83, 9)");
    const progress = Number(await lesson.getByRole("progressbar").getAttribute("aria-valuenow"));
    expect(progress).toBeGreaterThanOrEqual(92);
    expect(progress).toBeLessThanOrEqual(93);
    // The clock moves on its own.
    const first = await timer.textContent();
    await expect.poll(() => timer.textContent(), { timeout: 5_000 }).not.toBe(first);

    await lesson.getByRole("button", { name: "Join session" }).click();
    await expect.poll(() => lesson.textContent(), SLOW).toContain("Connected to ch_test");
    expect(joins).toEqual(["bk_live/join"]);

    const dialog = page.getByRole("region", { name: "Session completed" });
    await expect.poll(() => dialog.isVisible(), SLOW).toBe(true);
    // release_at 2030-03-06T14:58Z, shown in the browser's zone (Paris, UTC+1).
    expect(await dialog.textContent()).toContain("March 6, 2030 at 3:58 PM");
    await dialog.getByRole("radio", { name: "4 stars" }).check();
    await dialog.getByRole("textbox", { name: "Comment (optional)" }).fill("Patient and clear");

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "chromium-session-ui.png"), fullPage: true });

    await dialog.getByRole("button", { name: "Submit rating" }).click();
    await expect.poll(() => dialog.textContent(), SLOW).toContain("Thanks for your rating.");
    expect(ratings).toEqual([{ stars: 4, comment: "Patient and clear" }]);
    await page.screenshot({ path: join(ARTIFACTS, "chromium-session-ui-rated.png"), fullPage: true });
    expect(problems).toEqual([]);
  }, 60_000);
});
