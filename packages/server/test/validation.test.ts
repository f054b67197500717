import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WebhookTransport } from "../src/ports/webhooks";
import {
  ADMIN_KEY,
  advance,
  createTestServer,
  HOUR,
  type Json,
  ledgerInvariant,
  MINUTE,
  paidBooking,
  snapshotTables,
  type TestServer,
  writeCounter,
} from "./harness";

/**
 * Bad input: every refusal is a 4xx in the one error format, leaves the database exactly as it was,
 * and no input at all produces a 5xx.
 */

const ERROR_TYPES = [
  "invalid_request_error",
  "authentication_error",
  "permission_error",
  "not_found_error",
  "conflict_error",
  "idempotency_error",
  "rate_limit_error",
];

/** Endpoint URLs resolve without the network: only hooks.example.com has a (public) address. */
const offlineTransport: WebhookTransport = {
  lookup: async (host) => (host === "hooks.example.com" ? ["93.184.216.34"] : []),
  send: async () => {
    throw new Error("no webhook is delivered in these tests");
  },
};

type Response = Awaited<ReturnType<TestServer["call"]>>;

/** Every row of every table, so "unchanged" means unchanged, not just the same counts. */
async function snapshot(server: TestServer) {
  const rows: Record<string, { count: number; rows: unknown[] }> = {};
  for (const [name, all] of Object.entries(await snapshotTables(server.db)))
    rows[name] = { count: all.length, rows: all };
  return rows;
}

type DatabaseState = { changes: string; rows: Awaited<ReturnType<typeof snapshot>> };
const states = new WeakMap<TestServer, DatabaseState>();

/**
 * The database's rows, read again only when its write counter has moved: any insert, update or
 * delete, committed or not, moves it, so an unmoved counter means unchanged rows and the fuzz loop
 * stays fast.
 */
async function databaseState(server: TestServer): Promise<DatabaseState> {
  const changes = await writeCounter(server.db);
  const cached = states.get(server);
  if (cached && cached.changes === changes) return cached;
  const fresh = { changes, rows: await snapshot(server) };
  states.set(server, fresh);
  return fresh;
}

function expectErrorFormat(res: Response) {
  const context = JSON.stringify(res.body);
  expect(res.status, context).toBeGreaterThanOrEqual(400);
  expect(res.status, context).toBeLessThan(500);
  expect(Object.keys(res.body), context).toEqual(["error"]);
  const error = res.body.error as Json;
  expect(ERROR_TYPES, context).toContain(error.type);
  expect(error.code, context).toMatch(/^[a-z_]+$/);
  expect(typeof error.message, context).toBe("string");
  expect(error.message, context).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
  for (const field of Object.keys(error)) {
    expect(["type", "code", "message", "param", "request_id"], context).toContain(field);
  }
  if ("param" in error) expect(typeof error.param, context).toBe("string");
  expect(error.request_id, context).toMatch(/^req_/);
  expect(res.headers.get("request-id"), context).toBe(error.request_id);
}

function expectError(res: Response, status: number, code: string, param?: string) {
  expectErrorFormat(res);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  if (param !== undefined) expect(res.body.error.param).toBe(param);
}

/** Sends a request that must be refused, and checks that the database did not move. */
async function refused(
  server: TestServer,
  request: () => Promise<Response>,
  status: number,
  code: string,
  param?: string,
) {
  const before = await databaseState(server);
  const res = await request();
  expectError(res, status, code, param);
  expect((await databaseState(server)).rows).toEqual(before.rows);
  return res;
}

/** A raw request: any body text and any Content-Type. */
async function send(
  server: TestServer,
  method: string,
  path: string,
  key: string,
  body?: string,
  contentType?: string,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (contentType) headers["Content-Type"] = contentType;
  const res = await server.app.request(path, { method, headers, body });
  const text = await res.text();
  let parsed: Json;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

function validBooking(server: TestServer, externalId: string, startsAt = server.clock.now() + 2 * HOUR): Json {
  return {
    external_id: externalId,
    student: { id: "student_1", name: "Sam Student" },
    tutor: { id: "tutor_1", name: "Tina Tutor" },
    subject: "Algebra",
    scheduled_start: new Date(startsAt).toISOString(),
    duration_minutes: 60,
    amount: 5000,
    currency: "usd",
    platform_fee: 1000,
    timezone: "Europe/Berlin",
  };
}

/** A lesson that has run and ended: escrow release_scheduled, ready for notes, rating, dispute. */
async function completedLesson(server: TestServer, key: string) {
  const lesson = await paidBooking(server, key);
  await advance(server, key, 2 * HOUR - 5 * MINUTE);
  expect((await server.call("POST", `/v1/sessions/${lesson.id}/start`, { key: lesson.tutor })).status).toBe(200);
  expect((await server.call("POST", `/v1/sessions/${lesson.id}/join`, { key: lesson.student })).status).toBe(200);
  await advance(server, key, 65 * MINUTE);
  expect((await server.call("POST", `/v1/sessions/${lesson.id}/end`, { key: lesson.tutor })).status).toBe(200);
  return lesson;
}

describe("bad input", () => {
  let server: TestServer;
  let key: string;
  beforeEach(async () => {
    server = await createTestServer({ webhookTransport: offlineTransport });
    key = (await server.createTenant()).key;
  });
  afterEach(() => {
    expect(server.errors).toEqual([]);
    server.close();
  });

  it("refuses every malformed booking with a 4xx naming the parameter, and books nothing", async () => {
    const base = validBooking(server, "lesson_base");
    const now = server.clock.now();
    const without = (field: string) => {
      const body = structuredClone(base);
      delete body[field];
      return body;
    };
    const withField = (patch: Json) => ({ ...structuredClone(base), ...patch });
    const cases: [string, Json | unknown, number, string, string?][] = [
      // missing fields
      ...["external_id", "student", "tutor", "scheduled_start", "duration_minutes", "amount", "currency"].map(
        (field) =>
          [`missing ${field}`, without(field), 400, "parameter_missing", field] as [
            string,
            Json,
            number,
            string,
            string,
          ],
      ),
      ["missing student.id", withField({ student: { name: "Sam" } }), 400, "parameter_missing", "student.id"],
      ["missing tutor.id", withField({ tutor: {} }), 400, "parameter_missing", "tutor.id"],
      ["empty body", {}, 400, "parameter_missing"],
      // text with U+0000, in a field or a nested field
      ["NUL in external_id", withField({ external_id: "a\u0000b" }), 400, "parameter_invalid", "external_id"],
      [
        "NUL in student.name",
        withField({ student: { id: "s", name: "Sa\u0000m" } }),
        400,
        "parameter_invalid",
        "student.name",
      ],
      // wrong types
      ["external_id number", withField({ external_id: 42 }), 400, "parameter_invalid", "external_id"],
      ["external_id null", withField({ external_id: null }), 400, "parameter_invalid", "external_id"],
      ["student string", withField({ student: "student_1" }), 400, "parameter_invalid", "student"],
      ["tutor array", withField({ tutor: [{ id: "t" }] }), 400, "parameter_invalid", "tutor"],
      ["student.id number", withField({ student: { id: 7 } }), 400, "parameter_invalid", "student.id"],
      ["amount string", withField({ amount: "5000" }), 400, "parameter_invalid", "amount"],
      ["amount null", withField({ amount: null }), 400, "parameter_invalid", "amount"],
      ["amount object", withField({ amount: { value: 5000 } }), 400, "parameter_invalid", "amount"],
      ["duration string", withField({ duration_minutes: "60" }), 400, "parameter_invalid", "duration_minutes"],
      [
        "scheduled_start number",
        withField({ scheduled_start: now + HOUR }),
        400,
        "parameter_invalid",
        "scheduled_start",
      ],
      ["currency number", withField({ currency: 840 }), 400, "parameter_invalid", "currency"],
      ["platform_fee string", withField({ platform_fee: "1000" }), 400, "parameter_invalid", "platform_fee"],
      ["subject boolean", withField({ subject: true }), 400, "parameter_invalid", "subject"],
      ["subject null", withField({ subject: null }), 400, "parameter_invalid", "subject"],
      ["timezone number", withField({ timezone: 1 }), 400, "parameter_invalid", "timezone"],
      // amounts
      ["negative amount", withField({ amount: -5000 }), 400, "parameter_invalid", "amount"],
      ["zero amount", withField({ amount: 0, platform_fee: 0 }), 400, "parameter_invalid", "amount"],
      ["fractional amount", withField({ amount: 50.5 }), 400, "parameter_invalid", "amount"],
      ["unsafe integer amount", withField({ amount: 2 ** 60 }), 400, "parameter_invalid", "amount"],
      ["amount 1e300", withField({ amount: 1e300 }), 400, "parameter_invalid", "amount"],
      ["amount above the maximum", withField({ amount: 100_000_000 }), 422, "amount_too_large", "amount"],
      ["negative fee", withField({ platform_fee: -1 }), 400, "parameter_invalid", "platform_fee"],
      ["fractional fee", withField({ platform_fee: 0.5 }), 400, "parameter_invalid", "platform_fee"],
      ["fee above amount", withField({ platform_fee: 5001 }), 422, "platform_fee_exceeds_amount", "platform_fee"],
      // currency
      ["unknown currency", withField({ currency: "xyz" }), 422, "invalid_currency", "currency"],
      ["two-letter currency", withField({ currency: "us" }), 400, "parameter_invalid", "currency"],
      ["four-letter currency", withField({ currency: "usdd" }), 400, "parameter_invalid", "currency"],
      ["currency with a symbol", withField({ currency: "u$d" }), 400, "parameter_invalid", "currency"],
      // dates
      ["garbage date", withField({ scheduled_start: "next tuesday" }), 422, "invalid_datetime", "scheduled_start"],
      ["empty date", withField({ scheduled_start: "" }), 422, "invalid_datetime", "scheduled_start"],
      ["prose date", withField({ scheduled_start: "March 7, 2031 10:00" }), 422, "invalid_datetime", "scheduled_start"],
      ["date without time", withField({ scheduled_start: "2031-03-07" }), 422, "invalid_datetime", "scheduled_start"],
      [
        "time without offset",
        withField({ scheduled_start: "2031-03-07T10:00:00" }),
        422,
        "invalid_datetime",
        "scheduled_start",
      ],
      [
        "February 30th",
        withField({ scheduled_start: "2031-02-30T10:00:00Z" }),
        422,
        "invalid_datetime",
        "scheduled_start",
      ],
      [
        "February 29th of a common year",
        withField({ scheduled_start: "2031-02-29T10:00:00Z" }),
        422,
        "invalid_datetime",
        "scheduled_start",
      ],
      ["month 13", withField({ scheduled_start: "2031-13-01T10:00:00Z" }), 422, "invalid_datetime", "scheduled_start"],
      ["hour 24", withField({ scheduled_start: "2031-01-01T24:00:00Z" }), 422, "invalid_datetime", "scheduled_start"],
      [
        "six-digit year",
        withField({ scheduled_start: "+275760-09-13T00:00:00.000Z" }),
        422,
        "invalid_datetime",
        "scheduled_start",
      ],
      [
        "start in the past",
        withField({ scheduled_start: new Date(now - MINUTE).toISOString() }),
        422,
        "scheduled_start_in_past",
        "scheduled_start",
      ],
      [
        "start right now",
        withField({ scheduled_start: new Date(now).toISOString() }),
        422,
        "scheduled_start_in_past",
        "scheduled_start",
      ],
      [
        "start in 1970",
        withField({ scheduled_start: "1970-01-01T00:00:00Z" }),
        422,
        "scheduled_start_in_past",
        "scheduled_start",
      ],
      // duration
      ["zero duration", withField({ duration_minutes: 0 }), 400, "parameter_invalid", "duration_minutes"],
      ["negative duration", withField({ duration_minutes: -60 }), 400, "parameter_invalid", "duration_minutes"],
      ["4-minute lesson", withField({ duration_minutes: 4 }), 400, "parameter_invalid", "duration_minutes"],
      ["13-hour lesson", withField({ duration_minutes: 721 }), 400, "parameter_invalid", "duration_minutes"],
      ["fractional duration", withField({ duration_minutes: 30.5 }), 400, "parameter_invalid", "duration_minutes"],
      // strings
      ["empty external_id", withField({ external_id: "" }), 400, "parameter_invalid", "external_id"],
      ["oversized external_id", withField({ external_id: "x".repeat(256) }), 400, "parameter_invalid", "external_id"],
      ["empty student id", withField({ student: { id: "" } }), 400, "parameter_invalid", "student.id"],
      ["oversized tutor id", withField({ tutor: { id: "t".repeat(256) } }), 400, "parameter_invalid", "tutor.id"],
      [
        "oversized student name",
        withField({ student: { id: "s", name: "n".repeat(201) } }),
        400,
        "parameter_invalid",
        "student.name",
      ],
      ["oversized subject", withField({ subject: "s".repeat(201) }), 400, "parameter_invalid", "subject"],
      ["oversized timezone", withField({ timezone: "z".repeat(65) }), 400, "parameter_invalid", "timezone"],
      ["unknown timezone", withField({ timezone: "Mars/Olympus_Mons" }), 422, "invalid_timezone", "timezone"],
      [
        "malformed stripe account",
        withField({ tutor: { id: "t", stripe_account: "acct_" } }),
        400,
        "parameter_invalid",
        "tutor.stripe_account",
      ],
      ["student teaching themself", withField({ tutor: { id: "student_1" } }), 422, "same_participant", "tutor.id"],
      // unknown fields are refused, not ignored
      ["unknown field", withField({ coupon: "FREE" }), 400, "parameter_unknown", "coupon"],
      [
        "unknown nested field",
        withField({ student: { id: "s", email: "s@example.com" } }),
        400,
        "parameter_unknown",
        "student.email",
      ],
      [
        "__proto__ field",
        JSON.parse(`{"__proto__": {"admin": true}, ${JSON.stringify(base).slice(1)}`),
        400,
        "parameter_unknown",
        "__proto__",
      ],
      // not an object at all
      ["array body", [base], 400, "parameter_invalid"],
      ["string body", "lesson", 400, "parameter_invalid"],
      ["null body", null, 400, "parameter_invalid"],
    ];
    for (const [label, body, status, code, param] of cases) {
      const res = await refused(
        server,
        () => send(server, "POST", "/v1/bookings", key, JSON.stringify(body), "application/json"),
        status,
        code,
        param,
      );
      expect(res.status, label).toBe(status);
    }
    // The same body, corrected, books: the refusals above were about the input, not the tenant.
    const ok = await server.call("POST", "/v1/bookings", { key, body: base });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ external_id: "lesson_base", escrow: { currency: "usd", amount: 5000 } });
    // Upper-case currency and an explicit offset are fine and normalised.
    const normalised = await server.call("POST", "/v1/bookings", {
      key,
      body: { ...validBooking(server, "lesson_offset"), currency: "EUR", scheduled_start: "2030-01-01T12:00:00+02:00" },
    });
    expect(normalised.status).toBe(200);
    expect(normalised.body).toMatchObject({ escrow: { currency: "eur" }, scheduled_start: "2030-01-01T10:00:00.000Z" });
    // A reused external_id is a conflict, and nothing is booked twice.
    await refused(server, () => server.call("POST", "/v1/bookings", { key, body: base }), 409, "external_id_taken");
  });

  it("answers unknown and malformed ids on every id route with a 404 (or a 400 for an impossible id)", async () => {
    const spec = (await server.call("GET", "/openapi.json")).body;
    const lesson = await paidBooking(server, key);
    // A valid body for each route, so the only thing wrong is the id.
    const bodies: Record<string, Json | undefined> = {
      "GET /v1/bookings/{id}": undefined,
      "POST /v1/bookings/{id}/cancel": { by: "platform" },
      "POST /v1/bookings/{id}/participant-tokens": { role: "student" },
      "GET /v1/escrows/{id}": undefined,
      "POST /v1/escrows/{id}/dispute": { reason: "The tutor never came" },
      "POST /v1/escrows/{id}/resolve": { outcome: "release" },
      "GET /v1/events/{id}": undefined,
      "POST /v1/events/{id}/redeliver": {},
      "GET /v1/webhook-endpoints/{id}": undefined,
      "PATCH /v1/webhook-endpoints/{id}": { description: "renamed" },
      "DELETE /v1/webhook-endpoints/{id}": undefined,
      "POST /v1/webhook-endpoints/{id}/rotate-secret": undefined,
      "POST /v1/sandbox/bookings/{id}/pay": {},
    };
    const tested: string[] = [];
    for (const [path, operations] of Object.entries(spec.paths as Record<string, Record<string, Json>>)) {
      if (!path.includes("{id}")) continue;
      for (const [method, operation] of Object.entries(operations)) {
        const route = `${method.toUpperCase()} ${path}`;
        expect(operation.security, route).toEqual([{ SecretKey: [] }]);
        expect(Object.keys(bodies), `add a valid body for ${route}`).toContain(route);
        const body = bodies[route];
        for (const id of [
          "bk_doesNotExist0000000",
          "esc_nope",
          "evt_nope",
          "we_nope",
          "x",
          "%F0%9F%8E%93",
          "..%2F..%2Ftenant",
        ]) {
          await refused(
            server,
            () => server.call(method.toUpperCase(), path.replace("{id}", id), { key, body }),
            404,
            "resource_missing",
            "id",
          );
        }
        // Right id, wrong kind of resource: a booking id is not an escrow id and so on.
        if (!path.startsWith("/v1/bookings") && !path.startsWith("/v1/sandbox")) {
          await refused(
            server,
            () => server.call(method.toUpperCase(), path.replace("{id}", lesson.id), { key, body }),
            404,
            "resource_missing",
            "id",
          );
        }
        for (const impossible of ["i".repeat(256), "bk_%00"]) {
          await refused(
            server,
            () => server.call(method.toUpperCase(), path.replace("{id}", impossible), { key, body }),
            400,
            "parameter_invalid",
            "id",
          );
        }
        tested.push(route);
      }
    }
    expect(tested.sort()).toEqual(Object.keys(bodies).sort());
    // A tutor with no bookings simply has no balances.
    const balance = await server.call("GET", "/v1/tutors/tutor_unknown/balance", { key });
    expect(balance.body).toEqual({ tutor_id: "tutor_unknown", balances: [] });
    await refused(
      server,
      () => server.call("GET", `/v1/tutors/${"t".repeat(256)}/balance`, { key }),
      400,
      "parameter_invalid",
      "tutorId",
    );
    await refused(
      server,
      () => server.call("GET", "/v1/tutors/t%00/balance", { key }),
      400,
      "parameter_invalid",
      "tutorId",
    );
    // An unknown route is a 404 in the same format.
    await refused(server, () => server.call("POST", "/v1/bookings/x/y", { key, body: {} }), 404, "route_not_found");
  });

  it("refuses oversized notes, out-of-range ratings and bad dispute reasons, then accepts good ones", async () => {
    const lesson = await completedLesson(server, key);
    const asTutor = { key: lesson.tutor };
    const asStudent = { key: lesson.student };
    const notes = (body: unknown) => () => server.call("PUT", `/v1/sessions/${lesson.id}/notes`, { ...asTutor, body });
    await refused(server, notes({ notes: "n".repeat(20_001) }), 422, "notes_too_long", "notes");
    await refused(server, notes({ notes: "🎓".repeat(10_001) }), 422, "notes_too_long", "notes");
    await refused(server, notes({}), 400, "parameter_missing", "notes");
    await refused(server, notes({ notes: 12 }), 400, "parameter_invalid", "notes");
    await refused(server, notes({ notes: ["a"] }), 400, "parameter_invalid", "notes");
    await refused(server, notes({ notes: "ok", pinned: true }), 400, "parameter_unknown", "pinned");
    const saved = await server.call("PUT", `/v1/sessions/${lesson.id}/notes`, {
      ...asTutor,
      body: { notes: "n".repeat(20_000) },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.notes).toHaveLength(20_000);

    const rate = (body: unknown) => () =>
      server.call("POST", `/v1/sessions/${lesson.id}/rating`, { ...asStudent, body });
    for (const stars of [0, 6, -1, 3.5, 1e9]) await refused(server, rate({ stars }), 400, "parameter_invalid", "stars");
    for (const stars of ["5", null, true, [5], { value: 5 }]) {
      await refused(server, rate({ stars }), 400, "parameter_invalid", "stars");
    }
    await refused(server, rate({}), 400, "parameter_missing", "stars");
    await refused(server, rate({ comment: "great" }), 400, "parameter_missing", "stars");
    await refused(server, rate({ stars: 5, comment: "c".repeat(2001) }), 400, "parameter_invalid", "comment");
    await refused(server, rate({ stars: 5, comment: 5 }), 400, "parameter_invalid", "comment");

    const dispute = (body: unknown) => () =>
      server.call("POST", `/v1/sessions/${lesson.id}/dispute`, { ...asStudent, body });
    const escrowDispute = (body: unknown) => () =>
      server.call("POST", `/v1/escrows/${lesson.escrowId}/dispute`, { key, body });
    for (const route of [dispute, escrowDispute]) {
      await refused(server, route({}), 400, "parameter_missing", "reason");
      await refused(server, route({ reason: "" }), 400, "parameter_invalid", "reason");
      await refused(server, route({ reason: "r".repeat(2001) }), 400, "parameter_invalid", "reason");
      await refused(server, route({ reason: 42 }), 400, "parameter_invalid", "reason");
      await refused(server, route({ reason: "bad", amount: 5 }), 400, "parameter_unknown", "amount");
    }

    const rated = await server.call("POST", `/v1/sessions/${lesson.id}/rating`, {
      ...asStudent,
      body: { stars: 5, comment: "c".repeat(2000) },
    });
    expect(rated.status).toBe(200);
    await refused(server, rate({ stars: 4 }), 409, "already_rated");
    const disputed = await server.call("POST", `/v1/sessions/${lesson.id}/dispute`, {
      ...asStudent,
      body: { reason: "r".repeat(2000) },
    });
    expect(disputed.status).toBe(200);
    expect(disputed.body.status).toBe("disputed");

    // Resolving: the outcome must be known and the refund must fit what is held.
    const resolve = (body: unknown) => () =>
      server.call("POST", `/v1/escrows/${lesson.escrowId}/resolve`, { key, body });
    await refused(server, resolve({}), 400, "parameter_missing", "outcome");
    await refused(server, resolve({ outcome: "split" }), 400, "parameter_invalid", "outcome");
    await refused(server, resolve({ outcome: "refund", refund_amount: 0 }), 400, "parameter_invalid", "refund_amount");
    await refused(server, resolve({ outcome: "refund", refund_amount: -5 }), 400, "parameter_invalid", "refund_amount");
    await refused(
      server,
      resolve({ outcome: "refund", refund_amount: 1.5 }),
      400,
      "parameter_invalid",
      "refund_amount",
    );
    await refused(
      server,
      resolve({ outcome: "refund", refund_amount: 5001 }),
      422,
      "refund_exceeds_held",
      "refund_amount",
    );
    await refused(
      server,
      resolve({ outcome: "release", refund_amount: 100 }),
      422,
      "refund_amount_not_allowed",
      "refund_amount",
    );
    expect((await ledgerInvariant(server.deps)).broken).toEqual([]);
  });

  it("refuses bad bodies on the other tenant routes", async () => {
    const lesson = await paidBooking(server, key);
    const post =
      (path: string, body: unknown, method = "POST") =>
      () =>
        server.call(method, path, { key, body });
    await refused(server, post(`/v1/bookings/${lesson.id}/cancel`, {}), 400, "parameter_missing", "by");
    await refused(server, post(`/v1/bookings/${lesson.id}/cancel`, { by: "admin" }), 400, "parameter_invalid", "by");
    await refused(
      server,
      post(`/v1/bookings/${lesson.id}/cancel`, { by: "platform", reason: "r".repeat(501) }),
      400,
      "parameter_invalid",
      "reason",
    );
    const tokens = `/v1/bookings/${lesson.id}/participant-tokens`;
    await refused(server, post(tokens, {}), 400, "parameter_missing", "role");
    await refused(server, post(tokens, { role: "admin" }), 400, "parameter_invalid", "role");
    await refused(server, post(tokens, { role: "tutor", ttl_seconds: 59 }), 400, "parameter_invalid", "ttl_seconds");
    await refused(
      server,
      post(tokens, { role: "tutor", ttl_seconds: 31 * 24 * 3600 }),
      400,
      "parameter_invalid",
      "ttl_seconds",
    );
    await refused(server, post(tokens, { role: "tutor", user_id: "u" }), 400, "parameter_unknown", "user_id");
    await refused(
      server,
      post(`/v1/sandbox/bookings/${lesson.id}/pay`, { outcome: "maybe" }),
      400,
      "parameter_invalid",
      "outcome",
    );
    await refused(server, post(`/v1/sandbox/bookings/${lesson.id}/pay`, {}), 409, "booking_already_paid");
    await refused(server, post("/v1/sandbox/clock", {}), 400, "parameter_missing", "advance_seconds");
    for (const advance_seconds of [0, -1, 1.5, "60", null]) {
      await refused(
        server,
        post("/v1/sandbox/clock", { advance_seconds }),
        400,
        "parameter_invalid",
        "advance_seconds",
      );
    }
    await refused(
      server,
      post("/v1/sandbox/clock", { advance_seconds: 1e12 }),
      422,
      "advance_too_large",
      "advance_seconds",
    );
    await refused(server, post("/v1/tenant", { name: "" }, "PATCH"), 400, "parameter_invalid", "name");
    await refused(
      server,
      post("/v1/tenant", { secret_key_hint: "x" }, "PATCH"),
      400,
      "parameter_unknown",
      "secret_key_hint",
    );
    await refused(
      server,
      post("/v1/tenant", { policy: { late_cancel_refund_percent: 101 } }, "PATCH"),
      400,
      "parameter_invalid",
      "policy.late_cancel_refund_percent",
    );
    await refused(
      server,
      post("/v1/tenant", { policy: { no_show_minutes: 0 } }, "PATCH"),
      400,
      "parameter_invalid",
      "policy.no_show_minutes",
    );
    await refused(
      server,
      post("/v1/tenant", { agora: { app_id: "short", app_certificate: "x" } }, "PATCH"),
      400,
      "parameter_invalid",
      "agora.app_id",
    );
    const hooks = "/v1/webhook-endpoints";
    await refused(server, post(hooks, {}), 400, "parameter_missing", "url");
    await refused(server, post(hooks, { url: "not a url" }), 422, "invalid_url", "url");
    await refused(server, post(hooks, { url: "http://hooks.example.com/x" }), 422, "url_not_https", "url");
    await refused(server, post(hooks, { url: "https://user:pw@hooks.example.com/x" }), 422, "invalid_url", "url");
    await refused(server, post(hooks, { url: "https://10.0.0.7/x" }), 422, "url_forbidden_address", "url");
    await refused(server, post(hooks, { url: "https://[::1]/x" }), 422, "url_forbidden_address", "url");
    await refused(server, post(hooks, { url: "https://169.254.169.254/latest" }), 422, "url_forbidden_address", "url");
    await refused(server, post(hooks, { url: "https://nowhere.example.com/x" }), 422, "url_unresolvable", "url");
    await refused(
      server,
      post(hooks, { url: `https://hooks.example.com/${"p".repeat(2048)}` }),
      400,
      "parameter_invalid",
      "url",
    );
    await refused(
      server,
      post(hooks, { url: "https://hooks.example.com/x", event_types: ["booking.exploded"] }),
      400,
      "parameter_invalid",
      "event_types.0",
    );
    const admin = (body: unknown) => () => server.call("POST", "/v1/admin/tenants", { key: ADMIN_KEY, body });
    await refused(server, admin({ name: "X" }), 400, "parameter_missing", "payment_provider");
    await refused(
      server,
      admin({ name: "X", payment_provider: "paypal" }),
      400,
      "parameter_invalid",
      "payment_provider",
    );
    await refused(server, admin({ name: "", payment_provider: "sandbox" }), 400, "parameter_invalid", "name");
    await refused(
      server,
      admin({ name: "X", payment_provider: "sandbox", policy: { join_window_minutes: -1 } }),
      400,
      "parameter_invalid",
      "policy.join_window_minutes",
    );
  });

  it("refuses invalid JSON, other media types, oversized bodies and bad idempotency keys", async () => {
    const body = JSON.stringify(validBooking(server, "lesson_raw"));
    const bookings = (text: string | undefined, contentType?: string) => () =>
      send(server, "POST", "/v1/bookings", key, text, contentType);
    for (const text of ["{", "{'external_id': 'x'}", '{"a":1,}', "undefined", "NaN", body.slice(0, -1)]) {
      await refused(server, bookings(text, "application/json"), 400, "invalid_json");
    }
    await refused(server, bookings("", "application/json"), 400, "invalid_json");
    await refused(server, bookings(body, "text/plain"), 415, "unsupported_media_type");
    await refused(server, bookings(body, "application/x-www-form-urlencoded"), 415, "unsupported_media_type");
    await refused(server, bookings(body, "multipart/form-data; boundary=x"), 415, "unsupported_media_type");
    await refused(server, bookings(body), 415, "unsupported_media_type");
    // No body and no media type reads as an empty object: every parameter is missing.
    await refused(server, bookings(undefined), 400, "parameter_missing", "external_id");
    const huge = JSON.stringify({ ...validBooking(server, "lesson_huge"), subject: "s".repeat(300 * 1024) });
    await refused(server, bookings(huge, "application/json"), 413, "body_too_large");
    await refused(
      server,
      () => send(server, "PUT", "/v1/sessions/bk_x/notes", "lk_pt_x", huge, "application/json"),
      413,
      "body_too_large",
    );
    // Just under the limit is read (and then refused for what it says, not for its size).
    const big = JSON.stringify({ ...validBooking(server, "lesson_big"), subject: "s".repeat(200 * 1024) });
    await refused(server, bookings(big, "application/json"), 400, "parameter_invalid", "subject");

    const withKey = (idempotencyKey: string) => async () => {
      const res = await server.app.request("/v1/bookings", {
        method: "POST",
        headers: {
          Authorization: `Bearer ${key}`,
          "Content-Type": "application/json",
          "Idempotency-Key": idempotencyKey,
        },
        body,
      });
      return { status: res.status, body: (await res.json()) as Json, headers: res.headers };
    };
    await refused(server, withKey(""), 400, "idempotency_key_invalid");
    await refused(server, withKey("k".repeat(256)), 400, "idempotency_key_invalid");
  });

  it("refuses bad pagination on every list", async () => {
    for (const list of ["/v1/bookings", "/v1/escrows", "/v1/events", "/v1/webhook-endpoints"]) {
      for (const limit of ["0", "101", "1000", "-1", "1.5", "abc", "", "1e3"]) {
        await refused(
          server,
          () => server.call("GET", `${list}?limit=${encodeURIComponent(limit)}`, { key }),
          400,
          "parameter_invalid",
          "limit",
        );
      }
      await refused(
        server,
        () => server.call("GET", `${list}?starting_after=`, { key }),
        400,
        "parameter_invalid",
        "starting_after",
      );
      // Text with U+0000 is refused as such wherever it appears (PostgreSQL could not store it).
      await refused(
        server,
        () => server.call("GET", `${list}?starting_after=bk_%00`, { key }),
        400,
        "parameter_invalid",
        "starting_after",
      );
      for (const cursor of ["garbage", "%27%20or%201%3D1--"]) {
        await refused(
          server,
          () => server.call("GET", `${list}?starting_after=${cursor}`, { key }),
          404,
          "resource_missing",
          "starting_after",
        );
      }
      const ok = await server.call("GET", `${list}?limit=100`, { key });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ has_more: false, next_cursor: null });
    }
    await refused(
      server,
      () => server.call("GET", "/v1/bookings?status=paid", { key }),
      400,
      "parameter_invalid",
      "status",
    );
    await refused(
      server,
      () => server.call("GET", "/v1/escrows?status=frozen", { key }),
      400,
      "parameter_invalid",
      "status",
    );
    await refused(
      server,
      () => server.call("GET", "/v1/events?type=booking.exploded", { key }),
      400,
      "parameter_invalid",
      "type",
    );
  });
});

/** mulberry32: a tiny seeded PRNG, so every run fuzzes exactly the same inputs. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}

type Random = ReturnType<typeof prng>;

const WEIRD: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1,
  5,
  1.5,
  -0.0001,
  60,
  100,
  5000,
  99_999_999,
  100_000_000,
  2 ** 53,
  1e308,
  -1e308,
  "",
  " ",
  "0",
  "5000",
  "NaN",
  "Infinity",
  "-Infinity",
  "null",
  "undefined",
  "true",
  "0x1F",
  "1e9",
  "usd",
  "USD",
  "xyz",
  "💸💸💸",
  "٣٤٥",
  "\u0000\u0001",
  "\uD800",
  "Ω≈ç√∫",
  "<script>alert(1)</script>",
  "'; drop table bookings; --",
  "../../etc/passwd",
  "%s%n%x",
  "x".repeat(256),
  "y".repeat(5000),
  "2030-01-01T10:00:00Z",
  "2030-02-30T10:00:00Z",
  "2030-01-01",
  "9999-12-31T23:59:59.999Z",
  "0000-01-01T00:00:00Z",
  "+275760-09-13T00:00:00.000Z",
  "Europe/Berlin",
  "acct_123",
  "student",
  "tutor",
  "platform",
  "release",
  "refund",
  "fail",
  {},
  { id: "x" },
  { nested: { deeper: [1, { x: null }] } },
  [],
  [1, "a", null],
  [{}],
];

function randomValue(random: Random, depth = 0): unknown {
  const roll = random.int(10);
  if (depth < 3 && roll === 0) {
    const out: Json = {};
    for (let i = random.int(4); i > 0; i--)
      out[random.pick(["id", "name", "a", "__proto__", "constructor", "x"])] = randomValue(random, depth + 1);
    return out;
  }
  if (depth < 3 && roll === 1) return Array.from({ length: random.int(4) }, () => randomValue(random, depth + 1));
  if (roll === 2) return (random.next() - 0.5) * 10 ** random.int(20);
  if (roll === 3) return random.int(2 ** 31) - 2 ** 30;
  return random.pick(WEIRD);
}

/** Drops, replaces or adds fields (at any depth) of a valid booking, one to three times. */
function mutateBooking(random: Random, base: Json): unknown {
  if (random.int(25) === 0) return randomValue(random);
  const body = structuredClone(base);
  for (let n = 1 + random.int(3); n > 0; n--) {
    const nested = random.int(5) === 0;
    const target: Json = nested ? (body[random.pick(["student", "tutor"])] as Json) : body;
    if (!target || typeof target !== "object") continue;
    const fields = Object.keys(target);
    const field =
      random.int(8) === 0 ? random.pick(["extra", "id", "stripe_account", "metadata"]) : random.pick(fields);
    switch (random.int(3)) {
      case 0:
        delete target[field];
        break;
      default:
        target[field] = randomValue(random);
    }
  }
  return body;
}

/** A body built from a route's own field names with random values: sometimes valid, mostly not. */
function randomBody(random: Random, fields: Record<string, readonly unknown[]>): unknown {
  if (random.int(15) === 0) return randomValue(random);
  const body: Json = {};
  for (const [field, good] of Object.entries(fields)) {
    const roll = random.int(4);
    if (roll === 0) continue;
    body[field] = roll === 1 ? randomValue(random) : random.pick(good);
  }
  if (random.int(10) === 0) body[random.pick(["extra", "tenant_id", "status"])] = randomValue(random);
  return body;
}

/** Mangles the JSON text itself or the media type now and then. */
function encode(random: Random, body: unknown): { text: string | undefined; contentType: string | undefined } {
  const text = JSON.stringify(body) ?? "null";
  switch (random.int(20)) {
    case 0: {
      const at = random.int(text.length);
      return { text: text.slice(0, at) + text.slice(at + 1), contentType: "application/json" };
    }
    case 1:
      return { text, contentType: random.pick(["text/plain", "application/xml", "application/x-www-form-urlencoded"]) };
    case 2:
      return { text: undefined, contentType: undefined };
    default:
      return { text, contentType: "application/json" };
  }
}

describe("a seeded fuzz of the write routes", () => {
  it("never answers a 5xx, always answers refusals in the error format, and only writes on a 2xx", async () => {
    const server = await createTestServer({ webhookTransport: offlineTransport });
    const random = prng(0x1e550);
    const { key } = await server.createTenant();
    // The clock and policy fuzz run on their own tenant so the booking tenant's time stays put.
    const { key: other } = await server.createTenant({ name: "Other" });
    const lesson = await completedLesson(server, key);
    // The tenant's clock ran ahead through the lesson; new bookings start two hours after its now.
    const tenantNow = Date.parse((await advance(server, key, 1000)).now);
    const startsAt = tenantNow + 2 * HOUR;
    const pending = await server.call("POST", "/v1/bookings", { key, body: validBooking(server, "pending", startsAt) });
    expect(pending.status).toBe(200);
    const statuses = new Map<number, number>();

    async function attempt(method: string, path: string, as: string, body: unknown) {
      const { text, contentType } = encode(random, body);
      const headers = path.startsWith("/v1/stripe/") ? stripeSignature(text ?? "") : {};
      const before = await databaseState(server);
      const res = await send(server, method, path, as, text, contentType, headers);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const context = `${method} ${path} ${text?.slice(0, 300)} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
      expect(res.status, context).toBeLessThan(500);
      if (res.status >= 300) {
        expectErrorFormat(res);
        expect((await databaseState(server)).rows, context).toEqual(before.rows);
      }
    }

    for (let i = 0; i < 300; i++) {
      const base = validBooking(server, `fuzz_${i}`, startsAt);
      await attempt("POST", "/v1/bookings", key, mutateBooking(random, base));
    }

    // A Stripe tenant, for its webhook route: bodies are signed right, wrong or not at all.
    const signingSecret = "whsec_FuzzSigningSecret0123456789abcdef";
    const stripeTenant = await server.createTenant({
      name: "Stripe platform",
      payment_provider: "stripe",
      stripe: { secret_key: "sk_test_FuzzKey0123456789", webhook_secret: signingSecret },
    });
    function stripeSignature(text: string): Record<string, string> {
      const timestamp = Math.floor(server.clock.now() / 1000) - random.pick([0, 0, 0, 0, 10, 3600]);
      const signed = createHmac("sha256", signingSecret).update(`${timestamp}.${text}`).digest("hex");
      const header = random.pick([
        `t=${timestamp},v1=${signed}`,
        `t=${timestamp},v1=${signed}`,
        `t=${timestamp},v1=${signed}`,
        `t=${timestamp},v1=${signed}`,
        `t=${timestamp},v1=${"0".repeat(64)}`,
        `t=nope,v1=${signed}`,
        "garbage",
        "",
        null,
      ]);
      return header === null ? {} : { "Stripe-Signature": header };
    }
    const stripeObject = (): unknown =>
      random.pick([
        { id: "pi_fuzz", object: "payment_intent", latest_charge: "ch_fuzz", metadata: { booking_id: lesson.id } },
        {
          id: "ch_fuzz",
          object: "charge",
          payment_intent: random.pick(["pi_fuzz", null, 5]),
          amount_refunded: randomValue(random),
        },
        {
          id: "dp_fuzz",
          object: "dispute",
          charge: random.pick(["ch_fuzz", null, {}]),
          amount: randomValue(random),
          status: "lost",
        },
        { id: "tr_fuzz", object: "transfer", amount_reversed: randomValue(random) },
        { id: "acct_fuzz", object: "account", payouts_enabled: randomValue(random) },
        randomValue(random),
      ]);
    const stripeTypes = [
      "payment_intent.succeeded",
      "payment_intent.payment_failed",
      "payment_intent.canceled",
      "charge.refunded",
      "charge.dispute.created",
      "charge.dispute.closed",
      "transfer.reversed",
      "account.updated",
      "customer.created",
      7,
    ];

    const ids = [lesson.id, lesson.escrowId, pending.body.id, "bk_missing", "x".repeat(300)];
    const routes: [string, () => string, string, Record<string, readonly unknown[]>][] = [
      [
        "POST",
        () => `/v1/bookings/${random.pick(ids)}/cancel`,
        key,
        { by: ["student", "tutor", "platform", "admin"], reason: ["late", ""] },
      ],
      [
        "POST",
        () => `/v1/bookings/${random.pick(ids)}/participant-tokens`,
        key,
        { role: ["student", "tutor"], ttl_seconds: [60, 3600, 59] },
      ],
      ["POST", () => `/v1/escrows/${random.pick(ids)}/dispute`, key, { reason: ["no show", ""] }],
      [
        "POST",
        () => `/v1/escrows/${random.pick(ids)}/resolve`,
        key,
        { outcome: ["release", "refund"], refund_amount: [1, 100, 5000, 0] },
      ],
      ["POST", () => `/v1/sandbox/bookings/${random.pick(ids)}/pay`, key, { outcome: ["succeed", "fail"] }],
      ["POST", () => "/v1/sandbox/clock", other, { advance_seconds: [1, 60, 3600, 0, -1] }],
      [
        "PATCH",
        () => "/v1/tenant",
        other,
        {
          name: ["Renamed", ""],
          policy: [{ join_window_minutes: 10 }, { no_show_minutes: 0 }, { late_join_minutes: null }],
        },
      ],
      [
        "POST",
        () => "/v1/webhook-endpoints",
        key,
        {
          url: ["https://hooks.example.com/lk", "https://10.0.0.1/", "ftp://x"],
          description: ["d"],
          event_types: [["booking.created"], null, ["nope"]],
          enabled: [true, false],
        },
      ],
      ["PUT", () => `/v1/sessions/${lesson.id}/notes`, lesson.tutor, { notes: ["short", "n".repeat(20_001)] }],
      ["POST", () => `/v1/sessions/${lesson.id}/rating`, lesson.student, { stars: [1, 3, 5, 0, 6], comment: ["nice"] }],
      ["POST", () => `/v1/sessions/${lesson.id}/dispute`, lesson.student, { reason: ["absent", ""] }],
      ["POST", () => `/v1/sessions/${lesson.id}/dispute`, lesson.tutor, { reason: ["absent"] }],
      [
        "POST",
        () => "/v1/admin/tenants",
        ADMIN_KEY,
        {
          name: ["Fuzz", ""],
          payment_provider: ["sandbox", "stripe", "cash"],
          policy: [{}, { release_delay_hours: 1 }, { release_delay_hours: -1 }],
          agora: [{ app_id: "0".repeat(32), app_certificate: "1".repeat(32) }, { app_id: "x" }],
        },
      ],
    ];
    const stripeWebhook = (): string =>
      `/v1/stripe/webhooks/${random.pick([stripeTenant.tenant.id, stripeTenant.tenant.id, stripeTenant.tenant.id, "tn_missing", "x".repeat(300)])}`;
    /** A well-formed event envelope most of the time, so signed ones reach the domain. */
    const stripeEvent = (): unknown => {
      const event: Json = {
        id: `evt_fuzz_${random.int(40)}`,
        object: "event",
        type: random.pick(stripeTypes),
        created: Math.floor(server.clock.now() / 1000) - random.int(3600),
        livemode: random.int(8) === 0,
        data: { object: stripeObject() },
      };
      if (random.int(4) === 0) return mutateBooking(random, event);
      return event;
    };
    for (let i = 0; i < 300; i++) {
      const [method, path, as, fields] = random.pick(routes);
      await attempt(method, path(), as, randomBody(random, fields));
    }
    for (let i = 0; i < 150; i++) await attempt("POST", stripeWebhook(), "", stripeEvent());

    expect(server.errors).toEqual([]);
    expect((await ledgerInvariant(server.deps)).broken).toEqual([]);
    // The fuzz reached both sides: some inputs were accepted and many kinds were refused.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(10);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(4);
    server.close();
  });
});
