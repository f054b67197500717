import { afterEach, describe, expect, it } from "vitest";
import { PrometheusMetrics } from "../src/adapters/prometheus/metrics";
import { createApp } from "../src/app";
import { deliverWebhookBatch } from "../src/domain/webhooks/deliver";
import { ADMIN_KEY, createTestServer, HOUR, MINUTE, paidBooking } from "./harness";
import { createStripeTestServer, TUTOR_ACCOUNT } from "./stripe-mock";
import { Receiver } from "./webhook-receiver";

/** The samples of a Prometheus text exposition, keyed `name{labels}` as printed. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

const closers: { close(): unknown }[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c.close();
});

async function scrape(server: { call: Awaited<ReturnType<typeof createTestServer>>["call"] }) {
  const res = await server.call("GET", "/metrics", { key: ADMIN_KEY });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  return { text: res.body.raw as string, values: samples(res.body.raw as string) };
}

describe("GET /metrics", () => {
  it("is for the operator only: the admin key, never a tenant key or nothing", async () => {
    const server = await createTestServer();
    closers.push(server);
    const { key } = await server.createTenant();
    expect((await server.call("GET", "/metrics")).status).toBe(401);
    expect((await server.call("GET", "/metrics", { key })).body.error.code).toBe("admin_key_required");
    expect((await server.call("GET", "/metrics", { key: "not-the-admin-key-at-all" })).status).toBe(401);
    await scrape(server);
  });

  it("counts a run of POST /v1/admin/tick as a run of the tick, as the loop's and the CLI's are", async () => {
    const server = await createTestServer();
    closers.push(server);
    const before = (await scrape(server)).values.get('lessonkit_tick_runs_total{outcome="completed"}') ?? 0;
    expect((await server.call("POST", "/v1/admin/tick", { key: ADMIN_KEY })).status).toBe(200);
    const { values } = await scrape(server);
    expect(values.get('lessonkit_tick_runs_total{outcome="completed"}')).toBe(before + 1);
    expect(values.get("lessonkit_tick_duration_seconds_count")).toBe(before + 1);
  });

  it("counts requests by route pattern and status with a latency histogram, each app in its own registry", async () => {
    const server = await createTestServer();
    const other = await createTestServer();
    closers.push(server, other);
    const { tenant, key } = await server.createTenant();
    const lesson = await paidBooking(server, key);
    for (let i = 0; i < 3; i++) await server.call("GET", `/v1/sessions/${lesson.id}`, { key: lesson.student });
    await server.call("GET", `/v1/bookings/${lesson.id}`, { key });
    await server.call("GET", "/v1/bookings/bk_doesnotexist000000000", { key });
    await server.call("GET", `/no/such/${lesson.id}`);

    const { text, values } = await scrape(server);
    const count = (route: string, status: number, method = "GET") =>
      values.get(
        `lessonkit_http_request_duration_seconds_count{method="${method}",route="${route}",status="${status}"}`,
      );
    expect(count("/v1/sessions/:bookingId", 200)).toBe(3);
    expect(count("/v1/bookings/:id", 200)).toBe(1);
    expect(count("/v1/bookings/:id", 404)).toBe(1);
    expect(count("unmatched", 404)).toBe(1);
    expect(count("/v1/bookings", 200, "POST")).toBe(1);
    expect(
      values.get(
        'lessonkit_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/v1/sessions/:bookingId",status="200"}',
      ),
    ).toBe(3);
    // Bounded labels: patterns, never ids; no tenant unless the operator opts in.
    expect(text).not.toContain(lesson.id);
    expect(text).not.toContain(tenant.id);
    // Another app in the same process counts only its own.
    const otherScrape = await scrape(other);
    expect(otherScrape.text).not.toContain("/v1/sessions/:bookingId");
  });

  it("labels per-tenant series with the tenant only when opted in", async () => {
    const server = await createTestServer({ metrics: new PrometheusMetrics({ tenantLabels: true }) });
    closers.push(server);
    const { tenant, key } = await server.createTenant();
    await server.call("GET", "/v1/bookings", { key });
    const { values } = await scrape(server);
    expect(
      values.get(
        `lessonkit_http_request_duration_seconds_count{method="GET",route="/v1/bookings",status="200",tenant_id="${tenant.id}"}`,
      ),
    ).toBe(1);
  });

  it("money operations by kind and outcome, in flight and failed, the oldest due age; Stripe latency and errors by code", async () => {
    const s = await createStripeTestServer({ releaseLeaseMs: 5 * MINUTE });
    closers.push(s);
    const lesson = await s.paidBooking();
    await s.runSession(lesson.id);
    s.clock.advance(24 * HOUR);
    // Stripe answers every transfer attempt with a 500: the release stays in flight, retried later.
    s.fake.inject(/\/v1\/transfers$/, { status: 500 }, 20);
    expect(await s.tick()).toMatchObject({ released: 0, release_failures: 1 });
    s.clock.advance(10 * MINUTE);

    let { values } = await scrape(s);
    expect(values.get('lessonkit_money_operations_total{kind="transfer",outcome="unknown"}')).toBe(1);
    expect(values.get('lessonkit_money_operations{kind="transfer",status="in_flight"}')).toBe(1);
    expect(values.get('lessonkit_money_operations{kind="transfer",status="pending"}')).toBe(0);
    expect(values.get('lessonkit_money_operations{kind="refund",status="failed"}')).toBe(0);
    expect(values.get("lessonkit_money_operations_oldest_due_age_seconds")).toBe(600);
    // Nine attempts (one and eight retries), each a 500 with Stripe's api_error.
    expect(values.get('lessonkit_provider_errors_total{provider="stripe",code="api_error"}')).toBe(9);
    expect(values.get('lessonkit_provider_request_duration_seconds_count{provider="stripe",outcome="error"}')).toBe(9);
    const okCalls = values.get('lessonkit_provider_request_duration_seconds_count{provider="stripe",outcome="ok"}');
    expect(okCalls).toBeGreaterThanOrEqual(1); // the PaymentIntent

    s.fake.clearFaults();
    expect(await s.tick()).toMatchObject({ released: 1 });
    ({ values } = await scrape(s));
    expect(values.get('lessonkit_money_operations_total{kind="transfer",outcome="succeeded"}')).toBe(1);
    expect(values.get('lessonkit_money_operations{kind="transfer",status="in_flight"}')).toBe(0);
    expect(values.get("lessonkit_money_operations_oldest_due_age_seconds")).toBe(0);
    // The retry looks for an earlier transfer first, then makes it.
    expect(
      values.get('lessonkit_provider_request_duration_seconds_count{provider="stripe",outcome="ok"}'),
    ).toBeGreaterThan(okCalls ?? 0);

    // A reversal Stripe refuses (a refund made in the dashboard after the release) is failed for good:
    // counted as refused, and shown until someone acts on it.
    s.fake.refuseReversalsFor(TUTOR_ACCOUNT);
    await s.deliver(s.fake.event("charge.refunded", s.fake.dashboardRefund(lesson.chargeId, 2000)));
    ({ values } = await scrape(s));
    expect(values.get('lessonkit_money_operations_total{kind="transfer_reversal",outcome="refused"}')).toBe(1);
    expect(values.get('lessonkit_money_operations{kind="transfer_reversal",status="failed"}')).toBe(1);
  });

  it("webhook deliveries by outcome, the backlog due now, scheduled retries and the oldest due age", async () => {
    const receiver = await new Receiver().start();
    receiver.on("/hook", () => ({ status: 500 }));
    const server = await createTestServer({ mode: "development" });
    closers.push(server, receiver);
    const { key } = await server.createTenant();
    await server.call("POST", "/v1/webhook-endpoints", { key, body: { url: receiver.url("/hook") } });
    // booking.created, escrow.held… due now; session.join_window_opened scheduled for the window.
    await paidBooking(server, key);
    let { values } = await scrape(server);
    const queued = values.get('lessonkit_webhook_deliveries_pending{state="due"}') ?? 0;
    expect(queued).toBeGreaterThan(0);
    expect(values.get('lessonkit_webhook_deliveries_pending{state="scheduled"}')).toBe(1);

    server.clock.advance(MINUTE);
    ({ values } = await scrape(server));
    expect(values.get("lessonkit_webhook_backlog_oldest_age_seconds")).toBe(60);

    const batch = await deliverWebhookBatch(server.deps);
    expect(batch).toMatchObject({ claimed: queued, retry_scheduled: queued, handed_back: 0 });
    ({ values } = await scrape(server));
    expect(values.get('lessonkit_webhook_deliveries_total{outcome="retry_scheduled"}')).toBe(queued);
    expect(values.get('lessonkit_webhook_deliveries_pending{state="due"}')).toBe(0);
    expect(values.get('lessonkit_webhook_deliveries_pending{state="scheduled"}')).toBe(queued + 1);
    expect(values.get("lessonkit_webhook_backlog_oldest_age_seconds")).toBe(0);

    receiver.on("/hook", () => ({ status: 200 }));
    server.clock.advance(10 * MINUTE);
    await deliverWebhookBatch(server.deps);
    ({ values } = await scrape(server));
    expect(values.get('lessonkit_webhook_deliveries_total{outcome="succeeded"}')).toBe(queued);
    expect(values.get('lessonkit_webhook_deliveries_pending{state="scheduled"}')).toBe(1);
  });

  it("reports the database pool where the adapter has one (embedded libsql: its lock, a pool of one)", async () => {
    const base = await createTestServer();
    closers.push(base);
    const server = await createTestServer({ metrics: new PrometheusMetrics({ pool: base.database.poolUse }) });
    closers.push(server);
    const { values } = await scrape(server);
    expect(values.get('lessonkit_db_pool_connections{state="idle"}')).toBe(1);
    expect(values.get('lessonkit_db_pool_connections{state="busy"}')).toBe(0);
    expect(values.get("lessonkit_db_pool_waiting")).toBe(0);
  });

  it("is not served on the API when LESSONKIT_METRICS_PORT serves it", async () => {
    const server = await createTestServer();
    closers.push(server);
    const app = createApp(server.deps, { adminKey: ADMIN_KEY, metrics: false });
    expect((await app.request("/metrics", { headers: { Authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(404);
  });
});
