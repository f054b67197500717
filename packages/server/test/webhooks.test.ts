import { eq } from "drizzle-orm";
import { WebhookVerificationError } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { webhookAttempts, webhookDeliveries } from "../src/db/schema";
import { emitEvent } from "../src/domain/events/emit";
import { claimDueDeliveries, deliverDueWebhooks, RETRY_SCHEDULE_MS } from "../src/domain/webhooks/deliver";
import { startDeliveryWorker } from "../src/jobs/webhooks";
import { ManualClock } from "../src/ports/clock";
import {
  bookingBody,
  createTestServer,
  HOUR,
  type Json,
  MINUTE,
  paidBooking,
  type TestServer,
  type TestServerOptions,
  tempDatabaseUrl,
} from "./harness";
import { Receiver, signedBy, verifyWith } from "./webhook-receiver";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A development-mode server (loopback receivers allowed) whose clock starts at the real time. */
async function setup(options: TestServerOptions = {}) {
  const receiver = await new Receiver().start();
  cleanups.push(() => receiver.close());
  const server = await createTestServer({ mode: "development", clock: new ManualClock(Date.now()), ...options });
  cleanups.push(() => server.close());
  const { key, tenant } = await server.createTenant();
  return { server, receiver, key, tenant };
}

async function addEndpoint(server: TestServer, key: string, body: Json) {
  const res = await server.call("POST", "/v1/webhook-endpoints", { key, body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Json & { id: string; secret: string };
}

async function book(server: TestServer, key: string, startsIn = 2 * HOUR) {
  const res = await server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock, {}, startsIn) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id as string;
}

/** The event of `type` about `bookingId`, as GET /v1/events lists it. */
async function eventOf(server: TestServer, key: string, type: string, bookingId: string) {
  const res = await server.call("GET", `/v1/events?type=${type}&booking_id=${bookingId}`, { key });
  expect(res.status).toBe(200);
  expect(res.body.data).toHaveLength(1);
  return res.body.data[0] as Json;
}

/** GET /v1/events/{id}: the event with its deliveries and their attempts. */
async function eventWithDeliveries(server: TestServer, key: string, eventId: string) {
  const res = await server.call("GET", `/v1/events/${eventId}`, { key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/**
 * Moves the clock to one millisecond before the delivery's next attempt (nothing is sent), then
 * to the moment itself (it is sent). Returns the delay the schedule chose.
 */
async function runNextAttempt(server: TestServer, key: string, eventId: string): Promise<number> {
  const [delivery] = (await eventWithDeliveries(server, key, eventId)).deliveries;
  expect(delivery.status).toBe("pending");
  const due = Date.parse(delivery.next_attempt_at);
  const last = delivery.attempts.at(-1);
  server.clock.set(due - 1);
  expect(await deliverDueWebhooks(server.deps)).toBe(0);
  server.clock.set(due);
  expect(await deliverDueWebhooks(server.deps)).toBe(1);
  return due - Date.parse(last.attempted_at);
}

function expectWithinJitter(delay: number, scheduled: number) {
  expect(delay).toBeGreaterThanOrEqual(Math.floor(scheduled * 0.9));
  expect(delay).toBeLessThanOrEqual(Math.ceil(scheduled * 1.1));
}

describe("signed deliveries", () => {
  it("POSTs {id, type, created_at, data} with Standard Webhooks headers that standardwebhooks verifies", async () => {
    const { server, receiver, key } = await setup();
    const endpoint = await addEndpoint(server, key, { url: receiver.url() });
    const bookingId = await book(server, key);

    expect(await deliverDueWebhooks(server.deps)).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    if (!request) throw new Error("nothing received");
    const event = await eventOf(server, key, "booking.created", bookingId);

    expect(request.method).toBe("POST");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["webhook-id"]).toBe(event.id);
    expect(request.headers["webhook-timestamp"]).toBe(String(Math.floor(server.clock.now() / 1000)));
    expect(request.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);

    const payload = verifyWith(endpoint.secret, request) as Json;
    expect(Object.keys(payload).sort()).toEqual(["created_at", "data", "id", "type"]);
    expect(payload).toEqual({ id: event.id, type: "booking.created", created_at: event.created_at, data: event.data });
    expect(payload.data.booking.id).toBe(bookingId);

    // A different secret, a changed body or a changed id are all refused by the verifier.
    const other = await addEndpoint(server, key, { url: receiver.url("/other") });
    expect(() => verifyWith(other.secret, request)).toThrow(WebhookVerificationError);
    expect(() => verifyWith(endpoint.secret, { ...request, body: request.body.replace("Algebra", "Physics") })).toThrow(
      WebhookVerificationError,
    );
    const forged = { ...request, headers: { ...request.headers, "webhook-id": "evt_forged" } };
    expect(() => verifyWith(endpoint.secret, forged)).toThrow(WebhookVerificationError);

    // The attempt is on record.
    const [delivery] = (await eventWithDeliveries(server, key, event.id)).deliveries;
    expect(delivery).toMatchObject({ endpoint_id: endpoint.id, status: "succeeded", attempt_count: 1 });
    expect(delivery.attempts).toEqual([
      {
        attempted_at: new Date(server.clock.now()).toISOString(),
        status_code: 200,
        duration_ms: expect.any(Number),
        response_excerpt: "ok",
        error: null,
      },
    ]);
    // Nothing is due any more.
    expect(await deliverDueWebhooks(server.deps)).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  it("sends each endpoint only the event types it asked for, and a disabled endpoint nothing", async () => {
    const { server, receiver, key } = await setup();
    const held = await addEndpoint(server, key, { url: receiver.url("/held"), event_types: ["escrow.held"] });
    const all = await addEndpoint(server, key, { url: receiver.url("/all") });
    const off = await addEndpoint(server, key, { url: receiver.url("/off") });
    const disabled = await server.call("PATCH", `/v1/webhook-endpoints/${off.id}`, { key, body: { enabled: false } });
    expect(disabled.body).toMatchObject({ enabled: false, disabled_reason: "disabled_by_tenant" });

    await paidBooking(server, key);
    await deliverDueWebhooks(server.deps);

    const types = (path: string) => receiver.at(path).map((r) => JSON.parse(r.body).type);
    expect(types("/held")).toEqual(["escrow.held"]);
    expect(types("/all").sort()).toEqual(["booking.created", "escrow.held"]);
    expect(types("/off")).toEqual([]);
    for (const request of receiver.at("/held")) verifyWith(held.secret, request);
    for (const request of receiver.at("/all")) verifyWith(all.secret, request);

    // Disabling after an event was queued stops its delivery too.
    const bookingId = await book(server, key);
    await server.call("PATCH", `/v1/webhook-endpoints/${all.id}`, { key, body: { enabled: false } });
    expect(await deliverDueWebhooks(server.deps)).toBe(1);
    expect(receiver.at("/all")).toHaveLength(2);
    const event = await eventOf(server, key, "booking.created", bookingId);
    const [delivery] = (await eventWithDeliveries(server, key, event.id)).deliveries;
    expect(delivery).toMatchObject({ status: "failed", last_error: "endpoint_disabled", attempts: [] });
    expect(delivery.completed_at).toBe(new Date(server.clock.now()).toISOString());
  });

  it("delivers session.join_window_opened only once the tenant's clock reaches the join window", async () => {
    const { server, receiver, key } = await setup();
    const endpoint = await addEndpoint(server, key, {
      url: receiver.url(),
      event_types: ["session.join_window_opened"],
    });
    const { id: bookingId } = await paidBooking(server, key, {}, 2 * HOUR);
    const joinOpensAt = server.clock.now() + 2 * HOUR - 5 * MINUTE;

    expect(await deliverDueWebhooks(server.deps)).toBe(0);
    const listed = await server.call("GET", "/v1/events?type=session.join_window_opened", { key });
    expect(listed.body.data).toEqual([]);

    // The sandbox test clock (the tenant's clock) drives it; one second short is not yet.
    const clock = async (seconds: number) =>
      expect((await server.call("POST", "/v1/sandbox/clock", { key, body: { advance_seconds: seconds } })).status).toBe(
        200,
      );
    await clock((joinOpensAt - server.clock.now()) / 1000 - 1);
    expect(await deliverDueWebhooks(server.deps)).toBe(0);
    await clock(1);
    expect(await deliverDueWebhooks(server.deps)).toBe(1);

    const [request] = receiver.received;
    if (!request) throw new Error("nothing received");
    // The server's own clock did not move, so the signature is fresh for the receiver.
    const payload = verifyWith(endpoint.secret, request) as Json;
    expect(payload).toMatchObject({
      type: "session.join_window_opened",
      created_at: new Date(joinOpensAt).toISOString(),
      data: { booking_id: bookingId, join_opens_at: new Date(joinOpensAt).toISOString() },
    });
  });
  it("never delivers the join window of a booking canceled before it opens", async () => {
    const { server, receiver, key } = await setup();
    await addEndpoint(server, key, { url: receiver.url() });
    const kept = await paidBooking(server, key, {}, 2 * HOUR);
    const canceled = await paidBooking(server, key, {}, 2 * HOUR);
    const cancel = await server.call("POST", `/v1/bookings/${canceled.id}/cancel`, { key, body: { by: "platform" } });
    expect(cancel.status).toBe(200);
    await deliverDueWebhooks(server.deps);
    receiver.received.length = 0;

    server.clock.advance(2 * HOUR);
    expect(await deliverDueWebhooks(server.deps)).toBe(1);
    expect(receiver.received.map((r) => JSON.parse(r.body))).toMatchObject([
      { type: "session.join_window_opened", data: { booking_id: kept.id } },
    ]);
    const listed = await server.call("GET", "/v1/events?type=session.join_window_opened", { key });
    expect(listed.body.data.map((e: Json) => e.booking_id)).toEqual([kept.id]);
  });
});

describe("retries", () => {
  it("retries a failing receiver on the schedule with the same webhook-id and records every attempt", async () => {
    const { server, receiver, key } = await setup();
    const endpoint = await addEndpoint(server, key, { url: receiver.url() });
    receiver.on("/hook", (_request, nth) => (nth <= 3 ? { status: 500, body: `boom ${nth}` } : { status: 204 }));
    const bookingId = await book(server, key);
    const event = await eventOf(server, key, "booking.created", bookingId);

    expect(await deliverDueWebhooks(server.deps)).toBe(1);
    const delays: number[] = [];
    for (let retry = 0; retry < 3; retry++) delays.push(await runNextAttempt(server, key, event.id));
    delays.forEach((delay, i) => {
      expectWithinJitter(delay, RETRY_SCHEDULE_MS[i] as number);
    });

    const requests = receiver.at("/hook");
    expect(requests).toHaveLength(4);
    expect(new Set(requests.map((r) => r.id))).toEqual(new Set([event.id]));
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    // Each attempt is signed afresh for its own timestamp.
    expect(new Set(requests.map((r) => r.headers["webhook-timestamp"])).size).toBe(4);
    for (const request of requests) expect(signedBy(endpoint.secret, request)).toBe(true);

    const [delivery] = (await eventWithDeliveries(server, key, event.id)).deliveries;
    expect(delivery).toMatchObject({ status: "succeeded", attempt_count: 4, last_status_code: 204, last_error: null });
    expect(delivery.attempts.map((a: Json) => [a.status_code, a.response_excerpt])).toEqual([
      [500, "boom 1"],
      [500, "boom 2"],
      [500, "boom 3"],
      [204, null],
    ]);
    for (const attempt of delivery.attempts) expect(attempt.duration_ms).toBeGreaterThanOrEqual(0);
    const attemptTimes = delivery.attempts.map((a: Json) => Date.parse(a.attempted_at));
    expect(attemptTimes.slice(1).map((t: number, i: number) => t - attemptTimes[i])).toEqual(delays);

    // Succeeded: nothing more is sent, however long we wait.
    server.clock.advance(48 * HOUR);
    expect(await deliverDueWebhooks(server.deps)).toBe(0);
  });

  it("gives up after the last scheduled attempt and marks the delivery failed", async () => {
    const { server, receiver, key } = await setup();
    await addEndpoint(server, key, { url: receiver.url() });
    receiver.on("/hook", () => ({ status: 500, body: "down ".repeat(1000) }));
    const event = await eventOf(server, key, "booking.created", await book(server, key));

    expect(await deliverDueWebhooks(server.deps)).toBe(1);
    const delays: number[] = [];
    for (const scheduled of RETRY_SCHEDULE_MS) {
      const delay = await runNextAttempt(server, key, event.id);
      expectWithinJitter(delay, scheduled);
      delays.push(delay);
    }
    // Jitter is applied (the delays are not exactly the schedule).
    expect(delays).not.toEqual(RETRY_SCHEDULE_MS);

    const [delivery] = (await eventWithDeliveries(server, key, event.id)).deliveries;
    expect(delivery).toMatchObject({
      status: "failed",
      attempt_count: RETRY_SCHEDULE_MS.length + 1,
      next_attempt_at: null,
      last_status_code: 500,
      last_error: "HTTP 500",
      completed_at: new Date(server.clock.now()).toISOString(),
    });
    expect(delivery.attempts).toHaveLength(8);
    // Only a short excerpt of each response is kept.
    for (const attempt of delivery.attempts) expect(attempt.response_excerpt).toBe("down ".repeat(100));
    server.clock.advance(30 * 24 * HOUR);
    expect(await deliverDueWebhooks(server.deps)).toBe(0);
    expect(receiver.received).toHaveLength(8);
  });

  it("waits as long as Retry-After asks", async () => {
    const { server, receiver, key } = await setup();
    await addEndpoint(server, key, { url: receiver.url() });
    receiver.on("/hook", (_request, nth) =>
      nth === 1 ? { status: 429, headers: { "retry-after": "120" }, body: "slow down" } : { status: 200 },
    );
    const event = await eventOf(server, key, "booking.created", await book(server, key));
    const sentAt = server.clock.now();

    expect(await deliverDueWebhooks(server.deps)).toBe(1);
    const [delivery] = (await eventWithDeliveries(server, key, event.id)).deliveries;
    expect(delivery.next_attempt_at).toBe(new Date(sentAt + 120_000).toISOString());
    // Past the normal ~5 s retry, nothing is sent yet.
    server.clock.advance(60_000);
    expect(await deliverDueWebhooks(server.deps)).toBe(0);
    expect(await runNextAttempt(server, key, event.id)).toBe(120_000);
    expect(receiver.received).toHaveLength(2);
    expect((await eventWithDeliveries(server, key, event.id)).deliveries[0].status).toBe("succeeded");
  });

  it("a 410 disables the endpoint at once and nothing more is sent to it", async () => {
    const { server, receiver, key } = await setup();
    const endpoint = await addEndpoint(server, key, { url: receiver.url() });
    receiver.on("/hook", () => ({ status: 410, body: "gone" }));
    const event = await eventOf(server, key, "booking.created", await book(server, key));

    expect(await deliverDueWebhooks(server.deps)).toBe(1);
    const [delivery] = (await eventWithDeliveries(server, key, event.id)).deliveries;
    expect(delivery).toMatchObject({
      status: "failed",
      attempt_count: 1,
      last_status_code: 410,
      next_attempt_at: null,
    });
    const after = await server.call("GET", `/v1/webhook-endpoints/${endpoint.id}`, { key });
    expect(after.body).toMatchObject({ enabled: false, disabled_reason: "endpoint_gone_410" });

    const later = await eventOf(server, key, "booking.created", await book(server, key));
    server.clock.advance(24 * HOUR);
    expect(await deliverDueWebhooks(server.deps)).toBe(0);
    expect((await eventWithDeliveries(server, key, later.id)).deliveries).toEqual([]);
    expect(receiver.received).toHaveLength(1);
  });

  it("times out a hanging receiver, records it, and retries", async () => {
    const { server, receiver, key } = await setup({ webhookTimeoutMs: 300 });
    await addEndpoint(server, key, { url: receiver.url() });
    receiver.on("/hook", (_request, nth) => (nth === 1 ? "hang" : { status: 200, body: "ok" }));
    const event = await eventOf(server, key, "booking.created", await book(server, key));

    const started = performance.now();
    expect(await deliverDueWebhooks(server.deps)).toBe(1);
    expect(performance.now() - started).toBeLessThan(5_000);
    const [timedOut] = (await eventWithDeliveries(server, key, event.id)).deliveries;
    expect(timedOut).toMatchObject({ status: "pending", attempt_count: 1, last_status_code: null });
    expect(timedOut.last_error).toMatch(/timed out after 300 ms/);
    expect(timedOut.attempts[0]).toMatchObject({ status_code: null, response_excerpt: null });
    expect(timedOut.attempts[0].duration_ms).toBeGreaterThanOrEqual(250);

    await runNextAttempt(server, key, event.id);
    expect(receiver.received.map((r) => r.id)).toEqual([event.id, event.id]);
    expect((await eventWithDeliveries(server, key, event.id)).deliveries[0]).toMatchObject({
      status: "succeeded",
      attempt_count: 2,
    });
  });
});

describe("secret rotation", () => {
  it("signs with both secrets for 24 hours, then with the new one only", async () => {
    const realNow = Date.now();
    // Rotate 24 h "ago" by the server's clock, so the overlap ends now and the standardwebhooks
    // timestamp check (against the real time) still passes on both sides of its end.
    const { server, receiver, key } = await setup({ clock: new ManualClock(realNow - 24 * HOUR) });
    const created = await addEndpoint(server, key, { url: receiver.url() });
    const rotated = await server.call("POST", `/v1/webhook-endpoints/${created.id}/rotate-secret`, { key });
    expect(rotated.status).toBe(200);
    const oldSecret = created.secret;
    const newSecret = rotated.body.secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);

    server.clock.set(realNow - MINUTE);
    await book(server, key);
    await deliverDueWebhooks(server.deps);
    const [during] = receiver.received;
    if (!during) throw new Error("nothing received");
    expect(during.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(verifyWith(oldSecret, during)).toMatchObject({ type: "booking.created" });
    expect(verifyWith(newSecret, during)).toMatchObject({ type: "booking.created" });

    server.clock.set(realNow + 1000);
    await book(server, key);
    await deliverDueWebhooks(server.deps);
    const after = receiver.received[1];
    if (!after) throw new Error("nothing received");
    expect(after.headers["webhook-signature"]?.split(" ")).toHaveLength(1);
    expect(verifyWith(newSecret, after)).toMatchObject({ type: "booking.created" });
    expect(() => verifyWith(oldSecret, after)).toThrow("No matching signature found");
  });
});

describe("redelivery", () => {
  it("sends the event again, to every endpoint or to one, with the same webhook-id and body", async () => {
    const { server, receiver, key } = await setup();
    const first = await addEndpoint(server, key, { url: receiver.url("/one") });
    const second = await addEndpoint(server, key, { url: receiver.url("/two") });
    const event = await eventOf(server, key, "booking.created", await book(server, key));
    await deliverDueWebhooks(server.deps);

    const toAll = await server.call("POST", `/v1/events/${event.id}/redeliver`, { key, body: {} });
    expect(toAll.status).toBe(200);
    expect(toAll.body.deliveries.map((d: Json) => d.status)).toEqual(["pending", "pending"]);
    expect(await deliverDueWebhooks(server.deps)).toBe(2);

    const toOne = await server.call("POST", `/v1/events/${event.id}/redeliver`, {
      key,
      body: { endpoint_id: second.id },
    });
    expect(toOne.status).toBe(200);
    expect(await deliverDueWebhooks(server.deps)).toBe(1);

    expect(receiver.at("/one")).toHaveLength(2);
    expect(receiver.at("/two")).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.id))).toEqual(new Set([event.id]));
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    for (const request of receiver.at("/one")) verifyWith(first.secret, request);
    for (const request of receiver.at("/two")) verifyWith(second.secret, request);

    // Every attempt, first sends and redeliveries, stays in the log.
    const { deliveries } = await eventWithDeliveries(server, key, event.id);
    const byEndpoint = Object.fromEntries(deliveries.map((d: Json) => [d.endpoint_id, d]));
    expect(byEndpoint[first.id].attempts).toHaveLength(2);
    expect(byEndpoint[second.id].attempts).toHaveLength(3);
    expect(byEndpoint[second.id].status).toBe("succeeded");

    const unknown = await server.call("POST", `/v1/events/${event.id}/redeliver`, {
      key,
      body: { endpoint_id: "we_missing" },
    });
    expect(unknown.status).toBe(404);
    await server.call("PATCH", `/v1/webhook-endpoints/${first.id}`, { key, body: { enabled: false } });
    await server.call("PATCH", `/v1/webhook-endpoints/${second.id}`, { key, body: { enabled: false } });
    const none = await server.call("POST", `/v1/events/${event.id}/redeliver`, { key });
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe("no_enabled_endpoint");
  });
});

describe("workers", () => {
  it("delivers continuously in the background and never holds up the API request that emitted the event", async () => {
    const { server, receiver, key } = await setup({ webhookTimeoutMs: 5_000 });
    await addEndpoint(server, key, { url: receiver.url() });
    let hang = true;
    receiver.on("/hook", () => (hang ? "hang" : { status: 200 }));
    const worker = startDeliveryWorker(server.deps, { pollMs: 10 });
    cleanups.push(() => worker.stop());

    const first = await book(server, key);
    // The worker, not the test, sends it; the receiver holds it open.
    await receiver.waitFor(1);
    expect(receiver.hanging).toBe(1);

    const started = performance.now();
    const second = await server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock) });
    const elapsed = performance.now() - started;
    expect(second.status).toBe(200);
    expect(elapsed).toBeLessThan(1_000);
    // The booking came back while its predecessor's delivery was still in flight.
    expect(receiver.hanging).toBe(1);

    hang = false;
    receiver.releaseHanging();
    await receiver.waitFor(2);
    const ids = new Set(receiver.received.map((r) => JSON.parse(r.body).data.booking.id));
    expect(ids).toEqual(new Set([first, second.body.id]));
  });

  it("two workers over one database deliver each of 500 events exactly once", async () => {
    const { url, cleanup } = await tempDatabaseUrl();
    cleanups.push(cleanup);
    const clock = new ManualClock(Date.now());
    const receiver = await new Receiver().start();
    cleanups.push(() => receiver.close());
    const a = await createTestServer({ url, mode: "development", clock });
    cleanups.push(() => a.close());
    const b = await createTestServer({ url, mode: "development", clock });
    cleanups.push(() => b.close());
    const { key, tenant } = await a.createTenant();
    await addEndpoint(a, key, { url: receiver.url() });

    // 500 events through the outbox (emitEvent queues their deliveries in the same transaction).
    const eventIds = await a.deps.db.transaction(async (tx) => {
      const ids: string[] = [];
      for (let i = 0; i < 500; i++) {
        ids.push(
          await emitEvent(tx, {
            tenantId: tenant.id,
            type: "booking.created",
            bookingId: null,
            data: { n: i },
            at: clock.now(),
          }),
        );
      }
      return ids;
    });

    const drain = async (server: TestServer) => {
      let total = 0;
      for (let n = -1; n !== 0; total += n) n = await deliverDueWebhooks(server.deps, { limit: 20, concurrency: 8 });
      return total;
    };
    const [byA, byB] = await Promise.all([drain(a), drain(b)]);
    expect(byA + byB).toBe(500);
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);

    const counts = new Map<string, number>();
    for (const request of receiver.received) counts.set(request.id, (counts.get(request.id) ?? 0) + 1);
    expect(receiver.received).toHaveLength(500);
    expect([...counts.keys()].sort()).toEqual([...eventIds].sort());
    expect([...counts.values()].every((count) => count === 1)).toBe(true);

    const deliveries = await b.db.select().from(webhookDeliveries);
    expect(deliveries).toHaveLength(500);
    expect(deliveries.every((d) => d.status === "succeeded" && d.attemptCount === 1 && d.claimToken === null)).toBe(
      true,
    );
    expect(await b.db.select().from(webhookAttempts)).toHaveLength(500);
  });

  it("hands back the tail of a slow batch instead of sending it after its lease ran out", async () => {
    const { server, receiver, key } = await setup(); // 15 s timeout, so a 60 s lease
    await addEndpoint(server, key, { url: receiver.url() });
    for (let i = 0; i < 3; i++) await book(server, key);
    // Each answer takes 35 s by the server's clock.
    receiver.on("/hook", () => {
      server.clock.advance(35_000);
      return { status: 200 };
    });

    // One at a time: the third would start 70 s after the claim, when another worker may hold it.
    expect(await deliverDueWebhooks(server.deps, { concurrency: 1 })).toBe(2);
    expect(receiver.received).toHaveLength(2);
    const pending = (await server.db.select().from(webhookDeliveries)).filter((d) => d.status === "pending");
    expect(pending).toMatchObject([{ attemptCount: 0, claimToken: null, claimExpiresAt: null }]);

    expect(await deliverDueWebhooks(server.deps)).toBe(1);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(3);
  });

  it("an attempt claimed by a worker that died is retried by another once the lease expires", async () => {
    const { url, cleanup } = await tempDatabaseUrl();
    cleanups.push(cleanup);
    const clock = new ManualClock(Date.now());
    const receiver = await new Receiver().start();
    cleanups.push(() => receiver.close());
    const dying = await createTestServer({ url, mode: "development", clock });
    cleanups.push(() => dying.close());
    const survivor = await createTestServer({ url, mode: "development", clock });
    cleanups.push(() => survivor.close());
    const { key } = await dying.createTenant();
    await addEndpoint(dying, key, { url: receiver.url() });
    const bookingId = await book(dying, key);

    // The first worker claims the attempt and dies before sending it.
    const claimed = await claimDueDeliveries(dying.deps, 10);
    expect(claimed).toHaveLength(1);
    dying.close();

    expect(await deliverDueWebhooks(survivor.deps)).toBe(0);
    clock.advance(survivor.deps.webhookLeaseMs);
    expect(await deliverDueWebhooks(survivor.deps)).toBe(0);
    clock.advance(1);
    expect(await deliverDueWebhooks(survivor.deps)).toBe(1);

    expect(receiver.received).toHaveLength(1);
    const event = await eventOf(survivor, key, "booking.created", bookingId);
    expect(receiver.received[0]?.id).toBe(event.id);
    const [delivery] = await survivor.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.eventId, event.id));
    expect(delivery).toMatchObject({ status: "succeeded", attemptCount: 1, claimToken: null });
  });
});
