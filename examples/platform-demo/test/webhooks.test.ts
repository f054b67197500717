import { type Booking, LessonKit } from "@lessonkit/sdk";
import { describe, expect, it } from "vitest";
// Signed with LessonKit's own delivery code.
import { newWebhookSecret, signatureHeader } from "../../../packages/server/src/domain/webhooks/sign";
import { createDemoApp } from "../server/app";
import { FEED_LENGTH } from "../server/notifications";
import { USERS } from "../server/users";

const secret = newWebhookSecret();

const booking = {
  id: "bk_1",
  subject: "Chemistry",
  student: { id: "student_ana", name: "Ana" },
  tutor: { id: "tutor_tom", name: "Tom", stripe_account: null },
  scheduled_start: "2030-01-01T10:00:00.000Z",
  join_opens_at: "2030-01-01T09:55:00.000Z",
  session: { started_by: null, ended_by: null },
  escrow: {
    amount: 5000,
    currency: "usd",
    tutor_amount: 4000,
    payout_amount: 4000,
    release_at: "2030-01-02T11:00:00.000Z",
  },
} as unknown as Booking;

function setup() {
  // The events below carry their booking (or follow one that did), so the app never calls LessonKit.
  const lessonkit = new LessonKit({ apiKey: "lk_sk_unused", baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
  const { app, feed } = createDemoApp({
    lessonkit,
    lessonkitUrl: "http://127.0.0.1:9",
    webhookSecret: () => secret,
    agoraEnabled: false,
    log: () => {},
  });
  const post = (id: string, type: string, secrets = [secret], data: unknown = { booking }, createdAt = new Date()) => {
    const body = JSON.stringify({ id, type, created_at: createdAt.toISOString(), data });
    const timestamp = Math.floor(Date.now() / 1000);
    return app.request("/webhooks/lessonkit", {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signatureHeader(secrets, id, timestamp, body),
      },
    });
  };
  return { post, feed };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("the demo backend's webhook endpoint", () => {
  it("turns a verified event into a notification for each participant in their own words, once per webhook-id", async () => {
    const { post, feed } = setup();
    expect((await post("evt_held", "escrow.held")).status).toBe(204);
    expect((await post("evt_held", "escrow.held")).status).toBe(204);
    await settle();
    expect(feed.forUser(USERS.student).map((n) => [n.id, n.title, n.body])).toEqual([
      ["evt_held", "Payment received", "Your $50.00 for Chemistry is held safely until after the lesson."],
    ]);
    expect(feed.forUser(USERS.tutor).map((n) => [n.title, n.body])).toEqual([
      ["Lesson confirmed", "Ana paid for Chemistry."],
    ]);
    expect(feed.forUser({ id: "someone_else", role: "tutor" })).toEqual([]);
    // The right role with someone else's id sees nothing either.
    expect(feed.forUser({ id: "tutor_tim", role: "tutor" })).toEqual([]);
  });

  it("never tells the student about the tutor's payout, and dates travel as data for the page to format", async () => {
    const { post, feed } = setup();
    await post("evt_sched", "escrow.release_scheduled");
    await post("evt_paid", "escrow.released");
    await post("evt_rated", "rating.submitted", [secret], { booking, rating: { stars: 5 } });
    await settle();
    const student = feed.forUser(USERS.student);
    expect(student.map((n) => n.title).sort()).toEqual(["Anything wrong?", "Thanks for your rating"]);
    expect(JSON.stringify(student)).not.toMatch(/\$40|paid to you|payout/i);
    const scheduled = student.find((n) => n.id === "evt_sched");
    expect(scheduled).toMatchObject({
      body: "You can report a problem with Chemistry until {date}.",
      date: "2030-01-02T11:00:00.000Z",
    });
    const tutor = feed.forUser(USERS.tutor);
    expect(tutor.map((n) => n.title).sort()).toEqual(["New rating: 5★", "Payout scheduled", "Payout sent"]);
    expect(tutor.find((n) => n.id === "evt_paid")?.body).toBe("$40.00 for Chemistry was paid to you.");
  });

  it("shows each user only the newest notifications", async () => {
    const { post, feed } = setup();
    const base = Date.parse("2030-01-01T08:00:00.000Z");
    for (let i = 0; i < FEED_LENGTH + 5; i++) {
      await post(`evt_${i}`, "escrow.held", [secret], { booking }, new Date(base + i * 60_000));
    }
    await settle();
    const items = feed.forUser(USERS.student);
    expect(items).toHaveLength(FEED_LENGTH);
    expect(items[0]?.id).toBe(`evt_${FEED_LENGTH + 4}`);
    expect(items.at(-1)?.id).toBe("evt_5");
  });

  it("rejects a delivery signed with another secret", async () => {
    const { post, feed } = setup();
    expect((await post("evt_forged", "escrow.released", [newWebhookSecret()])).status).toBe(400);
    await settle();
    expect(feed.forUser(USERS.tutor)).toEqual([]);
  });

  it("says when the join window opens (that event carries only the booking id)", async () => {
    const { post, feed } = setup();
    await post("evt_held", "escrow.held");
    await settle();
    const data = { booking_id: booking.id, join_opens_at: booking.join_opens_at };
    expect((await post("evt_window", "session.join_window_opened", [secret], data)).status).toBe(204);
    await settle();
    expect(feed.forUser(USERS.student).map((n) => n.title)).toContain("Chemistry starts in 5 minutes");
  });
});
