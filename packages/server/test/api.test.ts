import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ADMIN_KEY,
  advance,
  bookingBody,
  createTestServer,
  HOUR,
  MINUTE,
  paidBooking,
  type TestServer,
} from "./harness";

describe("the tenant API", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await createTestServer();
  });
  afterEach(() => server.close());

  it("pages through bookings newest first with a cursor, without skipping or repeating", async () => {
    const { key } = await server.createTenant();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock) });
      ids.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&starting_after=${cursor}` : "?limit=2";
      const page = await server.call("GET", `/v1/bookings${query}`, { key });
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((b: { id: string }) => b.id));
      cursor = page.body.next_cursor;
      expect(page.body.has_more).toBe(cursor !== null);
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it("filters bookings by status, tutor and student", async () => {
    const { key } = await server.createTenant();
    await paidBooking(server, key, { tutor: { id: "tutor_a" }, student: { id: "student_a" } });
    await server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock, { tutor: { id: "tutor_b" } }) });
    const ids = async (query: string) =>
      (await server.call("GET", `/v1/bookings?${query}`, { key })).body.data.map(
        (b: { tutor: { id: string } }) => b.tutor.id,
      );
    expect(await ids("status=confirmed")).toEqual(["tutor_a"]);
    expect(await ids("status=pending_payment")).toEqual(["tutor_b"]);
    expect(await ids("tutor_id=tutor_b")).toEqual(["tutor_b"]);
    expect(await ids("student_id=student_a")).toEqual(["tutor_a"]);
    expect(await ids("status=completed")).toEqual([]);
  });

  it("applies a policy change to bookings made afterwards, never to existing ones", async () => {
    const { key } = await server.createTenant();
    const before = await paidBooking(server, key, {}, 3 * HOUR);
    const patched = await server.call("PATCH", "/v1/tenant", { key, body: { policy: { join_window_minutes: 30 } } });
    expect(patched.status).toBe(200);
    expect(patched.body.policy).toMatchObject({ join_window_minutes: 30, no_show_minutes: 15 });
    const after = await paidBooking(server, key, {}, 3 * HOUR);
    expect(Date.parse(before.booking.scheduled_start) - Date.parse(before.booking.join_opens_at)).toBe(5 * MINUTE);
    expect(Date.parse(after.booking.scheduled_start) - Date.parse(after.booking.join_opens_at)).toBe(30 * MINUTE);
  });

  it("records a failed sandbox payment without moving money, and a retry can still pay", async () => {
    const { key } = await server.createTenant();
    const created = await server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock) });
    const failed = await server.call("POST", `/v1/sandbox/bookings/${created.body.id}/pay`, {
      key,
      body: { outcome: "fail" },
    });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({
      status: "pending_payment",
      escrow: { status: "awaiting_payment", held_amount: 0 },
    });
    expect(failed.body.escrow.last_error).toEqual({ code: "card_declined", message: "The sandbox card was declined" });
    const events = await server.call("GET", "/v1/events?type=payment.failed", { key });
    expect(events.body.data).toHaveLength(1);
    const paid = await server.call("POST", `/v1/sandbox/bookings/${created.body.id}/pay`, { key });
    expect(paid.body).toMatchObject({ status: "confirmed", escrow: { status: "held", last_error: null } });
    const twice = await server.call("POST", `/v1/sandbox/bookings/${created.body.id}/pay`, { key });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe("booking_already_paid");
  });

  it("runs due work for every tenant on POST /v1/admin/tick", async () => {
    const a = await server.createTenant();
    const b = await server.createTenant({ name: "Other" });
    await server.call("POST", "/v1/bookings", { key: a.key, body: bookingBody(server.clock) });
    await server.call("POST", "/v1/bookings", { key: b.key, body: bookingBody(server.clock) });
    server.clock.advance(31 * MINUTE);
    const tick = await server.call("POST", "/v1/admin/tick", { key: ADMIN_KEY });
    expect(tick.status).toBe(200);
    expect(tick.body.expired).toBe(2);
    const again = await server.call("POST", "/v1/admin/tick", { key: ADMIN_KEY });
    expect(again.body.expired).toBe(0);
  });

  it("moves only the calling sandbox tenant's clock, forward only", async () => {
    const a = await server.createTenant();
    const b = await server.createTenant({ name: "Other" });
    const moved = await advance(server, a.key, HOUR);
    expect(moved.offset_seconds).toBe(3600);
    expect(moved.now).toBe(new Date(server.clock.now() + HOUR).toISOString());
    expect((await server.call("GET", "/v1/tenant", { key: b.key })).body.test_clock).toEqual({ offset_seconds: 0 });
    const back = await server.call("POST", "/v1/sandbox/clock", { key: a.key, body: { advance_seconds: -10 } });
    expect(back.status).toBe(400);
    expect(back.body.error.param).toBe("advance_seconds");
  });

  it("refuses a Stripe tenant without its Stripe settings", async () => {
    const res = await server.call("POST", "/v1/admin/tenants", {
      key: ADMIN_KEY,
      body: { name: "Stripe platform", payment_provider: "stripe" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "stripe_settings_required", param: "stripe" });
  });

  it("lets a platform's web page call the session routes from its own origin, and only those", async () => {
    const { key } = await server.createTenant();
    const lesson = await paidBooking(server, key);
    const origin = { Origin: "https://app.tutors.example" };

    const preflight = await server.app.request(`/v1/sessions/${lesson.id}/notes`, {
      method: "OPTIONS",
      headers: {
        ...origin,
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(preflight.headers.get("Access-Control-Allow-Methods")).toContain("PUT");
    expect(preflight.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("authorization");

    const status = await server.call("GET", `/v1/sessions/${lesson.id}`, { key: lesson.student, headers: origin });
    expect(status.status).toBe(200);
    expect(status.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(status.headers.get("Access-Control-Expose-Headers")).toContain("Request-Id");
    // The poll is answered ahead of the middleware chain: it still carries its own request id.
    expect(status.headers.get("Request-Id")).toMatch(/^req_[0-9A-Za-z]{20}$/);
    expect(status.headers.get("Content-Type")).toBe("application/json");
    // An error must be readable by the page too, or the SDK could not report it.
    const refused = await server.call("GET", `/v1/sessions/${lesson.id}`, { key: "lk_pt_forged.x", headers: origin });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(refused.headers.get("Request-Id")).toBe(refused.body.error.request_id);

    // Secret-key routes are for servers: no CORS grant, so a browser cannot use a leaked key from a page.
    const tenantRoute = await server.call("GET", "/v1/bookings", { key, headers: origin });
    expect(tenantRoute.status).toBe(200);
    expect(tenantRoute.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("answers /healthz and tags every response with a request id that errors repeat", async () => {
    const health = await server.call("GET", "/healthz");
    expect(health.status).toBe(200);
    expect(health.body.ok).toBe(true);
    const missing = await server.call("GET", "/v1/bookings/bk_missing", { key: (await server.createTenant()).key });
    expect(missing.status).toBe(404);
    expect(missing.body.error.request_id).toBe(missing.headers.get("request-id"));
  });
});
