import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { LessonKit, LessonKitAdmin, type LessonKitError } from "../src/index";
import { BASE, fakeApi } from "./msw";

const api = fakeApi();
const KEY = "lk_sk_test_123";
const lk = () => new LessonKit({ apiKey: KEY, baseUrl: BASE, retryDelayMs: 1 });

const bookingParams = {
  external_id: "lesson-1",
  student: { id: "s1" },
  tutor: { id: "t1" },
  scheduled_start: "2030-01-01T09:00:00.000Z",
  duration_minutes: 60,
  amount: 5000,
  currency: "usd",
};

type Case = [name: string, call: (client: LessonKit) => Promise<unknown>, method: string, path: string, body?: unknown];

// Every method of the backend client: the HTTP method, path and JSON body it sends.
const cases: Case[] = [
  ["bookings.create", (c) => c.bookings.create(bookingParams), "POST", "/v1/bookings", bookingParams],
  ["bookings.get", (c) => c.bookings.get("bk_1"), "GET", "/v1/bookings/bk_1"],
  [
    "bookings.cancel",
    (c) => c.bookings.cancel("bk_1", { by: "student" }),
    "POST",
    "/v1/bookings/bk_1/cancel",
    { by: "student" },
  ],
  [
    "bookings.participantToken",
    (c) => c.bookings.participantToken("bk_1", "tutor", { ttl_seconds: 600 }),
    "POST",
    "/v1/bookings/bk_1/participant-tokens",
    { ttl_seconds: 600, role: "tutor" },
  ],
  ["escrows.get", (c) => c.escrows.get("esc_1"), "GET", "/v1/escrows/esc_1"],
  [
    "escrows.dispute",
    (c) => c.escrows.dispute("esc_1", { reason: "no show" }),
    "POST",
    "/v1/escrows/esc_1/dispute",
    { reason: "no show" },
  ],
  [
    "escrows.resolve",
    (c) => c.escrows.resolve("esc_1", { outcome: "refund", refund_amount: 100 }),
    "POST",
    "/v1/escrows/esc_1/resolve",
    { outcome: "refund", refund_amount: 100 },
  ],
  ["tutors.balance", (c) => c.tutors.balance("tutor/ä"), "GET", "/v1/tutors/tutor%2F%C3%A4/balance"],
  [
    "webhookEndpoints.create",
    (c) => c.webhookEndpoints.create({ url: "https://p.example/hooks", event_types: ["escrow.released"] }),
    "POST",
    "/v1/webhook-endpoints",
    { url: "https://p.example/hooks", event_types: ["escrow.released"] },
  ],
  ["webhookEndpoints.get", (c) => c.webhookEndpoints.get("we_1"), "GET", "/v1/webhook-endpoints/we_1"],
  [
    "webhookEndpoints.update",
    (c) => c.webhookEndpoints.update("we_1", { enabled: false }),
    "PATCH",
    "/v1/webhook-endpoints/we_1",
    { enabled: false },
  ],
  ["webhookEndpoints.delete", (c) => c.webhookEndpoints.delete("we_1"), "DELETE", "/v1/webhook-endpoints/we_1"],
  [
    "webhookEndpoints.rotateSecret",
    (c) => c.webhookEndpoints.rotateSecret("we_1"),
    "POST",
    "/v1/webhook-endpoints/we_1/rotate-secret",
  ],
  ["events.get", (c) => c.events.get("evt_1"), "GET", "/v1/events/evt_1"],
  [
    "events.redeliver",
    (c) => c.events.redeliver("evt_1", { endpoint_id: "we_1" }),
    "POST",
    "/v1/events/evt_1/redeliver",
    { endpoint_id: "we_1" },
  ],
  ["tenant.get", (c) => c.tenant.get(), "GET", "/v1/tenant"],
  ["tenant.update", (c) => c.tenant.update({ name: "Acme" }), "PATCH", "/v1/tenant", { name: "Acme" }],
  ["sandbox.pay", (c) => c.sandbox.pay("bk_1"), "POST", "/v1/sandbox/bookings/bk_1/pay", {}],
  [
    "sandbox.pay (fail)",
    (c) => c.sandbox.pay("bk_1", { outcome: "fail" }),
    "POST",
    "/v1/sandbox/bookings/bk_1/pay",
    { outcome: "fail" },
  ],
  ["sandbox.clock", (c) => c.sandbox.clock(), "GET", "/v1/sandbox/clock"],
  [
    "sandbox.advanceClock (seconds)",
    (c) => c.sandbox.advanceClock({ seconds: 86_400 }),
    "POST",
    "/v1/sandbox/clock",
    { advance_seconds: 86_400 },
  ],
  [
    "sandbox.advanceClock (a number of seconds)",
    (c) => c.sandbox.advanceClock(3600),
    "POST",
    "/v1/sandbox/clock",
    { advance_seconds: 3600 },
  ],
  [
    "sandbox.advanceClock (to an ISO time)",
    (c) => c.sandbox.advanceClock({ to: "2030-01-02T09:55:00+01:00" }),
    "POST",
    "/v1/sandbox/clock",
    { to: "2030-01-02T09:55:00+01:00" },
  ],
  [
    "sandbox.advanceClock (to a Date)",
    (c) => c.sandbox.advanceClock({ to: new Date(Date.UTC(2030, 0, 2, 8, 55)) }),
    "POST",
    "/v1/sandbox/clock",
    { to: "2030-01-02T08:55:00.000Z" },
  ],
];

describe("LessonKit (backend client)", () => {
  it.each(cases)(
    "%s sends the right request with the secret key and returns the body",
    async (_, call, method, path, body) => {
      api.reply(() => HttpResponse.json({ id: "x_1", echo: true }));
      const result = await call(lk());
      expect(result).toEqual({ id: "x_1", echo: true });
      expect(api.seen).toHaveLength(1);
      const [request] = api.seen;
      expect(request).toMatchObject({ method, path });
      expect(request?.body).toEqual(body);
      expect(request?.headers.get("authorization")).toBe(`Bearer ${KEY}`);
      if (body !== undefined) expect(request?.headers.get("content-type")).toMatch(/^application\/json/);
      // Every POST is idempotent on the server by a key the SDK generates; other verbs carry none.
      if (method === "POST") expect(request?.headers.get("idempotency-key")).toMatch(/^[0-9a-f]{32}$/);
      else expect(request?.headers.get("idempotency-key")).toBeNull();
    },
  );

  it("sends a caller's own idempotency key instead of a generated one", async () => {
    await lk().bookings.create(bookingParams, { idempotencyKey: "order-42" });
    expect(api.seen[0]?.headers.get("idempotency-key")).toBe("order-42");
  });

  it("generates a different idempotency key for each call", async () => {
    const client = lk();
    await client.sandbox.advanceClock(60);
    await client.sandbox.advanceClock(60);
    const [first, second] = api.seen.map((request) => request.headers.get("idempotency-key"));
    expect(first).not.toBe(second);
  });

  it("keeps a path prefix in baseUrl", async () => {
    await new LessonKit({ apiKey: KEY, baseUrl: `${BASE}/lessonkit/` }).tenant.get();
    expect(api.seen[0]?.path).toBe("/lessonkit/v1/tenant");
  });

  it("requires apiKey and baseUrl", () => {
    expect(() => new LessonKit({ apiKey: "", baseUrl: BASE })).toThrow(/apiKey/);
    expect(() => new LessonKit({ apiKey: KEY, baseUrl: "" })).toThrow(/baseUrl/);
  });

  describe.each([
    ["bookings", "/v1/bookings", (c: LessonKit) => c.bookings.list({ status: "confirmed", tutor_id: "t1", limit: 2 })],
    ["escrows", "/v1/escrows", (c: LessonKit) => c.escrows.list({ status: "held", tutor_id: "t1", limit: 2 })],
    ["events", "/v1/events", (c: LessonKit) => c.events.list({ type: "escrow.held", booking_id: "bk_1", limit: 2 })],
    ["webhookEndpoints", "/v1/webhook-endpoints", (c: LessonKit) => c.webhookEndpoints.list({ limit: 2 })],
  ])("%s.list", (_, path, list) => {
    const pages: Record<string, { data: { id: string }[]; has_more: boolean; next_cursor: string | null }> = {
      first: { data: [{ id: "a" }, { id: "b" }], has_more: true, next_cursor: "b" },
      b: { data: [{ id: "c" }, { id: "d" }], has_more: true, next_cursor: "d" },
      d: { data: [{ id: "e" }], has_more: false, next_cursor: null },
    };
    const serve = () => api.reply((request) => HttpResponse.json(pages[request.query.starting_after ?? "first"]));

    it("awaits to the first page, with the filters as query parameters", async () => {
      serve();
      const page = await list(lk());
      expect(page.data.map((item) => (item as { id: string }).id)).toEqual(["a", "b"]);
      expect(page.has_more).toBe(true);
      expect(api.seen).toHaveLength(1);
      expect(api.seen[0]?.path).toBe(path);
      expect(api.seen[0]?.query).toMatchObject({ limit: "2" });
      expect(api.seen[0]?.query.starting_after).toBeUndefined();
    });

    it("iterates every item across pages with for await, following next_cursor", async () => {
      serve();
      const ids: string[] = [];
      for await (const item of list(lk())) ids.push((item as { id: string }).id);
      expect(ids).toEqual(["a", "b", "c", "d", "e"]);
      expect(api.seen.map((request) => request.query.starting_after)).toEqual([undefined, "b", "d"]);
      // The filters ride along on every page.
      for (const request of api.seen) expect(request.query.limit).toBe("2");
    });
  });

  it("bookings.list sends every filter and stops early when the loop breaks", async () => {
    api.reply(() => HttpResponse.json({ data: [{ id: "a" }, { id: "b" }], has_more: true, next_cursor: "b" }));
    for await (const booking of lk().bookings.list({ status: "completed", student_id: "s1", starting_after: "z" })) {
      expect(booking.id).toBe("a");
      break;
    }
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]?.query).toEqual({ status: "completed", student_id: "s1", starting_after: "z" });
  });

  it("maps an API error on a list to LessonKitError", async () => {
    api.reply(() =>
      HttpResponse.json(
        {
          error: {
            type: "invalid_request_error",
            code: "invalid_cursor",
            message: "bad",
            param: "starting_after",
            request_id: "req_1",
          },
        },
        { status: 400 },
      ),
    );
    const error = (await lk()
      .bookings.list()
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as LessonKitError;
    expect(error).toMatchObject({ status: 400, code: "invalid_cursor", param: "starting_after", requestId: "req_1" });
  });
});

describe("LessonKitAdmin (operator client)", () => {
  const ADMIN_KEY = "lk_admin_0123456789abcdef";
  const admin = () => new LessonKitAdmin({ adminKey: ADMIN_KEY, baseUrl: BASE, retryDelayMs: 1 });

  it.each([
    [
      "tenants.create",
      (a: LessonKitAdmin) => a.tenants.create({ name: "Acme", payment_provider: "sandbox" }),
      "/v1/admin/tenants",
      { name: "Acme", payment_provider: "sandbox" },
    ],
    ["tick", (a: LessonKitAdmin) => a.tick(), "/v1/admin/tick", undefined],
  ])("%s POSTs with the admin key and an idempotency key", async (_, call, path, body) => {
    api.reply(() => HttpResponse.json({ ok: true }));
    expect(await call(admin())).toEqual({ ok: true });
    const [request] = api.seen;
    expect(request).toMatchObject({ method: "POST", path });
    expect(request?.body).toEqual(body);
    expect(request?.headers.get("authorization")).toBe(`Bearer ${ADMIN_KEY}`);
    expect(request?.headers.get("idempotency-key")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("requires the admin key", () => {
    expect(() => new LessonKitAdmin({ adminKey: "", baseUrl: BASE })).toThrow("`adminKey` is required");
  });
});
