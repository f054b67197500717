import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
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

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const feed = (page: Page) => page.getByRole("region", { name: "Notifications" });
const lesson = (page: Page) => page.locator("li.booking").filter({ hasText: "Algebra (e2e)" });
const timeTravel = (page: Page, label: string) =>
  page.getByRole("group", { name: "Time travel" }).getByRole("button", { name: label }).click();

// Skipped only when this run has no browser (the global setup said why and how to get one).
describe.skipIf(!chromiumPath())("platform demo, end to end in Chromium", () => {
  it("books, pays, starts, joins, takes notes, ends, rates and pays the tutor 24 hours later", async () => {
    onTestFailed(async () => {
      await Promise.allSettled([shot(student, "failed-student"), shot(tutor, "failed-tutor")]);
      console.error(`--- lessonkit output ---\n${lessonkit.output()}\npage errors: ${pageErrors.join("\n")}`);
    });
    // Ana books a lesson starting in 10 minutes and pays with the sandbox card.
    await student.getByLabel("Subject").fill("Algebra (e2e)");
    await student.getByLabel("Starts").selectOption("10");
    await student.getByRole("button", { name: "Book lesson" }).click();
    await lesson(student)
      .getByRole("button", { name: /Pay \$50\.00/ })
      .click();

    // Both see the action button counting down to the join window (which opens 5 minutes before).
    for (const page of [student, tutor]) {
      await lesson(page)
        .locator('.lk-action[data-state="upcoming"]')
        .filter({ hasText: /^In \d+ minutes?/ })
        .waitFor();
    }
    await feed(student).getByText("Payment held").waitFor();
    await shot(student, "01-student-booked-countdown");
    await shot(tutor, "02-tutor-bookings-countdown");

    // Time travel to 5 minutes before the start: the tutor may start, the student may join.
    await timeTravel(tutor, "+5 min");
    const start = lesson(tutor).getByRole("button", { name: "Start session" });
    const join = lesson(student).getByRole("button", { name: "Join session" });
    await Promise.all([start.waitFor(), join.waitFor()]);
    await feed(tutor).getByText("Session starts in 5 minutes").waitFor();
    await shot(tutor, "03-tutor-start-session");
    await shot(student, "04-student-join-session");

    // Tom starts, Ana joins: both are on the session screen with LessonKit's timer.
    await start.click();
    await tutor.getByText("Waiting for Ana to join…").waitFor();
    await join.click();
    await student.getByText("Tom is here").waitFor();
    await tutor.getByText("Ana is here").waitFor();
    await student.getByText("Video is off").waitFor();

    // Started 5 minutes early, the timer holds the whole hour until the slot begins; at the start
    // (+5 min on the test clock) it counts down.
    const timer = student.getByRole("timer");
    await timer.filter({ hasText: "01:00:00" }).waitFor();
    await tutor.getByRole("timer").filter({ hasText: "01:00:00" }).waitFor();
    await timeTravel(tutor, "+5 min");
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
    await shot(tutor, "05-tutor-session");
    await shot(student, "06-student-session");

    // Tom ends the session; Ana rates it in the completion dialog.
    await tutor.getByRole("button", { name: "End session" }).click();
    await tutor
      .getByRole("dialog")
      .getByText(/Your payment will be released on/)
      .waitFor();
    const dialog = student.getByRole("dialog");
    await dialog.getByText("Session completed").waitFor();
    await dialog.getByRole("radio", { name: "5 stars" }).check();
    await dialog.getByLabel(/Comment/).fill("Clear and patient.");
    await dialog.getByRole("button", { name: "Submit rating" }).click();
    await dialog.getByText("Thanks for your rating.").waitFor();
    await shot(student, "07-student-rated");
    await tutor.getByRole("dialog").getByRole("button", { name: "Close" }).click();

    // Before the release: the tutor's money is pending.
    const balance = tutor.getByRole("region", { name: "Balance" });
    await balance.getByTestId("balance-pending").filter({ hasText: "$40.00" }).waitFor();
    expect(await balance.getByTestId("balance-released").textContent()).toBe("$0.00");
    await feed(tutor).getByText("Lesson rated 5★").waitFor();

    // 24 hours later the escrow is released: the webhook lands in the feed, the balance moves.
    await timeTravel(tutor, "+24 h");
    await feed(tutor).getByText("Payment released to tutor").waitFor();
    await feed(student).getByText("Payment released to tutor").waitFor();
    await balance.getByTestId("balance-released").filter({ hasText: "$40.00" }).waitFor();
    expect(await balance.getByTestId("balance-pending").textContent()).toBe("$0.00");
    await lesson(tutor).getByText("Payment released to tutor").waitFor();
    await shot(tutor, "08-tutor-paid");
    await shot(student, "09-student-feed");

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
    expect(titles.filter((t) => t === "Payment held")).toHaveLength(1);
    expect(titles.filter((t) => t === "Payment released to tutor")).toHaveLength(1);
    expect(pageErrors).toEqual([]);
  });
});
