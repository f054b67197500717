import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LessonKit, SessionClient } from "@lessonkit/sdk";
import { chromiumPath, launchChromium } from "@lessonkit/test-browser";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { type LessonKitProcess, startLessonKit } from "../scripts/lessonkit";
import { type RunningDemo, startDemo } from "../server/start";

// The whole lesson as a student and a tutor live it, in two headless Chromium contexts, against a
// real LessonKit (development mode, sandbox payments, temp database) and the demo platform.

const ARTIFACTS = fileURLToPath(new URL("../test-artifacts", import.meta.url));
const WEB_DIR = fileURLToPath(new URL("../dist", import.meta.url));
const UI_TIMEOUT = 30_000; // polls run every 2–3 s; a loaded machine gets plenty of slack

let workDir: string;
let lessonkit: LessonKitProcess;
let demo: RunningDemo;
let browser: Browser;
let student: Page;
let tutor: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "lessonkit-demo-e2e-"));
  rmSync(ARTIFACTS, { recursive: true, force: true }); // only this run's screenshots
  mkdirSync(ARTIFACTS, { recursive: true });
  lessonkit = await startLessonKit({ port: 0, databaseUrl: `file:${join(workDir, "lessonkit.db")}` });
  demo = await startDemo({
    lessonkitUrl: lessonkit.url,
    secretKey: lessonkit.secretKey,
    port: 0,
    webDir: WEB_DIR,
    log: () => {},
  });
  browser = await launchChromium();
  const open = async (as: "student" | "tutor") => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "en-US" });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on("pageerror", (error) => pageErrors.push(`${as}: ${error.message}`));
    await page.goto(`${demo.url}/?as=${as}`);
    return page;
  };
  [student, tutor] = await Promise.all([open("student"), open("tutor")]);
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  await lessonkit?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const WIDTHS = [1280, 390] as const;
const feed = (page: Page) => page.getByRole("region", { name: "Notifications" });
const lesson = (page: Page) => page.locator("li.booking").filter({ hasText: "Algebra (e2e)" });
const step = (page: Page, label: string) =>
  page.getByRole("group", { name: "Move the clock forward" }).getByRole("button", { name: label }).click();
/** Jumps the sandbox clock to a moment of the lesson, through the demo's "Jump to" control. */
async function jumpTo(page: Page, moment: string) {
  const form = page.getByRole("form", { name: "Jump to a moment of a lesson" });
  const select = form.getByLabel("Jump to");
  const option = select.locator("option", { hasText: new RegExp(`^${moment} ·`) });
  await select.selectOption((await option.getAttribute("value")) ?? "");
  await form.getByRole("button", { name: "Jump" }).click();
}
/** "Mon, Nov 30, 2:05 PM": the demo's one date format. */
const DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [A-Z][a-z]{2} \d{1,2}, \d{1,2}:\d{2}\s(AM|PM)$/;

/** axe-core's violations on the page (WCAG A/AA and best practices), axe injected from npm. */
async function axeViolations(page: Page) {
  if (!(await page.evaluate(() => "axe" in window))) {
    await page.addScriptTag({
      content: readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8"),
    });
  }
  return page.evaluate(async () => {
    type Result = { violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> };
    const axe = (window as unknown as { axe: { run: (d: Document, o: object) => Promise<Result> } }).axe;
    const { violations } = await axe.run(document, { resultTypes: ["violations"] });
    return violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}

/**
 * Saves the screen at a laptop's and a phone's width (test-artifacts/<name>-<width>.png) and
 * fails if the page scrolls sideways at either (or, with `axe`, if axe-core finds a violation).
 */
async function capture(page: Page, name: string, options: { axe?: boolean } = {}) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 860 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
    if (options.axe) expect(await axeViolations(page), `axe on ${name} at ${width} px`).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 860 });
}

// Skipped only when this run has no browser (the global setup said why and how to get one).
describe.skipIf(!chromiumPath())("platform demo, end to end in Chromium", () => {
  it("books, pays, starts, joins, takes notes, ends, rates and pays the tutor, at a laptop's and a phone's width", async () => {
    onTestFailed(async () => {
      await Promise.allSettled([
        student.screenshot({ path: join(ARTIFACTS, "failed-student.png"), fullPage: true }),
        tutor.screenshot({ path: join(ARTIFACTS, "failed-tutor.png"), fullPage: true }),
      ]);
      console.error(`--- lessonkit output ---\n${lessonkit.output()}\npage errors: ${pageErrors.join("\n")}`);
    });
    const signIn = await student.context().newPage();
    await signIn.goto(demo.url);
    await signIn.getByRole("link", { name: "Ana, the student" }).waitFor();
    await capture(signIn, "00-sign-in");
    await signIn.close();

    // Ana books a lesson starting in 10 minutes; paying is the primary action.
    await student.getByLabel("Subject").fill("Algebra (e2e)");
    await student.getByLabel("Starts").selectOption("10");
    await student.getByRole("button", { name: "Book lesson" }).click();
    const pay = lesson(student).getByRole("button", { name: "Pay $50.00" });
    await pay.waitFor();
    expect(await pay.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe("rgb(59, 91, 219)");
    await capture(student, "01-student-booked");
    await pay.click();

    // Both see what the countdown counts to: the join window, 5 minutes before the start.
    for (const page of [student, tutor]) {
      await lesson(page)
        .locator('.lk-action[data-state="upcoming"]')
        .filter({ hasText: /^Join opens in \d+ minutes?/ })
        .waitFor();
    }
    await feed(student).getByText("Payment received").waitFor();
    await feed(tutor).getByText("Lesson confirmed").waitFor();
    await capture(student, "02-student-countdown");
    await capture(tutor, "03-tutor-countdown");

    // Jump to the join window: the tutor may start, the student may join.
    await jumpTo(tutor, "Join opens");
    const startButton = lesson(tutor).getByRole("button", { name: "Start session" });
    const joinButton = lesson(student).getByRole("button", { name: "Join session" });
    await Promise.all([startButton.waitFor(), joinButton.waitFor()]);
    await feed(tutor).getByText("Algebra (e2e) starts in 5 minutes").waitFor();
    await capture(tutor, "04-tutor-start");
    await capture(student, "05-student-join");

    // Tom starts and waits alone: the timer says for whom, and until when.
    await startButton.click();
    const tutorTimer = tutor.locator(".lk-timer");
    await tutorTimer.getByText("Waiting for the student to join").waitFor();
    expect(await tutorTimer.locator(".lk-timer__detail").textContent()).toMatch(
      /^If the student has not joined by (Mon|Tue|Wed|Thu|Fri|Sat|Sun), .* (AM|PM), the lesson counts as missed\.$/,
    );
    // The video panel speaks to a person: no channel, uid or token.
    const video = tutor.getByRole("region", { name: "Video" });
    await video.getByText("Video isn't available for this lesson").waitFor();
    expect(await video.textContent()).not.toMatch(/channel|uid|token|AGORA/i);
    await capture(tutor, "06-tutor-waiting");

    await joinButton.click();
    await student.locator(".lk-timer").getByText("Time left").waitFor();
    await tutorTimer.getByText("Time left").waitFor();
    // Started 5 minutes early, the timer holds the whole hour until the slot begins.
    const timer = student.getByRole("timer");
    await timer.filter({ hasText: "01:00:00" }).waitFor();
    await jumpTo(tutor, "Lesson starts");
    const left = () =>
      student.evaluate(() => {
        const match = /^(\d+):(\d{2}):(\d{2})$/.exec(document.querySelector('[role="timer"]')?.textContent ?? "");
        return match ? Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]) : null;
      });
    await expect.poll(left, { timeout: UI_TIMEOUT, interval: 250 }).toBeLessThan(3600);
    const first = (await left())!;
    expect(first).toBeGreaterThan(55 * 60);
    await expect.poll(left, { timeout: UI_TIMEOUT, interval: 250 }).toBeLessThan(first);

    // Tom's notes save as he types.
    const notes = "Quadratic equations: factoring and the discriminant.";
    await tutor.getByLabel(/Lesson notes/).pressSequentially(notes, { delay: 5 });
    await tutor.getByRole("status").filter({ hasText: "Notes saved" }).waitFor();
    const api = new LessonKit({ apiKey: lessonkit.secretKey, baseUrl: lessonkit.url });
    const [booking] = (await api.bookings.list({ student_id: "student_ana" })).data;
    expect(booking?.subject).toBe("Algebra (e2e)");
    const asTutor = await api.bookings.participantToken(booking!.id, "tutor");
    const saved = await new SessionClient({ token: asTutor.token, baseUrl: lessonkit.url }).status();
    expect(saved.notes).toBe(notes);
    await capture(tutor, "07-tutor-session");
    await capture(student, "08-student-session", { axe: true });

    // One minute before the end, in one jump: the last-minute look, in words.
    await jumpTo(tutor, "1 min before the end");
    for (const page of [student, tutor]) {
      const box = page.locator(".lk-timer");
      await box.getByText("Last minute").waitFor();
      expect(await box.getAttribute("data-state")).toBe("critical");
      // The last minute starts at 60 s left (01:00 shows for its first second), then counts down.
      expect(await box.getByRole("timer").textContent()).toMatch(/^00:(00:[0-5]\d|01:00)$/);
    }
    await capture(student, "09-student-last-minute");

    // A minute later: overtime, in its own look, saying when LessonKit closes the session.
    await step(tutor, "+1 min");
    for (const page of [student, tutor]) {
      const box = page.locator(".lk-timer");
      await box.getByText("Overtime").waitFor();
      expect(await box.getAttribute("data-state")).toBe("overtime");
      expect(await box.locator(".lk-timer__detail").textContent()).toMatch(
        /^The session closes automatically at (Mon|Tue|Wed|Thu|Fri|Sat|Sun), .* (AM|PM)\.$/,
      );
    }
    await capture(tutor, "10-tutor-overtime");

    // Tom ends the session. He reads his payout; Ana rates it and sees how to report a problem.
    await tutor.getByRole("button", { name: "End session" }).click();
    const tutorDialog = tutor.getByRole("dialog", { name: "Session completed" });
    await tutorDialog
      .getByText(/^Your payment of \$40\.00 will be released on (Mon|Tue|Wed|Thu|Fri|Sat|Sun), /)
      .waitFor();
    await capture(tutor, "11-tutor-completed");
    const dialog = student.getByRole("dialog", { name: "Session completed" });
    await dialog.getByText(/you can report a problem until/).waitFor();
    expect(await dialog.textContent()).not.toMatch(/\$40|tutor's payment/);
    await dialog.getByRole("radio", { name: "5 stars" }).check();
    await dialog.getByLabel(/Comment/).fill("Clear and patient.");
    await capture(student, "12-student-rating", { axe: true });
    await dialog.getByRole("button", { name: "Submit rating" }).click();
    await dialog.getByText("Thanks for your rating.").waitFor();
    await dialog.getByRole("button", { name: "Report a problem" }).click();
    await dialog.getByRole("textbox", { name: "What went wrong?" }).fill("The sound dropped twice.");
    await capture(student, "13-student-report-form");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.getByRole("button", { name: "Close" }).click();
    await tutorDialog.getByRole("button", { name: "Close" }).click();

    // Before the release: the tutor's money is pending.
    const balance = tutor.getByRole("region", { name: "Balance" });
    await balance.getByTestId("balance-pending").filter({ hasText: "$40.00" }).waitFor();
    expect(await balance.getByTestId("balance-released").textContent()).toBe("$0.00");
    await feed(tutor).getByText("New rating: 5★").waitFor();

    // Jump to the payout: the webhook lands in the tutor's feed, the balance moves.
    await jumpTo(tutor, "Payout to tutor");
    await feed(tutor).getByText("Payout sent").waitFor();
    await balance.getByTestId("balance-released").filter({ hasText: "$40.00" }).waitFor();
    expect(await balance.getByTestId("balance-pending").textContent()).toBe("$0.00");
    await lesson(tutor).getByText("Payment released to tutor").waitFor();
    await capture(tutor, "14-tutor-paid");

    // The student's feed is the student's: never the tutor's payout.
    await feed(student).getByText("Anything wrong?").waitFor();
    await expect.poll(() => feed(tutor).locator(".feed__item").count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(8);
    const studentFeed = (await feed(student).textContent()) ?? "";
    expect(studentFeed).not.toMatch(/\$40|paid to you|payout/i);
    await capture(student, "15-student-feed");

    // Every feed item has its time, and every date on the page is in one format.
    for (const page of [student, tutor]) {
      const items = feed(page).locator(".feed__item");
      const times = await items.locator("time").allTextContents();
      expect(times).toHaveLength(await items.count());
      const dates = [
        ...times,
        ...(await page.locator(".booking__when").allTextContents()).map((t) => t.split(" · ")[0]),
      ];
      for (const text of dates) expect(text).toMatch(DATE);
    }

    // A page whose token ran out gets a fresh one from the backend (what onTokenExpired calls);
    // only for the user's own booking.
    const renew = (as: string) =>
      fetch(`${demo.url}/api/bookings/${booking!.id}/token`, { method: "POST", headers: { "x-demo-user": as } });
    const renewed = await renew("student");
    expect(renewed.status).toBe(200);
    const { token } = (await renewed.json()) as { token: string };
    expect((await new SessionClient({ token, baseUrl: lessonkit.url }).status()).role).toBe("student");
    expect((await renew("nobody")).status).toBe(401);

    const escrow = (await api.bookings.get(booking!.id)).escrow;
    expect(escrow.status).toBe("released");
    expect(escrow.payout_amount).toBe(4000);
    // A redelivery carries the same webhook-id: the platform acknowledges it and adds nothing.
    const [held] = (await api.events.list({ type: "escrow.held", booking_id: booking!.id })).data;
    await api.events.redeliver(held!.id);
    const answered = async () =>
      (await api.events.get(held!.id)).deliveries.flatMap((d) => d.attempts).filter((a) => a.status_code === 204)
        .length;
    await expect.poll(answered, { timeout: UI_TIMEOUT, interval: 250 }).toBe(2);
    const notifications = await fetch(`${demo.url}/api/notifications`, { headers: { "x-demo-user": "tutor" } });
    const { notifications: items } = (await notifications.json()) as { notifications: { id: string }[] };
    expect(items.filter((n) => n.id === held!.id)).toHaveLength(1);
    const titles = await feed(tutor).locator(".feed__item strong").allTextContents();
    expect(titles.filter((t) => t === "Lesson confirmed")).toHaveLength(1);
    expect(titles.filter((t) => t === "Payout sent")).toHaveLength(1);
    expect(pageErrors).toEqual([]);
  });
});
