import { type Booking, LessonKit } from "@lessonkit/sdk";
import { describe, expect, it } from "vitest";
// Signed with LessonKit's own delivery code.
import { newWebhookSecret, signatureHeader } from "../../../packages/server/src/domain/webhooks/sign";
import { createDemoApp } from "../server/app";

const secret = newWebhookSecret();

const booking = {
  id: "bk_1",
  subject: "Chemistry",
  student: { id: "student_ana", name: "Ana" },
  tutor: { id: "tutor_tom", name: "Tom", stripe_account: null },
  scheduled_start: "2030-01-01T10:00:00.000Z",
  join_opens_at: "2030-01-01T09:55:00.000Z",
  session: { started_by: null, ended_by: null },
  escrow: { amount: 5000, currency: "usd", tutor_amount: 4000, payout_amount: null, release_at: null },
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
  const post = (id: string, type: string, secrets = [secret], data: unknown = { booking }) => {
    const body = JSON.stringify({ id, type, created_at: new Date().toISOString(), data });
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
  it("turns a verified event into a notification for both participants, once per webhook-id", async () => {
    const { post, feed } = setup();
    expect((await post("evt_held", "escrow.held")).status).toBe(204);
    expect((await post("evt_held", "escrow.held")).status).toBe(204);
    await settle();
    const items = feed.forUser("tutor_tom");
    expect(items.map((n) => [n.id, n.title])).toEqual([["evt_held", "Payment held"]]);
    expect(items[0]?.body).toBe("$50.00 for Chemistry is held in escrow until the lesson.");
    expect(feed.forUser("student_ana")).toHaveLength(1);
    expect(feed.forUser("someone_else")).toEqual([]);
  });

  it("rejects a delivery signed with another secret", async () => {
    const { post, feed } = setup();
    expect((await post("evt_forged", "escrow.released", [newWebhookSecret()])).status).toBe(400);
    await settle();
    expect(feed.forUser("tutor_tom")).toEqual([]);
  });

  it("says when the join window opens (that event carries only the booking id)", async () => {
    const { post, feed } = setup();
    await post("evt_held", "escrow.held");
    await settle();
    const data = { booking_id: booking.id, join_opens_at: booking.join_opens_at };
    expect((await post("evt_window", "session.join_window_opened", [secret], data)).status).toBe(204);
    await settle();
    expect(feed.forUser("student_ana").map((n) => n.title)).toContain("Session starts in 5 minutes");
  });
});
