import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, signatureHeader } from "../../server/src/domain/webhooks/sign";
import { LessonKitError, verifyWebhook, type WebhookEvent, WebhookVerificationError } from "../src/index";

const NOW = Date.UTC(2030, 0, 1, 9, 0, 0);
const SECONDS = Math.floor(NOW / 1000);
const event: WebhookEvent = {
  id: "evt_123",
  type: "escrow.released",
  created_at: "2030-01-01T09:00:00.000Z",
  data: { booking_id: "bk_1", amount: 4000, note: "ünïcödé ✓" },
};
const body = JSON.stringify(event);

/** Headers the way the server's delivery code writes them (packages/server/src/domain/webhooks/sign.ts). */
function serverHeaders(secrets: string[], timestamp = SECONDS, payload = body) {
  return {
    "webhook-id": event.id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatureHeader(secrets, event.id, timestamp, payload),
  };
}

async function rejection(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  const error = await promise.then(
    () => {
      throw new Error("expected verification to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  expect(error).toBeInstanceOf(LessonKitError);
  return error as WebhookVerificationError;
}

describe("verifyWebhook", () => {
  it("accepts a signature made by the standardwebhooks package and returns the typed event", async () => {
    const secret = newWebhookSecret();
    const signature = new Webhook(secret).sign(event.id, new Date(NOW), body);
    const headers = { "webhook-id": event.id, "webhook-timestamp": String(SECONDS), "webhook-signature": signature };
    const verified = await verifyWebhook(body, headers, secret, { now: NOW });
    expect(verified).toEqual(event);
    expect(verified.type).toBe("escrow.released");
  });

  it("agrees with standardwebhooks on the server's own signatures", async () => {
    const secret = newWebhookSecret();
    const nowSeconds = Math.floor(Date.now() / 1000);
    const headers = serverHeaders([secret], nowSeconds);
    // The reference implementation (on the real clock) and verifyWebhook both accept what the server signs.
    expect(new Webhook(secret).verify(body, headers)).toEqual(event);
    await expect(verifyWebhook(body, headers, secret)).resolves.toEqual(event);
    // Both reject it under another secret.
    const other = newWebhookSecret();
    expect(() => new Webhook(other).verify(body, headers)).toThrow();
    expect((await rejection(verifyWebhook(body, headers, other))).code).toBe("invalid_signature");
  });

  it("accepts a fetch Headers object and raw bytes", async () => {
    const secret = newWebhookSecret();
    const bytes = new TextEncoder().encode(body);
    await expect(
      verifyWebhook(bytes, new Headers(serverHeaders([secret])), secret, { now: new Date(NOW) }),
    ).resolves.toEqual(event);
  });

  it("accepts any of several signatures (the server signs with old and new secret during a rotation)", async () => {
    const oldSecret = newWebhookSecret();
    const newSecret = newWebhookSecret();
    const headers = serverHeaders([oldSecret, newSecret]);
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    await expect(verifyWebhook(body, headers, oldSecret, { now: NOW })).resolves.toEqual(event);
    await expect(verifyWebhook(body, headers, newSecret, { now: NOW })).resolves.toEqual(event);
    // ...and a receiver that holds both secrets while it rotates.
    const onlyNew = serverHeaders([newSecret]);
    await expect(verifyWebhook(body, onlyNew, [oldSecret, newSecret], { now: NOW })).resolves.toEqual(event);
  });

  it("rejects a delivery signed with a secret it does not know", async () => {
    const error = await rejection(
      verifyWebhook(body, serverHeaders([newWebhookSecret()]), newWebhookSecret(), { now: NOW }),
    );
    expect(error.code).toBe("invalid_signature");
  });

  it("rejects a tampered body, id or timestamp", async () => {
    const secret = newWebhookSecret();
    const headers = serverHeaders([secret]);
    const tampered = body.replace("4000", "400000");
    expect((await rejection(verifyWebhook(tampered, headers, secret, { now: NOW }))).code).toBe("invalid_signature");
    const otherId = { ...headers, "webhook-id": "evt_other" };
    expect((await rejection(verifyWebhook(body, otherId, secret, { now: NOW }))).code).toBe("invalid_signature");
    const otherTime = { ...headers, "webhook-timestamp": String(SECONDS + 1) };
    expect((await rejection(verifyWebhook(body, otherTime, secret, { now: NOW }))).code).toBe("invalid_signature");
  });

  it("ignores signatures of other versions and garbage entries", async () => {
    const secret = newWebhookSecret();
    const real = serverHeaders([secret])["webhook-signature"].slice(3);
    const headers = { ...serverHeaders([secret]), "webhook-signature": `v1a,${real} v1,!!! v2,${real}` };
    expect((await rejection(verifyWebhook(body, headers, secret, { now: NOW }))).code).toBe("invalid_signature");
  });

  it("accepts timestamps within ±5 minutes and rejects those outside", async () => {
    const secret = newWebhookSecret();
    for (const skew of [-300, 300]) {
      await expect(verifyWebhook(body, serverHeaders([secret], SECONDS + skew), secret, { now: NOW })).resolves.toEqual(
        event,
      );
    }
    for (const skew of [-301, 301]) {
      const error = await rejection(verifyWebhook(body, serverHeaders([secret], SECONDS + skew), secret, { now: NOW }));
      expect(error.code).toBe("timestamp_out_of_tolerance");
    }
    // The default clock is the real one: a delivery signed for 2030 is rejected today.
    expect((await rejection(verifyWebhook(body, serverHeaders([secret]), secret))).code).toBe(
      "timestamp_out_of_tolerance",
    );
  });

  it("rejects missing headers, a malformed timestamp, a bad secret and a non-JSON body", async () => {
    const secret = newWebhookSecret();
    const headers = serverHeaders([secret]);
    const { "webhook-signature": _, ...unsigned } = headers;
    expect((await rejection(verifyWebhook(body, unsigned, secret, { now: NOW }))).code).toBe("missing_headers");
    const badTime = { ...headers, "webhook-timestamp": "soon" };
    expect((await rejection(verifyWebhook(body, badTime, secret, { now: NOW }))).code).toBe("invalid_timestamp");
    expect((await rejection(verifyWebhook(body, headers, "whsec_not base64!", { now: NOW }))).code).toBe(
      "invalid_secret",
    );
    expect((await rejection(verifyWebhook(body, headers, [], { now: NOW }))).code).toBe("invalid_secret");
    const notJson = "not json";
    const signed = serverHeaders([secret], SECONDS, notJson);
    expect((await rejection(verifyWebhook(notJson, signed, secret, { now: NOW }))).code).toBe("invalid_payload");
  });
});
