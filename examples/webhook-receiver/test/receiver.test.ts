import type { WebhookEvent } from "@lessonkit/sdk";
import { describe, expect, it } from "vitest";
// Signed with LessonKit's own delivery code, exactly as the server signs every webhook.
import { newWebhookSecret, signatureHeader } from "../../../packages/server/src/domain/webhooks/sign";
import { createReceiver } from "../receiver";

const secret = newWebhookSecret();

function delivery(event: { id: string; type: string; data?: unknown }, secrets = [secret]) {
  const body = JSON.stringify({ created_at: new Date().toISOString(), data: {}, ...event });
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "webhook-id": event.id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signatureHeader(secrets, event.id, timestamp, body),
    },
  };
}

function setup(handle: (event: WebhookEvent) => Promise<void> | void = () => {}) {
  const handled: WebhookEvent[] = [];
  const app = createReceiver({
    secret,
    handle: async (event) => {
      handled.push(event);
      await handle(event);
    },
  });
  const post = (request: { body: string; headers: Record<string, string> }) =>
    app.request("/lessonkit/webhooks", { method: "POST", ...request });
  return { handled, post };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("webhook receiver", () => {
  it("acknowledges a genuine delivery before processing it, then processes it", async () => {
    let release!: () => void;
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    let finished = false;
    const { handled, post } = setup(async () => {
      await slow;
      finished = true;
    });
    const response = await post(delivery({ id: "evt_1", type: "escrow.held" }));
    expect(response.status).toBe(204);
    expect(finished).toBe(false); // answered while the work had not run yet
    await settle();
    expect(handled.map((e) => [e.id, e.type])).toEqual([["evt_1", "escrow.held"]]);
    release();
    await slow;
    await settle();
    expect(finished).toBe(true);
  });

  it("processes a webhook-id once, however often it arrives", async () => {
    const { handled, post } = setup();
    const first = delivery({ id: "evt_dup", type: "escrow.released" });
    expect((await post(first)).status).toBe(204);
    expect((await post(first)).status).toBe(204); // the very same request again
    // A retry is signed afresh (new timestamp), with the same id.
    expect((await post(delivery({ id: "evt_dup", type: "escrow.released" }))).status).toBe(204);
    await settle();
    expect(handled.map((e) => e.id)).toEqual(["evt_dup"]);
  });

  it("rejects a bad signature, a tampered body and missing headers with 400 and processes nothing", async () => {
    const { handled, post } = setup();
    const forged = delivery({ id: "evt_forged", type: "escrow.released" }, [newWebhookSecret()]);
    expect((await post(forged)).status).toBe(400);

    const genuine = delivery({ id: "evt_tampered", type: "escrow.held", data: { amount: 5000 } });
    const tampered = { ...genuine, body: genuine.body.replace("5000", "9999999") };
    expect((await post(tampered)).status).toBe(400);

    const { "webhook-signature": _dropped, ...unsigned } = genuine.headers;
    expect((await post({ body: genuine.body, headers: unsigned })).status).toBe(400);
    await settle();
    expect(handled).toEqual([]);

    // The rejected id was not remembered: the genuine delivery is still processed.
    expect((await post(genuine)).status).toBe(204);
    await settle();
    expect(handled.map((e) => e.id)).toEqual(["evt_tampered"]);
  });

  it("accepts a delivery during a secret rotation (two signatures, one ours)", async () => {
    const { handled, post } = setup();
    const response = await post(delivery({ id: "evt_rotated", type: "booking.created" }, [newWebhookSecret(), secret]));
    expect(response.status).toBe(204);
    await settle();
    expect(handled.map((e) => e.id)).toEqual(["evt_rotated"]);
  });

  it("forgets an id whose processing failed, so a redelivery is processed again", async () => {
    let attempts = 0;
    const errors = console.error;
    console.error = () => {};
    try {
      const { handled, post } = setup(() => {
        attempts += 1;
        if (attempts === 1) throw new Error("database down");
      });
      const request = delivery({ id: "evt_retry", type: "session.ended" });
      expect((await post(request)).status).toBe(204);
      await settle();
      await settle();
      expect((await post(request)).status).toBe(204);
      await settle();
      expect(handled.map((e) => e.id)).toEqual(["evt_retry", "evt_retry"]);
      expect(attempts).toBe(2);
    } finally {
      console.error = errors;
    }
  });
});
