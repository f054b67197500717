import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { selectRows } from "../src/db/queries";
import { signParticipantToken } from "../src/domain/participants/token";
import { deriveKey, sha256Hex } from "../src/lib/crypto";
import type { WebhookTransport } from "../src/ports/webhooks";
import {
  ADMIN_KEY,
  advance,
  bookingBody,
  createTestServer,
  HOUR,
  type Json,
  MINUTE,
  paidBooking,
  snapshotTables,
  type TestServer,
} from "./harness";

/**
 * Security: tenants are sealed off from each other, participant tokens open exactly one booking
 * for one role, admin routes take only the admin key, secrets are never echoed back, and
 * Idempotency-Key replays are exact and scoped to the caller.
 */

/** Endpoint URLs resolve without the network; nothing is delivered in these tests. */
const offlineTransport: WebhookTransport = {
  lookup: async () => ["93.184.216.34"],
  send: async () => {
    throw new Error("no webhook is delivered in these tests");
  },
};

type Response = Awaited<ReturnType<TestServer["call"]>>;
type Operation = { method: string; path: string; security: string | null };

/** Every row of every table, so "nothing changed" is checked row by row. */
function snapshot(server: TestServer) {
  return snapshotTables(server.db);
}

function expectError(res: Response, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error).toMatchObject({ code });
  expect(res.body.error.request_id).toBe(res.headers.get("request-id"));
}

/** The API's operations, read from its own OpenAPI document, so a new route is covered here too. */
async function operations(server: TestServer): Promise<Operation[]> {
  const spec = (await server.call("GET", "/openapi.json")).body;
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(spec.paths as Record<string, Record<string, Json>>)) {
    for (const [method, operation] of Object.entries(methods)) {
      const schemes = (operation.security ?? []) as Record<string, unknown>[];
      out.push({
        method: method.toUpperCase(),
        path,
        security: schemes[0] ? (Object.keys(schemes[0])[0] ?? null) : null,
      });
    }
  }
  return out;
}

/** Token surgery: the three parts of `lk_pt_<payload>.<signature>`. */
function splitToken(token: string) {
  const [payload = "", signature = ""] = token.slice("lk_pt_".length).split(".");
  return { payload, signature };
}

function flip(text: string, at: number) {
  const char = text[at] === "A" ? "B" : "A";
  return text.slice(0, at) + char + text.slice(at + 1);
}

function rewritePayload(token: string, change: (claims: Json) => void) {
  const { payload, signature } = splitToken(token);
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Json;
  change(claims);
  return `lk_pt_${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
}

describe("tenant isolation", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await createTestServer({ webhookTransport: offlineTransport });
  });
  afterEach(() => {
    expect(server.errors).toEqual([]);
    server.close();
  });

  it("answers another tenant's ids with the same 404 as ids that never existed, and changes nothing", async () => {
    const a = await server.createTenant({ name: "Tenant A" });
    const b = await server.createTenant({ name: "Tenant B" });
    // Tenant A: a held lesson, a disputed one, an unpaid one, an endpoint and events.
    const held = await paidBooking(server, a.key);
    const disputed = await paidBooking(server, a.key);
    const dispute = await server.call("POST", `/v1/escrows/${disputed.escrowId}/dispute`, {
      key: a.key,
      body: { reason: "double booked" },
    });
    expect(dispute.status).toBe(200);
    const unpaid = await server.call("POST", "/v1/bookings", { key: a.key, body: bookingBody(server.clock) });
    const endpointA = await server.call("POST", "/v1/webhook-endpoints", {
      key: a.key,
      body: { url: "https://hooks.a.example/lk" },
    });
    expect(endpointA.status).toBe(200);
    const eventsA = (await server.call("GET", "/v1/events?limit=100", { key: a.key })).body.data as Json[];
    expect(eventsA.length).toBeGreaterThan(3);
    const eventA = eventsA[0]?.id as string;
    // Tenant B: its own lesson with the same tutor id, its own endpoint and events.
    const lessonB = await paidBooking(server, b.key, { amount: 7000, platform_fee: 0 });
    const endpointB = await server.call("POST", "/v1/webhook-endpoints", {
      key: b.key,
      body: { url: "https://hooks.b.example/lk" },
    });
    const eventB = (await server.call("GET", "/v1/events", { key: b.key })).body.data[0].id as string;

    // The id A owns on each id route, and a body that would be accepted were the id B's own.
    const targets: Record<string, { id: string; body?: Json }> = {
      "GET /v1/bookings/{id}": { id: held.id },
      "POST /v1/bookings/{id}/cancel": { id: held.id, body: { by: "platform", reason: "stolen" } },
      "POST /v1/bookings/{id}/participant-tokens": { id: held.id, body: { role: "student" } },
      "GET /v1/escrows/{id}": { id: held.escrowId },
      "POST /v1/escrows/{id}/dispute": { id: held.escrowId, body: { reason: "not mine" } },
      "POST /v1/escrows/{id}/resolve": { id: disputed.escrowId, body: { outcome: "refund" } },
      "GET /v1/events/{id}": { id: eventA },
      "POST /v1/events/{id}/redeliver": { id: eventA, body: {} },
      "GET /v1/webhook-endpoints/{id}": { id: endpointA.body.id },
      "PATCH /v1/webhook-endpoints/{id}": { id: endpointA.body.id, body: { url: "https://evil.example/steal" } },
      "DELETE /v1/webhook-endpoints/{id}": { id: endpointA.body.id },
      "POST /v1/webhook-endpoints/{id}/rotate-secret": { id: endpointA.body.id },
      "POST /v1/sandbox/bookings/{id}/pay": { id: unpaid.body.id, body: {} },
    };
    const idRoutes = (await operations(server)).filter((op) => op.path.includes("{id}"));
    expect(idRoutes.map((op) => `${op.method} ${op.path}`).sort()).toEqual(Object.keys(targets).sort());

    const before = await snapshot(server);
    for (const op of idRoutes) {
      const target = targets[`${op.method} ${op.path}`] as { id: string; body?: Json };
      const theirs = await server.call(op.method, op.path.replace("{id}", target.id), {
        key: b.key,
        body: target.body,
      });
      const nobodys = await server.call(op.method, op.path.replace("{id}", `${target.id.slice(0, 4)}neverExisted`), {
        key: b.key,
        body: target.body,
      });
      expectError(theirs, 404, "resource_missing");
      expect(theirs.body.error.message).toContain(target.id);
      // Indistinguishable from an id that never existed: same status, type, code and param.
      const shape = (res: Response) => ({
        status: res.status,
        type: res.body.error.type,
        code: res.body.error.code,
        param: res.body.error.param,
      });
      expect(shape(theirs)).toEqual(shape(nobodys));
    }
    // Redelivering B's own event to A's endpoint, or paging B's lists from A's ids, finds nothing either.
    const redeliver = await server.call("POST", `/v1/events/${eventB}/redeliver`, {
      key: b.key,
      body: { endpoint_id: endpointA.body.id },
    });
    expectError(redeliver, 404, "resource_missing");
    expect(redeliver.body.error.param).toBe("endpoint_id");
    for (const [list, cursor] of [
      ["/v1/bookings", held.id],
      ["/v1/escrows", held.escrowId],
      ["/v1/events", eventA],
      ["/v1/webhook-endpoints", endpointA.body.id],
    ] as const) {
      const res = await server.call("GET", `${list}?starting_after=${cursor}`, { key: b.key });
      expectError(res, 404, "resource_missing");
    }
    expect(await snapshot(server)).toEqual(before);

    // A's data is still A's, untouched.
    const mine = await server.call("GET", `/v1/bookings/${held.id}`, { key: a.key });
    expect(mine.body).toMatchObject({ status: "confirmed", escrow: { status: "held" } });
    expect((await server.call("GET", `/v1/webhook-endpoints/${endpointA.body.id}`, { key: a.key })).body.url).toBe(
      "https://hooks.a.example/lk",
    );

    // Lists never show the other tenant's rows, with or without filters.
    const idsOfA = new Set<string>([
      held.id,
      held.escrowId,
      disputed.id,
      disputed.escrowId,
      unpaid.body.id,
      endpointA.body.id,
    ]);
    for (const event of eventsA) idsOfA.add(event.id);
    const listsOfB = [
      "/v1/bookings?limit=100",
      "/v1/bookings?tutor_id=tutor_1",
      "/v1/bookings?student_id=student_1",
      "/v1/bookings?status=confirmed",
      "/v1/escrows?limit=100",
      "/v1/escrows?status=disputed",
      "/v1/escrows?tutor_id=tutor_1",
      "/v1/events?limit=100",
      `/v1/events?booking_id=${held.id}`,
      "/v1/events?type=escrow.disputed",
      "/v1/webhook-endpoints?limit=100",
    ];
    const seenByB = new Set<string>();
    for (const list of listsOfB) {
      const res = await server.call("GET", list, { key: b.key });
      expect(res.status, list).toBe(200);
      for (const row of res.body.data as Json[]) {
        expect(idsOfA.has(row.id), `${list} leaked ${row.id}`).toBe(false);
        seenByB.add(row.id);
      }
      expect(JSON.stringify(res.body)).not.toContain(held.id);
    }
    expect(seenByB).toContain(lessonB.id);
    expect(seenByB).toContain(endpointB.body.id);
    expect((await server.call("GET", `/v1/events?booking_id=${held.id}`, { key: b.key })).body.data).toEqual([]);
    expect((await server.call("GET", "/v1/escrows?status=disputed", { key: b.key })).body.data).toEqual([]);

    // The same tutor id in two tenants is two different people: each tenant sees only its own money.
    expect((await server.call("GET", "/v1/tutors/tutor_1/balance", { key: b.key })).body.balances).toEqual([
      { currency: "usd", pending: 7000, disputed: 0, released: 0 },
    ]);
    expect((await server.call("GET", "/v1/tutors/tutor_1/balance", { key: a.key })).body.balances).toEqual([
      { currency: "usd", pending: 4000, disputed: 4000, released: 0 },
    ]);
  });

  it("keeps participant tokens inside their tenant and booking", async () => {
    const a = await server.createTenant({ name: "Tenant A" });
    const b = await server.createTenant({ name: "Tenant B" });
    const lessonA = await paidBooking(server, a.key);
    const lessonB = await paidBooking(server, b.key);
    const before = await snapshot(server);
    // B cannot mint a token for A's booking.
    expectError(
      await server.call("POST", `/v1/bookings/${lessonA.id}/participant-tokens`, {
        key: b.key,
        body: { role: "tutor" },
      }),
      404,
      "resource_missing",
    );
    // A token for A's booking opens nothing of B's, on any session route.
    const sessionOps = (await operations(server)).filter((op) => op.security === "ParticipantToken");
    expect(sessionOps.length).toBeGreaterThanOrEqual(7);
    for (const op of sessionOps) {
      for (const token of [lessonA.student, lessonA.tutor]) {
        const res = await server.call(op.method, op.path.replace("{bookingId}", lessonB.id), {
          key: token,
          body: op.method === "GET" ? undefined : {},
        });
        expectError(res, 403, "token_booking_mismatch");
      }
    }
    // Even a correctly signed token whose tenant does not own the booking is refused.
    const crossed = signParticipantToken(server.deps, {
      tenantId: (await server.call("GET", "/v1/tenant", { key: a.key })).body.id,
      bookingId: lessonB.id,
      role: "tutor",
      userId: "tutor_1",
      expiresAt: server.clock.now() + HOUR,
    });
    expectError(await server.call("GET", `/v1/sessions/${lessonB.id}`, { key: crossed }), 404, "resource_missing");
    expectError(
      await server.call("POST", `/v1/sessions/${lessonB.id}/start`, { key: crossed }),
      404,
      "resource_missing",
    );
    expect(await snapshot(server)).toEqual(before);
  });
});

describe("participant tokens", () => {
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

  it("lets each role do only its own part: notes are the tutor's, rating and dispute the student's", async () => {
    const lesson = await paidBooking(server, key);
    const as = (token: string) => ({ key: token });
    // Before the lesson the role check comes first, whatever the state.
    expectError(
      await server.call("PUT", `/v1/sessions/${lesson.id}/notes`, { ...as(lesson.student), body: { notes: "x" } }),
      403,
      "tutor_only",
    );
    await advance(server, key, 2 * HOUR - 5 * MINUTE);
    // Either participant may start (DESIGN: the first to start); the student does here.
    const started = await server.call("POST", `/v1/sessions/${lesson.id}/start`, as(lesson.student));
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ role: "student", started_by: "student" });
    expect((await server.call("POST", `/v1/sessions/${lesson.id}/join`, as(lesson.tutor))).body.role).toBe("tutor");
    await advance(server, key, 65 * MINUTE);
    expect((await server.call("POST", `/v1/sessions/${lesson.id}/end`, as(lesson.tutor))).status).toBe(200);

    const before = await snapshot(server);
    expectError(
      await server.call("PUT", `/v1/sessions/${lesson.id}/notes`, { ...as(lesson.student), body: { notes: "mine" } }),
      403,
      "tutor_only",
    );
    expectError(
      await server.call("POST", `/v1/sessions/${lesson.id}/rating`, { ...as(lesson.tutor), body: { stars: 5 } }),
      403,
      "student_only",
    );
    expectError(
      await server.call("POST", `/v1/sessions/${lesson.id}/dispute`, {
        ...as(lesson.tutor),
        body: { reason: "pay me" },
      }),
      403,
      "student_only",
    );
    expect(await snapshot(server)).toEqual(before);

    // The right roles can.
    const notes = await server.call("PUT", `/v1/sessions/${lesson.id}/notes`, {
      ...as(lesson.tutor),
      body: { notes: "Worked on factoring" },
    });
    expect(notes.status).toBe(200);
    // Notes are only shown to the tutor.
    expect((await server.call("GET", `/v1/sessions/${lesson.id}`, as(lesson.tutor))).body.notes).toBe(
      "Worked on factoring",
    );
    expect((await server.call("GET", `/v1/sessions/${lesson.id}`, as(lesson.student))).body.notes).toBeNull();
    expect(
      (await server.call("POST", `/v1/sessions/${lesson.id}/rating`, { ...as(lesson.student), body: { stars: 4 } }))
        .status,
    ).toBe(200);
    const disputed = await server.call("POST", `/v1/sessions/${lesson.id}/dispute`, {
      ...as(lesson.student),
      body: { reason: "left early" },
    });
    expect(disputed.status).toBe(200);
    expect(disputed.body.dispute).toMatchObject({ opened_by: "student", reason: "left early" });
  });

  it("refuses a token for another booking of the same tenant on every session route", async () => {
    const first = await paidBooking(server, key);
    const second = await paidBooking(server, key);
    const before = await snapshot(server);
    const sessionOps = (await operations(server)).filter((op) => op.security === "ParticipantToken");
    for (const op of sessionOps) {
      const res = await server.call(op.method, op.path.replace("{bookingId}", second.id), {
        key: first.tutor,
        body: op.method === "GET" ? undefined : {},
      });
      expectError(res, 403, "token_booking_mismatch");
    }
    expect(await snapshot(server)).toEqual(before);
    expect((await server.call("GET", `/v1/sessions/${second.id}`, { key: second.tutor })).status).toBe(200);
  });

  it("refuses an expired token at its expiry, and caps every token at the end of the lesson plus the release delay", async () => {
    const lesson = await paidBooking(server, key);
    const short = await server.call("POST", `/v1/bookings/${lesson.id}/participant-tokens`, {
      key,
      body: { role: "student", ttl_seconds: 60 },
    });
    expect(short.body.expires_at).toBe(new Date(server.clock.now() + 60_000).toISOString());
    server.clock.advance(59_999);
    expect((await server.call("GET", `/v1/sessions/${lesson.id}`, { key: short.body.token })).status).toBe(200);
    server.clock.advance(1);
    const expired = await server.call("GET", `/v1/sessions/${lesson.id}`, { key: short.body.token });
    expectError(expired, 401, "participant_token_expired");
    expect(expired.body.error.type).toBe("authentication_error");
    expectError(
      await server.call("POST", `/v1/sessions/${lesson.id}/start`, { key: short.body.token }),
      401,
      "participant_token_expired",
    );

    // A token asked for 30 days still ends when the escrow's release can be due at the latest: the
    // scheduled end + 10 minutes of overtime grace + the 24-hour release delay.
    const endsAt = Date.parse(lesson.booking.ends_at) + 10 * MINUTE;
    const long = await server.call("POST", `/v1/bookings/${lesson.id}/participant-tokens`, {
      key,
      body: { role: "student", ttl_seconds: 30 * 24 * 3600 },
    });
    expect(long.body.expires_at).toBe(new Date(endsAt + 24 * HOUR).toISOString());
    server.clock.set(endsAt + 24 * HOUR - 1);
    expect((await server.call("GET", `/v1/sessions/${lesson.id}`, { key: long.body.token })).status).toBe(200);
    server.clock.set(endsAt + 24 * HOUR);
    expectError(
      await server.call("GET", `/v1/sessions/${lesson.id}`, { key: long.body.token }),
      401,
      "participant_token_expired",
    );
    // And none can be minted any more.
    expectError(
      await server.call("POST", `/v1/bookings/${lesson.id}/participant-tokens`, { key, body: { role: "student" } }),
      409,
      "participant_access_ended",
    );
  });

  it("refuses tampered, truncated and foreign-signed tokens", async () => {
    const lesson = await paidBooking(server, key);
    const { payload, signature } = splitToken(lesson.student);
    const forgeries: Record<string, string> = {
      "payload character flipped": `lk_pt_${flip(payload, Math.floor(payload.length / 2))}.${signature}`,
      "first payload character flipped": `lk_pt_${flip(payload, 0)}.${signature}`,
      "signature character flipped": `lk_pt_${payload}.${flip(signature, 10)}`,
      "last signature character flipped": `lk_pt_${payload}.${flip(signature, signature.length - 1)}`,
      "role rewritten to tutor": rewritePayload(lesson.student, (claims) => {
        claims.r = "tutor";
      }),
      "expiry pushed out": rewritePayload(lesson.student, (claims) => {
        claims.exp = (claims.exp as number) + 365 * 24 * HOUR;
      }),
      "booking rewritten": rewritePayload(lesson.student, (claims) => {
        claims.bk = "bk_other";
      }),
      "signature dropped": `lk_pt_${payload}.`,
      "no signature part": `lk_pt_${payload}`,
      "extra part": `${lesson.student}.extra`,
      "signature truncated": `lk_pt_${payload}.${signature.slice(0, -2)}`,
      "payload of another token": `lk_pt_${splitToken(lesson.tutor).payload}.${signature}`,
      "no prefix": `${payload}.${signature}`,
      "unsigned JSON": `lk_pt_${Buffer.from(JSON.stringify({ v: 1, tn: "tn_x", bk: lesson.id, r: "student", u: "s", exp: 9e15 })).toString("base64url")}.x`,
      "signed by another deployment": signParticipantToken(
        {
          keys: {
            ...server.deps.keys,
            participantTokens: deriveKey("another-deployment-secret-0123456789abcdef", "participant-tokens"),
          },
        },
        { tenantId: "tn_x", bookingId: lesson.id, role: "student", userId: "student_1", expiresAt: 9e15 },
      ),
    };
    const before = await snapshot(server);
    for (const [label, forged] of Object.entries(forgeries)) {
      for (const [method, path, body] of [
        ["GET", `/v1/sessions/${lesson.id}`, undefined],
        ["POST", `/v1/sessions/${lesson.id}/start`, undefined],
        ["POST", `/v1/sessions/${lesson.id}/dispute`, { reason: "forged" }],
      ] as const) {
        const res = await server.call(method, path, { key: forged, body });
        expect(res.status, label).toBe(401);
        expect(res.body.error.code, label).toBe("invalid_participant_token");
      }
    }
    expect(await snapshot(server)).toEqual(before);
    // The genuine token still works.
    expect((await server.call("GET", `/v1/sessions/${lesson.id}`, { key: lesson.student })).status).toBe(200);
  });
});

describe("credentials on the wrong routes", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await createTestServer({ webhookTransport: offlineTransport });
  });
  afterEach(() => {
    expect(server.errors).toEqual([]);
    server.close();
  });

  it("gives every route exactly its own kind of credential", async () => {
    const { key } = await server.createTenant();
    const lesson = await paidBooking(server, key);
    const ops = await operations(server);
    const fill = (path: string) =>
      path
        .replace("{id}", lesson.id)
        .replace("{bookingId}", lesson.id)
        .replace("{tutorId}", "tutor_1")
        .replace("{tenantId}", "tn_x");
    const cases: Record<string, [string | undefined, number, string][]> = {
      SecretKey: [
        [undefined, 401, "missing_api_key"],
        [lesson.student, 403, "participant_token_not_allowed"],
        [lesson.tutor, 403, "participant_token_not_allowed"],
        [ADMIN_KEY, 401, "invalid_api_key"],
        ["lk_sk_notARealKey000000000000000000", 401, "invalid_api_key"],
        [`${key}x`, 401, "invalid_api_key"],
      ],
      ParticipantToken: [
        [undefined, 401, "missing_participant_token"],
        [key, 403, "secret_key_not_allowed"],
        [ADMIN_KEY, 401, "invalid_participant_token"],
        ["lk_pt_garbage", 401, "invalid_participant_token"],
      ],
      AdminKey: [
        [undefined, 401, "missing_admin_key"],
        [key, 403, "admin_key_required"],
        [lesson.tutor, 403, "admin_key_required"],
        [`${ADMIN_KEY}x`, 401, "invalid_admin_key"],
        ["lk_admin_wrong", 401, "invalid_admin_key"],
      ],
    };
    const before = await snapshot(server);
    const seen = new Set<string>();
    for (const op of ops) {
      if (op.security === null) continue;
      const refusals = cases[op.security];
      expect(refusals, `unknown security scheme ${op.security}`).toBeDefined();
      seen.add(op.security);
      for (const [credential, status, code] of refusals ?? []) {
        const res = await server.call(op.method, fill(op.path), {
          key: credential,
          body: op.method === "GET" || op.method === "DELETE" ? undefined : {},
        });
        expect(res.status, `${op.method} ${op.path} with ${credential?.slice(0, 8)}`).toBe(status);
        expect(res.body.error.code, `${op.method} ${op.path}`).toBe(code);
      }
    }
    expect([...seen].sort()).toEqual(["AdminKey", "ParticipantToken", "SecretKey"]);
    // Other Authorization schemes are no credential at all.
    expectError(
      await server.call("GET", "/v1/tenant", { headers: { Authorization: `Basic ${key}` } }),
      401,
      "missing_api_key",
    );
    expectError(
      await server.call("POST", "/v1/admin/tick", { headers: { Authorization: `Token ${ADMIN_KEY}` } }),
      401,
      "missing_admin_key",
    );
    expect(await snapshot(server)).toEqual(before);
    // The admin key itself works where it belongs.
    expect((await server.call("POST", "/v1/admin/tick", { key: ADMIN_KEY })).status).toBe(200);
  });
});

describe("secrets", () => {
  it("never appear in any response after the one that created them", async () => {
    const server = await createTestServer({ webhookTransport: offlineTransport });
    const certificate = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    const created = await server.call("POST", "/v1/admin/tenants", {
      key: ADMIN_KEY,
      body: {
        name: "Secretive",
        payment_provider: "sandbox",
        agora: { app_id: "0123456789abcdef0123456789abcdef", app_certificate: certificate },
      },
    });
    expect(created.status).toBe(200);
    const key = created.body.secret_key as string;
    expect(key).toMatch(/^lk_sk_/);
    expect(JSON.stringify(created.body.tenant)).not.toContain(key);
    expect(JSON.stringify(created.body.tenant)).not.toContain(certificate);

    const responses: [string, Response][] = [];
    const record = async (label: string, res: Promise<Response>) => {
      const r = await res;
      expect(r.status, `${label}: ${JSON.stringify(r.body)}`).toBe(200);
      responses.push([label, r]);
      return r;
    };
    const endpoint = await server.call("POST", "/v1/webhook-endpoints", {
      key,
      body: { url: "https://hooks.example.com/lk", description: "main" },
    });
    const firstSecret = endpoint.body.secret as string;
    const rotated = await server.call("POST", `/v1/webhook-endpoints/${endpoint.body.id}/rotate-secret`, { key });
    const secondSecret = rotated.body.secret as string;
    expect(firstSecret).toMatch(/^whsec_/);
    expect(secondSecret).toMatch(/^whsec_/);
    expect(secondSecret).not.toBe(firstSecret);
    const newCertificate = "ffeeddccbbaa99887766554433221100";
    await record(
      "PATCH /v1/tenant",
      server.call("PATCH", "/v1/tenant", {
        key,
        body: { agora: { app_id: "0123456789abcdef0123456789abcdef", app_certificate: newCertificate } },
      }),
    );
    await record(
      "PATCH endpoint",
      server.call("PATCH", `/v1/webhook-endpoints/${endpoint.body.id}`, { key, body: { description: "renamed" } }),
    );

    // A lesson that runs, so bookings, escrows, events, sessions and balances all have content.
    const booked = await record(
      "POST /v1/bookings",
      server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock) }),
    );
    const bookingId = booked.body.id as string;
    const paid = await record("pay", server.call("POST", `/v1/sandbox/bookings/${bookingId}/pay`, { key, body: {} }));
    const tokens = {
      student: (
        await record(
          "student token",
          server.call("POST", `/v1/bookings/${bookingId}/participant-tokens`, { key, body: { role: "student" } }),
        )
      ).body.token as string,
      tutor: (
        await record(
          "tutor token",
          server.call("POST", `/v1/bookings/${bookingId}/participant-tokens`, { key, body: { role: "tutor" } }),
        )
      ).body.token as string,
    };
    await record("clock", server.call("POST", "/v1/sandbox/clock", { key, body: { advance_seconds: 2 * 3600 - 300 } }));
    await record("start", server.call("POST", `/v1/sessions/${bookingId}/start`, { key: tokens.tutor }));
    await record("join", server.call("POST", `/v1/sessions/${bookingId}/join`, { key: tokens.student }));
    await record(
      "notes",
      server.call("PUT", `/v1/sessions/${bookingId}/notes`, { key: tokens.tutor, body: { notes: "n" } }),
    );
    await record("end", server.call("POST", `/v1/sessions/${bookingId}/end`, { key: tokens.student }));
    await record(
      "rating",
      server.call("POST", `/v1/sessions/${bookingId}/rating`, { key: tokens.student, body: { stars: 5 } }),
    );
    await record(
      "dispute",
      server.call("POST", `/v1/escrows/${paid.body.escrow.id}/dispute`, { key, body: { reason: "r" } }),
    );
    await record(
      "resolve",
      server.call("POST", `/v1/escrows/${paid.body.escrow.id}/resolve`, { key, body: { outcome: "release" } }),
    );
    await record("tick", server.call("POST", "/v1/admin/tick", { key: ADMIN_KEY }));

    // A Stripe tenant: its Stripe secret key and signing secrets go in and never come out.
    const stripe = {
      secret_key: "sk_test_51SecretStripeKeyForLessonKitTests0123456789",
      webhook_secret: "whsec_StripeAccountSigningSecret0123456789",
      connect_webhook_secret: "whsec_StripeConnectSigningSecret0123456789",
    };
    const stripeTenant = await server.call("POST", "/v1/admin/tenants", {
      key: ADMIN_KEY,
      body: { name: "Stripe platform", payment_provider: "stripe", stripe },
    });
    expect(stripeTenant.status, JSON.stringify(stripeTenant.body)).toBe(200);
    responses.push(["admin create stripe tenant", { ...stripeTenant, body: stripeTenant.body.tenant }]);
    const stripeKey = stripeTenant.body.secret_key as string;
    const newStripe = {
      secret_key: "sk_test_51RotatedStripeKeyForLessonKit9876543210",
      webhook_secret: "whsec_RotatedSigningSecret9876543210",
    };
    const patchedStripe = await record(
      "PATCH stripe settings",
      server.call("PATCH", "/v1/tenant", { key: stripeKey, body: { stripe: newStripe } }),
    );
    expect(patchedStripe.body.stripe).toEqual({
      configured: true,
      livemode: false,
      requests_per_second: 24,
      requests_per_second_set: false,
    });
    for (const path of ["/v1/tenant", "/v1/bookings", "/v1/escrows", "/v1/events", "/v1/webhook-endpoints"]) {
      await record(`stripe tenant GET ${path}`, server.call("GET", path, { key: stripeKey }));
    }

    // Walk every GET route of the API, filling ids from the data above.
    const events = (await server.call("GET", "/v1/events?limit=100", { key })).body.data as Json[];
    expect(events.length).toBeGreaterThan(8);
    const idsFor = (path: string): string[] => {
      if (path.startsWith("/v1/bookings/")) return [bookingId];
      if (path.startsWith("/v1/escrows/")) return [paid.body.escrow.id];
      if (path.startsWith("/v1/events/")) return events.map((event) => event.id);
      if (path.startsWith("/v1/webhook-endpoints/")) return [endpoint.body.id];
      throw new Error(`no id for ${path}`);
    };
    const walked: string[] = [];
    for (const op of await operations(server)) {
      if (op.method !== "GET") continue;
      const credentials =
        op.security === "SecretKey"
          ? [key]
          : op.security === "ParticipantToken"
            ? [tokens.student, tokens.tutor]
            : op.security === "AdminKey"
              ? [ADMIN_KEY]
              : [undefined];
      const paths = op.path.includes("{id}")
        ? idsFor(op.path).map((id) => op.path.replace("{id}", id))
        : [op.path.replace("{bookingId}", bookingId).replace("{tutorId}", "tutor_1")];
      for (const path of paths) {
        expect(path, `fill the parameters of ${op.path}`).not.toContain("{");
        for (const credential of credentials) {
          for (const query of ["", "?limit=100"]) {
            await record(`GET ${path}${query}`, server.call("GET", `${path}${query}`, { key: credential }));
          }
        }
      }
      walked.push(op.path);
    }
    expect(walked).toEqual(
      expect.arrayContaining([
        "/v1/tenant",
        "/v1/bookings",
        "/v1/bookings/{id}",
        "/v1/events",
        "/v1/events/{id}",
        "/v1/webhook-endpoints",
        "/v1/webhook-endpoints/{id}",
        "/v1/escrows",
        "/v1/tutors/{tutorId}/balance",
        "/v1/sessions/{bookingId}",
      ]),
    );
    const docs = await server.app.request("/docs");
    responses.push(["GET /docs", { status: docs.status, body: { raw: await docs.text() }, headers: docs.headers }]);
    // Responses that do not come back 200 carry no secret either.
    responses.push(["missing booking", await server.call("GET", "/v1/bookings/bk_missing", { key })]);
    responses.push(["wrong key", await server.call("GET", "/v1/tenant", { key: `${key}x` })]);

    // What must never come back: the key and its hash, both webhook secrets, both certificates, and
    // the sealed forms stored in the database.
    const [tenantRow] = await selectRows<Json>(server.db, sql`select * from tenants`);
    const [endpointRow] = await selectRows<Json>(server.db, sql`select * from webhook_endpoints`);
    const [stripeRow] = await selectRows<Json>(server.db, sql`select * from tenants where payment_provider = 'stripe'`);
    const forbidden: Record<string, string> = {
      "secret key": key,
      "secret key hash": sha256Hex(key),
      "secret key body": key.slice("lk_sk_".length),
      "webhook secret": firstSecret,
      "rotated webhook secret": secondSecret,
      "webhook secret bytes": secondSecret.slice("whsec_".length),
      "agora certificate": certificate,
      "new agora certificate": newCertificate,
      "sealed certificate": tenantRow?.agora_app_certificate_sealed,
      "sealed webhook secret": endpointRow?.secret_sealed,
      "sealed previous webhook secret": endpointRow?.previous_secret_sealed,
      "stripe secret key": stripe.secret_key,
      "stripe webhook secret": stripe.webhook_secret,
      "stripe connect webhook secret": stripe.connect_webhook_secret,
      "new stripe secret key": newStripe.secret_key,
      "new stripe webhook secret": newStripe.webhook_secret,
      "sealed stripe settings": stripeRow?.stripe_sealed,
      "stripe tenant secret key": stripeKey,
    };
    expect(tenantRow?.secret_key_hash).toBe(sha256Hex(key));
    for (const [what, value] of Object.entries(forbidden)) expect(value, what).toBeTruthy();
    for (const [label, res] of responses) {
      const headers: string[] = [];
      res.headers.forEach((value, name) => {
        headers.push(`${name}: ${value}`);
      });
      const text = `${JSON.stringify(res.body)}\n${headers.join("\n")}`.toLowerCase();
      for (const [what, value] of Object.entries(forbidden)) {
        expect(text.includes(value.toLowerCase()), `${label} shows the ${what}`).toBe(false);
      }
      expect(text, label).not.toMatch(/whsec_[a-z0-9+/=]{16,}/);
      expect(text, label).not.toMatch(/lk_sk_[a-z0-9_-]{16,}/);
      expect(text, label).not.toMatch(/[sr]k_(test|live)_[a-z0-9]{16,}/);
    }
    expect(responses.length).toBeGreaterThan(40);
    expect(server.errors).toEqual([]);
    server.close();
  });
});

describe("Idempotency-Key", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await createTestServer({ webhookTransport: offlineTransport });
  });
  afterEach(() => {
    expect(server.errors).toEqual([]);
    server.close();
  });

  const withKey = (idempotencyKey: string) => ({ "Idempotency-Key": idempotencyKey });
  const count = async (table: string) =>
    (await selectRows<{ n: number }>(server.db, sql.raw(`select count(*) as n from "${table}"`)))[0]?.n;

  it("replays the first response for the same key and body, without booking twice", async () => {
    const { key } = await server.createTenant();
    const body = bookingBody(server.clock);
    const first = await server.call("POST", "/v1/bookings", { key, body, headers: withKey("order-1") });
    expect(first.status).toBe(200);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const events = await count("events");
    for (let retry = 0; retry < 3; retry++) {
      server.clock.advance(MINUTE);
      const again = await server.call("POST", "/v1/bookings", { key, body, headers: withKey("order-1") });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
    }
    expect(await count("bookings")).toBe(1);
    expect(await count("escrows")).toBe(1);
    expect(await count("events")).toBe(events);
    // A replayed error is replayed too: paying twice with one key is one payment and one answer.
    const pay = await server.call("POST", `/v1/sandbox/bookings/${first.body.id}/pay`, {
      key,
      body: {},
      headers: withKey("pay-1"),
    });
    const payAgain = await server.call("POST", `/v1/sandbox/bookings/${first.body.id}/pay`, {
      key,
      body: {},
      headers: withKey("pay-1"),
    });
    expect(payAgain).toMatchObject({ status: pay.status, body: pay.body });
    expect(await count("ledger_entries")).toBeGreaterThan(0);
    const ledger = await count("ledger_entries");
    await server.call("POST", `/v1/sandbox/bookings/${first.body.id}/pay`, {
      key,
      body: {},
      headers: withKey("pay-1"),
    });
    expect(await count("ledger_entries")).toBe(ledger);
  });

  it("refuses the same key with a different body or on a different route", async () => {
    const { key } = await server.createTenant();
    const body = bookingBody(server.clock);
    const first = await server.call("POST", "/v1/bookings", { key, body, headers: withKey("order-2") });
    expect(first.status).toBe(200);
    const before = await snapshot(server);
    const changed = await server.call("POST", "/v1/bookings", {
      key,
      body: { ...body, amount: 9000 },
      headers: withKey("order-2"),
    });
    expectError(changed, 409, "idempotency_key_reused");
    expect(changed.body.error.type).toBe("idempotency_error");
    const elsewhere = await server.call("POST", `/v1/sandbox/bookings/${first.body.id}/pay`, {
      key,
      body: {},
      headers: withKey("order-2"),
    });
    expectError(elsewhere, 409, "idempotency_key_reused");
    expect(await snapshot(server)).toEqual(before);
    expect((await server.call("GET", `/v1/bookings/${first.body.id}`, { key })).body.escrow.amount).toBe(5000);
  });

  it("scopes keys to the caller: two tenants using one key each get their own booking", async () => {
    const a = await server.createTenant({ name: "A" });
    const b = await server.createTenant({ name: "B" });
    const body = bookingBody(server.clock);
    const forA = await server.call("POST", "/v1/bookings", { key: a.key, body, headers: withKey("shared") });
    const forB = await server.call("POST", "/v1/bookings", { key: b.key, body, headers: withKey("shared") });
    expect(forA.status).toBe(200);
    expect(forB.status).toBe(200);
    expect(forB.headers.get("idempotent-replayed")).toBeNull();
    expect(forB.body.id).not.toBe(forA.body.id);
    expect(await count("bookings")).toBe(2);
    expect((await server.call("GET", `/v1/bookings/${forB.body.id}`, { key: b.key })).status).toBe(200);
    expectError(await server.call("GET", `/v1/bookings/${forA.body.id}`, { key: b.key }), 404, "resource_missing");
    // A participant is a caller of its own: the student's key does not collide with the tenant's.
    const lesson = await paidBooking(server, a.key);
    await advance(server, a.key, 2 * HOUR - 5 * MINUTE);
    const started = await server.call("POST", `/v1/sessions/${lesson.id}/start`, {
      key: lesson.tutor,
      headers: withKey("shared"),
    });
    expect(started.status).toBe(200);
    expect(started.headers.get("idempotent-replayed")).toBeNull();
  });

  it("does not keep refusals that did no work, so a corrected retry with the same key proceeds", async () => {
    const { key } = await server.createTenant();
    const body = bookingBody(server.clock);
    const raw = (text: string, contentType: string) =>
      server.app.request("/v1/bookings", {
        method: "POST",
        headers: { Authorization: `Bearer ${key}`, "Content-Type": contentType, "Idempotency-Key": "fix-me" },
        body: text,
      });
    expect((await raw(JSON.stringify(body), "text/plain")).status).toBe(415);
    expect((await raw("{", "application/json")).status).toBe(400);
    const invalid = await server.call("POST", "/v1/bookings", {
      key,
      body: { ...body, amount: "lots" },
      headers: withKey("fix-me"),
    });
    expect(invalid.status).toBe(400);
    const unacceptable = await server.call("POST", "/v1/bookings", {
      key,
      body: { ...body, platform_fee: 999_999 },
      headers: withKey("fix-me"),
    });
    expectError(unacceptable, 422, "platform_fee_exceeds_amount");
    expect(await count("idempotency_keys")).toBe(0);
    const fixed = await raw(JSON.stringify(body), "application/json");
    expect(fixed.status).toBe(200);
    const replay = await server.call("POST", "/v1/bookings", { key, body, headers: withKey("fix-me") });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await count("bookings")).toBe(1);
  });

  it("books once when the same key arrives twice at the same time", async () => {
    const { key } = await server.createTenant();
    const body = bookingBody(server.clock);
    const results = await Promise.all(
      [1, 2, 3].map(() => server.call("POST", "/v1/bookings", { key, body, headers: withKey("race") })),
    );
    const ok = results.filter((res) => res.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const res of ok) expect(res.body).toEqual(ok[0]?.body);
    for (const res of results.filter((r) => r.status !== 200)) expectError(res, 409, "idempotency_request_in_progress");
    expect(await count("bookings")).toBe(1);
  });
});
