import { afterEach, describe, expect, it } from "vitest";
import { startTickLoop } from "../src/jobs/tick";
import { startDeliveryWorker } from "../src/jobs/webhooks";
import { createLogger } from "../src/lib/logger";
import { runScript, waitFor } from "./cli-process";
import { ADMIN_KEY, AGORA, bookingBody, createTestServer, HOUR, type Json, paidBooking, SECRET } from "./harness";
import { CONNECT_WEBHOOK_SECRET, createStripeTestServer, SECRET_KEY, WEBHOOK_SECRET } from "./stripe-mock";
import { Receiver } from "./webhook-receiver";

/** A logger whose lines are kept as text, as an operator's log collector would get them. */
function capturedLogger(level = "info", format: "json" | "pretty" = "json") {
  let text = "";
  const logger = createLogger({
    level,
    format,
    destination: {
      write(chunk: string) {
        text += chunk;
      },
    },
  });
  return {
    logger,
    text: () => text,
    lines: (): Json[] =>
      text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Json),
  };
}

const closers: { close(): unknown }[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c.close();
});

describe("request logs", () => {
  it("write one JSON line per request: time, level, request id, tenant, method, route pattern, status, duration", async () => {
    const log = capturedLogger();
    const server = await createTestServer({ logger: log.logger });
    closers.push(server);
    const { tenant, key } = await server.createTenant();
    const lesson = await paidBooking(server, key);
    const before = log.lines().length;

    const got = await server.call("GET", `/v1/bookings/${lesson.id}`, { key });
    const poll = await server.call("GET", `/v1/sessions/${lesson.id}`, { key: lesson.student });
    const refused = await server.call("GET", `/v1/sessions/${lesson.id}`, { key: "lk_pt_forged" });
    const missing = await server.call("GET", "/v1/nowhere/at/all");
    const unauthenticated = await server.call("GET", `/v1/bookings/${lesson.id}`);

    const lines = log.lines().slice(before);
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(line).toMatchObject({ level: "info", msg: "request", method: "GET" });
      expect(new Date(line.time).toISOString()).toBe(line.time);
      expect(typeof line.duration_ms).toBe("number");
      expect(line.request_id).toMatch(/^req_/);
    }
    const [bookingLine, pollLine, refusedLine, missingLine, unauthenticatedLine] = lines;
    expect(bookingLine).toMatchObject({
      request_id: got.headers.get("request-id"),
      tenant_id: tenant.id,
      route: "/v1/bookings/:id",
      status: 200,
    });
    // The status poll is served ahead of the middleware chain, and logged all the same.
    expect(pollLine).toMatchObject({
      request_id: poll.headers.get("request-id"),
      tenant_id: tenant.id,
      route: "/v1/sessions/:bookingId",
      status: 200,
    });
    expect(refusedLine).toMatchObject({
      request_id: refused.body.error.request_id,
      route: "/v1/sessions/:bookingId",
      status: 401,
    });
    expect(refusedLine?.tenant_id).toBeUndefined();
    expect(missingLine).toMatchObject({ route: "unmatched", status: 404, request_id: missing.body.error.request_id });
    expect(unauthenticatedLine).toMatchObject({
      route: "/v1/bookings/:id",
      status: 401,
      request_id: unauthenticated.body.error.request_id,
    });
    // Patterns, never paths: no booking id in any line.
    expect(log.text()).not.toContain(lesson.id);
  });

  it("an unexpected error: its stack in the log with the request id, never in the response", async () => {
    const log = capturedLogger();
    const server = await createTestServer({
      logger: log.logger,
      video: {
        issue() {
          throw new TypeError("the video adapter broke");
        },
      },
    });
    closers.push(server);
    const { key } = await server.createTenant();
    const lesson = await paidBooking(server, key, {}, 3 * 60_000);
    const started = await server.call("POST", `/v1/sessions/${lesson.id}/start`, { key: lesson.tutor });

    expect(started.status).toBe(500);
    expect(started.body).toEqual({
      error: {
        type: "api_error",
        code: "internal_error",
        message: expect.any(String),
        request_id: started.headers.get("request-id"),
      },
    });
    expect(JSON.stringify(started.body)).not.toMatch(/video adapter|TypeError|\bat \w/);
    const lines = log.lines();
    const error = lines.find((line) => line.level === "error");
    expect(error).toMatchObject({ msg: "unexpected error", request_id: started.headers.get("request-id") });
    expect(error?.err).toMatchObject({ type: "TypeError", message: "the video adapter broke" });
    expect(error?.err.stack).toMatch(/TypeError: the video adapter broke\n\s+at /);
    expect(lines.at(-1)).toMatchObject({ route: "/v1/sessions/:bookingId/start", status: 500 });
  });

  it("LESSONKIT_LOG_LEVEL filters lines; the development format is readable text", async () => {
    const quiet = capturedLogger("warn");
    const server = await createTestServer({ logger: quiet.logger });
    closers.push(server);
    await server.createTenant();
    expect(quiet.text()).toBe("");

    const pretty = capturedLogger("info", "pretty");
    const dev = await createTestServer({ logger: pretty.logger, mode: "development" });
    closers.push(dev);
    await dev.createTenant();
    expect(pretty.text()).toMatch(/INFO.*: POST \/v1\/admin\/tenants 200 [\d.]+ms\n\s+request_id: "req_/);
    expect(pretty.text()).not.toMatch(/^\{/m);
  });
});

describe("no secret ever reaches a log", () => {
  it("a whole Stripe journey with webhooks, participant tokens, Agora credentials, errors, ticks and deliveries", async () => {
    const log = capturedLogger("trace");
    const receiver = await new Receiver().start();
    closers.push(receiver);
    const s = await createStripeTestServer({ logger: log.logger, mode: "development" });
    closers.push(s);
    const secrets: Record<string, string> = {
      "tenant secret key": s.key,
      "Stripe secret key": SECRET_KEY,
      "Stripe webhook secret": WEBHOOK_SECRET,
      "Stripe Connect webhook secret": CONNECT_WEBHOOK_SECRET,
      "admin key": ADMIN_KEY,
      "server secret": SECRET,
      "fallback Agora certificate": AGORA.appCertificate,
    };

    // The tenant's own Agora settings, a webhook endpoint (and a rotated secret), a second tenant.
    const certificate = "0123456789abcdef0123456789abcdef".split("").reverse().join("");
    secrets["tenant Agora certificate"] = certificate;
    const patched = await s.call("PATCH", "/v1/tenant", {
      key: s.key,
      body: { agora: { app_id: "a".repeat(32), app_certificate: certificate } },
    });
    expect(patched.status).toBe(200);
    const endpoint = await s.call("POST", "/v1/webhook-endpoints", { key: s.key, body: { url: receiver.url() } });
    expect(endpoint.status).toBe(200);
    secrets["webhook signing secret"] = endpoint.body.secret;
    const rotated = await s.call("POST", `/v1/webhook-endpoints/${endpoint.body.id}/rotate-secret`, {
      key: s.key,
      body: {},
    });
    secrets["rotated webhook signing secret"] = rotated.body.secret;
    const other = await s.createTenant();
    secrets["second tenant's secret key"] = other.key;

    // A lesson from booking to release, with every participant route and the status poll.
    const lesson = await s.paidBooking();
    const tokens = await s.call("POST", `/v1/bookings/${lesson.id}/participant-tokens`, {
      key: s.key,
      body: { role: "student" },
    });
    secrets["participant token (minted)"] = tokens.body.token;
    const ended = await s.runSession(lesson.id);
    expect(ended.status).toBe("completed");
    const poll = await s.call("GET", `/v1/sessions/${lesson.id}`, { key: tokens.body.token });
    expect(poll.status).toBe(200);
    const student = await s.call("POST", `/v1/bookings/${lesson.id}/participant-tokens`, {
      key: s.key,
      body: { role: "tutor" },
    });
    secrets["participant token (tutor)"] = student.body.token;
    const notes = await s.call("PUT", `/v1/sessions/${lesson.id}/notes`, {
      key: student.body.token,
      body: { notes: "Worked on factoring" },
    });
    expect(notes.status).toBe(200);

    // Refusals that carry a secret in the request: a key where a token belongs and back, a forged
    // Stripe signature, a bad admin key, a secret key sent as a body field.
    await s.call("GET", `/v1/sessions/${lesson.id}`, { key: s.key });
    await s.call("GET", "/v1/bookings", { key: tokens.body.token });
    await s.call("POST", "/v1/admin/tenants", { key: s.key, body: {} });
    await s.call("POST", "/v1/bookings", { key: s.key, body: { ...bookingBody(s.clock), secret: s.key } });
    expect((await s.deliver({ type: "charge.refunded" }, { secret: "whsec_wrong" })).status).toBe(400);

    // Stripe fails the release for a while (logged as the tick's failure count), then pays it.
    s.clock.advance(24 * HOUR);
    s.fake.inject(/\/v1\/transfers$/, { status: 500 }, 20);
    const ticks = () => log.lines().filter((line) => line.msg === "tick").length;
    const tickOnce = async () => {
      const before = ticks();
      const loop = startTickLoop(s.deps, HOUR, log.logger);
      await waitFor(() => ticks() > before);
      await loop.stop();
    };
    await tickOnce();
    s.fake.clearFaults();
    s.clock.advance(HOUR);
    await tickOnce();
    expect(await s.escrow(lesson.escrowId)).toMatchObject({ status: "released" });

    // The delivery worker sends the events to the receiver, signed with the secrets above.
    const worker = startDeliveryWorker(s.deps, { logger: log.logger, pollMs: 10 });
    await receiver.waitFor(5, 10_000);
    await worker.stop();

    const text = log.text();
    // The log is not empty: requests, ticks and delivery batches are all in it.
    expect(log.lines().filter((line) => line.msg === "request").length).toBeGreaterThan(20);
    expect(log.lines().filter((line) => line.msg === "tick")).toMatchObject([
      { release_failures: 1, released: 0 },
      { released: 1 },
    ]);
    expect(log.lines().some((line) => line.msg === "webhook batch" && line.succeeded > 0)).toBe(true);
    // …and none of the secrets is.
    const leaked = Object.entries(secrets).filter(([, secret]) => text.includes(secret));
    expect(leaked.map(([name]) => name)).toEqual([]);
    expect(text).not.toMatch(/lk_sk_[A-Za-z0-9]|lk_pt_[A-Za-z0-9]|whsec_[A-Za-z0-9]|sk_test_[A-Za-z0-9]/);
  });
});

describe("the last lines before an exit", () => {
  // `lessonkit start` logs "stopped" and exits at once: the line still being written then must not be
  // lost (it was, now and then, when the exit only flushed synchronously what was not yet in flight).
  it("are all written, in order, the last one too", async () => {
    for (let round = 0; round < 5; round++) {
      const run = runScript("test/logger-exit-child.ts", [], { LINES: "2000", PAUSE_MS: "50" });
      expect(await run.exited).toBe(0);
      const lines = run.lines();
      expect(lines.map((line) => line.n)).toEqual(Array.from({ length: 2000 }, (_, n) => n + 1));
      expect(lines.at(-1)).toMatchObject({ msg: "last" });
    }
  });
});
