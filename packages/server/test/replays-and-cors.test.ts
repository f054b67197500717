import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, HOUR, MINUTE, paidBooking, type TestServer } from "./harness";

/**
 * What a response carries whatever path it took: an Idempotency-Key replay keeps its Request-Id (and
 * on a participant route its CORS grant), and a participant request refused before its handler (413)
 * is still readable by the page that sent it.
 */
describe("replays and early refusals keep their headers", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await createTestServer();
  });
  afterEach(() => server.close());

  it("an Idempotency-Key replay on a participant route still carries the CORS and Request-Id headers", async () => {
    const { key } = await server.createTenant();
    const lesson = await paidBooking(server, key);
    server.clock.advance(2 * HOUR - 5 * MINUTE);
    const init = {
      key: lesson.tutor,
      body: {},
      headers: { Origin: "https://platform.example", "Idempotency-Key": "start-once" },
    };
    const first = await server.call("POST", `/v1/sessions/${lesson.id}/start`, init);
    expect(first.status).toBe(200);
    expect(first.headers.get("access-control-allow-origin")).toBe("*");

    // The browser SDK retries a POST whose response it lost with the same key: it gets the replay.
    const replay = await server.call("POST", `/v1/sessions/${lesson.id}/start`, init);
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.headers.get("access-control-allow-origin")).toBe("*");
    expect(replay.headers.get("access-control-expose-headers")).toContain("Request-Id");
  });

  it("an Idempotency-Key replay on a tenant route still carries its Request-Id", async () => {
    const { key } = await server.createTenant();
    const lesson = await paidBooking(server, key);
    const init = {
      key,
      body: { by: "platform", reason: "requested_by_customer" },
      headers: { "Idempotency-Key": "cancel-once" },
    };
    const first = await server.call("POST", `/v1/bookings/${lesson.id}/cancel`, init);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.headers.get("request-id")).toMatch(/^req_/);
    const replay = await server.call("POST", `/v1/bookings/${lesson.id}/cancel`, init);
    expect(replay.status).toBe(first.status);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.headers.get("request-id") ?? "missing").toMatch(/^req_/);
  });

  it("a participant request refused for its body size (413) still carries the CORS header", async () => {
    const { key } = await server.createTenant();
    const lesson = await paidBooking(server, key);
    const res = await server.call("PUT", `/v1/sessions/${lesson.id}/notes`, {
      key: lesson.tutor,
      body: { notes: "x".repeat(300 * 1024) },
      headers: { Origin: "https://platform.example" },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("body_too_large");
    // Without it the platform's page cannot read why its call failed.
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });
});
