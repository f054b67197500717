// The SDK against the real server app, in-process: Hono's app.request stands in for the network
// (through the SDK's `fetch` option), over a real migrated in-memory libsql database.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliverDueWebhooks } from "../../server/src/domain/webhooks/deliver";
import type { WebhookRequest, WebhookResponse, WebhookTransport } from "../../server/src/ports/webhooks";
import { ADMIN_KEY, createTestServer, HOUR, MINUTE, type TestServer } from "../../server/test/harness";
import {
  type CreateBookingParams,
  LessonKit,
  LessonKitAdmin,
  LessonKitError,
  SessionClient,
  verifyWebhook,
} from "../src/index";

const BASE = "https://lessonkit.test";

/** Captures what the server's delivery worker sends, as an integrator's endpoint would receive it. */
class CapturingTransport implements WebhookTransport {
  readonly sent: WebhookRequest[] = [];
  async lookup(): Promise<string[]> {
    return ["93.184.215.14"]; // a public address, so the SSRF check lets the endpoint in
  }
  async send(request: WebhookRequest): Promise<WebhookResponse> {
    this.sent.push(request);
    return { status: 200, error: null, durationMs: 1, retryAfterSeconds: null, bodyExcerpt: "ok" };
  }
}

let server: TestServer;
let transport: CapturingTransport;
let inProcessFetch: typeof fetch;
let lk: LessonKit;

beforeEach(async () => {
  transport = new CapturingTransport();
  server = await createTestServer({ webhookTransport: transport });
  const { key } = await server.createTenant({ name: "Acme Tutoring" });
  inProcessFetch = async (input, init) => server.app.request(input instanceof URL ? input.href : input, init);
  lk = new LessonKit({ apiKey: key, baseUrl: BASE, fetch: inProcessFetch, retryDelayMs: 1 });
});
afterEach(async () => {
  await server.close();
});

let lessons = 0;
function lesson(startsIn = 2 * HOUR): CreateBookingParams {
  lessons += 1;
  return {
    external_id: `lesson-${lessons}`,
    student: { id: "student_1", name: "Sam" },
    tutor: { id: "tutor_1", name: "Tina" },
    subject: "Algebra",
    scheduled_start: new Date(server.clock.now() + startsIn).toISOString(),
    duration_minutes: 60,
    amount: 5000,
    currency: "usd",
    platform_fee: 1000,
  };
}

async function participants(bookingId: string) {
  const tutorToken = await lk.bookings.participantToken(bookingId, "tutor");
  const studentToken = await lk.bookings.participantToken(bookingId, "student", { ttl_seconds: 30 * 24 * 3600 });
  expect(tutorToken).toMatchObject({ booking_id: bookingId, role: "tutor" });
  const options = { baseUrl: BASE, fetch: inProcessFetch };
  return {
    tutor: new SessionClient({ token: tutorToken.token, ...options }),
    student: new SessionClient({ token: studentToken.token, ...options }),
  };
}

describe("contract: the SDK against the real server", () => {
  it("runs a whole lesson: book, pay, start, join, notes, end, rate, release after 24 h, webhooks", async () => {
    expect(await lk.tenant.get()).toMatchObject({ name: "Acme Tutoring", payment_provider: "sandbox" });
    const endpoint = await lk.webhookEndpoints.create({ url: "https://platform.example/hooks" });
    expect(endpoint.secret).toMatch(/^whsec_/);

    const booking = await lk.bookings.create(lesson());
    expect(booking).toMatchObject({ status: "pending_payment", escrow: { status: "awaiting_payment", amount: 5000 } });
    const paid = await lk.sandbox.pay(booking.id);
    expect(paid).toMatchObject({ status: "confirmed", escrow: { status: "held" } });
    expect(await lk.bookings.get(booking.id)).toMatchObject({ id: booking.id, status: "confirmed" });

    const { tutor, student } = await participants(booking.id);
    expect(tutor.bookingId).toBe(booking.id);
    expect(tutor.role).toBe("tutor");
    const upcoming = await tutor.status();
    expect(upcoming).toMatchObject({ booking_id: booking.id, phase: "upcoming", can_start: false, role: "tutor" });
    // The server's clock is the test clock in 2030: the offset reflects it.
    expect(Math.abs(tutor.serverOffset() - (server.clock.now() - Date.now()))).toBeLessThan(1_000);

    const early = await tutor.start().catch((e: unknown) => e);
    expect(early).toBeInstanceOf(LessonKitError);
    expect(early).toMatchObject({ status: 409, type: "conflict_error", code: "join_window_not_open" });
    expect((early as LessonKitError).requestId).toMatch(/^req_/);

    await lk.sandbox.advanceClock((2 * HOUR - 5 * MINUTE) / 1000);
    expect(await student.status()).toMatchObject({ phase: "joinable", can_start: true });
    // The test clock moved the tenant's server_time forward; the client's offset follows.
    expect(Math.abs(student.serverOffset() - (server.clock.now() + 2 * HOUR - 5 * MINUTE - Date.now()))).toBeLessThan(
      1_000,
    );

    const started = await tutor.start();
    expect(started).toMatchObject({ status: "in_progress", started_by: "tutor", video: { provider: "agora" } });
    const joined = await student.join();
    expect(joined.video.channel).toBe(started.video.channel);
    expect(joined.video.uid).not.toBe(started.video.uid);
    expect((await student.status()).participants.student.joined_at).not.toBeNull();

    expect(await tutor.saveNotes("Fractions; homework p. 12")).toMatchObject({ notes: "Fractions; homework p. 12" });
    await lk.sandbox.advanceClock(50 * 60);
    const ended = await tutor.end();
    expect(ended).toMatchObject({
      status: "completed",
      phase: "ended",
      ended_by: "tutor",
      escrow: { status: "release_scheduled" },
    });
    expect(await student.rate(5, "Great lesson")).toMatchObject({ stars: 5, comment: "Great lesson" });
    const rerate = await student.rate(4).catch((e: unknown) => e);
    expect(rerate).toMatchObject({ status: 409, code: "already_rated" });

    const completed: string[] = [];
    for await (const b of lk.bookings.list({ status: "completed", limit: 1 })) completed.push(b.id);
    expect(completed).toEqual([booking.id]);
    expect(await lk.tutors.balance("tutor_1")).toEqual({
      tutor_id: "tutor_1",
      balances: [{ currency: "usd", pending: 4000, disputed: 0, released: 0 }],
    });

    // 24 hours later the test clock's due work releases the escrow to the tutor.
    await lk.sandbox.advanceClock(23 * 3600);
    expect((await lk.escrows.get(paid.escrow.id)).status).toBe("release_scheduled");
    const clock = await lk.sandbox.advanceClock(3600);
    expect(clock.due_work).toBeDefined();
    const released = await lk.escrows.get(paid.escrow.id);
    expect(released).toMatchObject({ status: "released", released_amount: 5000 });
    expect((await lk.escrows.list({ status: "released" })).data.map((e) => e.id)).toEqual([paid.escrow.id]);
    expect((await lk.tutors.balance("tutor_1")).balances).toEqual([
      { currency: "usd", pending: 0, disputed: 0, released: 4000 },
    ]);

    // Every step is an event, and the server's delivery code signs each so verifyWebhook accepts it.
    const types: string[] = [];
    for await (const event of lk.events.list({ booking_id: booking.id, limit: 3 })) types.push(event.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "booking.created",
        "escrow.held",
        "session.started",
        "session.participant_joined",
        "session.ended",
        "escrow.release_scheduled",
        "rating.submitted",
        "escrow.released",
      ]),
    );
    await deliverDueWebhooks(server.deps);
    expect(transport.sent.length).toBeGreaterThanOrEqual(types.length);
    const verified = await Promise.all(
      transport.sent.map((request) =>
        verifyWebhook(request.body, request.headers, endpoint.secret, { now: server.clock.now() }),
      ),
    );
    expect(verified.map((event) => event.type)).toEqual(expect.arrayContaining(types));
    const releasedEvent = verified.find((event) => event.type === "escrow.released")!;
    // A delivery signed for another endpoint's secret does not verify.
    const stranger = await lk.webhookEndpoints.create({ url: "https://other.example/hooks" });
    await expect(
      verifyWebhook(transport.sent[0]!.body, transport.sent[0]!.headers, stranger.secret, { now: server.clock.now() }),
    ).rejects.toMatchObject({ code: "invalid_signature" });

    // Redelivery sends the same webhook-id again, still verifiable.
    const redelivered = await lk.events.redeliver(releasedEvent.id, { endpoint_id: endpoint.id });
    expect(redelivered.id).toBe(releasedEvent.id);
    const before = transport.sent.length;
    await deliverDueWebhooks(server.deps);
    const again = transport.sent.slice(before);
    expect(again.map((request) => request.headers["webhook-id"])).toEqual([releasedEvent.id]);
    await expect(
      verifyWebhook(again[0]!.body, again[0]!.headers, endpoint.secret, { now: server.clock.now() }),
    ).resolves.toMatchObject({ id: releasedEvent.id, type: "escrow.released" });
    expect((await lk.events.get(releasedEvent.id)).deliveries.length).toBeGreaterThanOrEqual(1);
  });

  it("disputes and resolves, cancels, and manages endpoints and the tenant", async () => {
    const booking = await lk.bookings.create(lesson(10 * MINUTE));
    const paid = await lk.sandbox.pay(booking.id);
    const { tutor, student } = await participants(booking.id);
    await lk.sandbox.advanceClock(5 * 60);
    await tutor.start();
    await student.join();
    await lk.sandbox.advanceClock(60 * 60);
    await student.end();
    const disputed = await student.dispute("The tutor left after ten minutes");
    expect(disputed).toMatchObject({ id: paid.escrow.id, status: "disputed" });
    expect((await lk.tutors.balance("tutor_1")).balances[0]).toMatchObject({ disputed: 4000, pending: 0 });
    const resolved = await lk.escrows.resolve(paid.escrow.id, { outcome: "refund", refund_amount: 2000 });
    expect(resolved).toMatchObject({ status: "released", refunded_amount: 2000 });
    // The refund and the release are money operations: on the escrow, and in the tenant's list.
    const withOperations = await lk.escrows.get(paid.escrow.id);
    expect(withOperations.operations.map((op) => [op.kind, op.status, op.amount, op.reason])).toEqual([
      ["refund", "succeeded", 2000, "dispute_resolved"],
      ["transfer", "succeeded", 2000, "release"],
    ]);
    const refunds: string[] = [];
    for await (const op of lk.operations.list({ kind: "refund", escrow_id: paid.escrow.id, limit: 1 })) {
      refunds.push(op.provider_id ?? "");
    }
    expect(refunds).toEqual([withOperations.operations[0]?.provider_id]);
    expect((await lk.operations.list({ status: "failed" })).data).toEqual([]);

    const other = await lk.bookings.create(lesson(48 * HOUR));
    await lk.sandbox.pay(other.id);
    const tenantDispute = await lk.escrows.dispute(other.escrow.id, { reason: "Charged twice" });
    expect(tenantDispute.status).toBe("disputed");
    // Resolved in the tutor's favour before the lesson: the money is simply held again.
    expect((await lk.escrows.resolve(other.escrow.id, { outcome: "release" })).status).toBe("held");

    const unpaid = await lk.bookings.create(lesson(72 * HOUR));
    expect(await lk.bookings.cancel(unpaid.id, { by: "student", reason: "Changed plans" })).toMatchObject({
      status: "canceled",
    });
    const failed = await lk.bookings.create(lesson(72 * HOUR));
    expect((await lk.sandbox.pay(failed.id, { outcome: "fail" })).status).toBe("pending_payment");

    const endpoint = await lk.webhookEndpoints.create({
      url: "https://platform.example/a",
      event_types: ["escrow.released"],
    });
    expect((await lk.webhookEndpoints.update(endpoint.id, { enabled: false })).enabled).toBe(false);
    expect((await lk.webhookEndpoints.get(endpoint.id)).event_types).toEqual(["escrow.released"]);
    const rotated = await lk.webhookEndpoints.rotateSecret(endpoint.id);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect((await lk.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([endpoint.id]);
    expect(await lk.webhookEndpoints.delete(endpoint.id)).toEqual({
      id: endpoint.id,
      object: "webhook_endpoint",
      deleted: true,
    });
    expect(await lk.tenant.update({ name: "Acme Learning" })).toMatchObject({ name: "Acme Learning" });

    const missing = await lk.bookings.get("bk_missing").catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, type: expect.any(String), code: expect.any(String) });
    const invalid = await lk.bookings.create({ ...lesson(), amount: -1 }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, param: expect.stringContaining("amount") });
  });

  it("maps a refused body (413) to LessonKitError and does not retry it", async () => {
    let attempts = 0;
    const client = new LessonKit({
      apiKey: (await server.createTenant()).key,
      baseUrl: BASE,
      fetch: (input, init) => {
        attempts += 1;
        return inProcessFetch(input, init);
      },
      retryDelayMs: 1,
    });
    const error = await client.bookings.create({ ...lesson(), subject: "s".repeat(300 * 1024) }).catch((e) => e);
    expect(error).toBeInstanceOf(LessonKitError);
    expect(error).toMatchObject({
      status: 413,
      type: "invalid_request_error",
      code: "body_too_large",
      requestId: expect.stringMatching(/^req_/),
    });
    expect(attempts).toBe(1);
  });

  it("a POST whose response is lost is retried with the same Idempotency-Key and acts once", async () => {
    let lost = 0;
    const flaky: typeof fetch = async (input, init) => {
      const response = await inProcessFetch(input, init);
      const request = input instanceof Request ? input : new Request(input, init);
      if (request.method === "POST" && new URL(request.url).pathname === "/v1/bookings" && lost === 0) {
        lost += 1;
        throw new TypeError("socket hang up"); // the server acted, the client never heard back
      }
      return response;
    };
    const client = new LessonKit({
      apiKey: (await server.createTenant()).key,
      baseUrl: BASE,
      fetch: flaky,
      retryDelayMs: 1,
    });
    const booking = await client.bookings.create(lesson());
    expect(lost).toBe(1);
    expect(booking.status).toBe("pending_payment");
    const all = await client.bookings.list().toArray();
    expect(all.map((b) => b.id)).toEqual([booking.id]);
  });
});

describe("contract: the operator client and the test clock", () => {
  it("creates a tenant, reads and moves its clock (never back), and runs the tick", async () => {
    const admin = new LessonKitAdmin({ adminKey: ADMIN_KEY, baseUrl: BASE, fetch: inProcessFetch, retryDelayMs: 1 });
    const created = await admin.tenants.create({ name: "Bright Tutors", payment_provider: "sandbox" });
    expect(created.tenant).toMatchObject({ name: "Bright Tutors", payment_provider: "sandbox" });
    expect(created.secret_key).toMatch(/^lk_sk_/);
    const tenant = new LessonKit({ apiKey: created.secret_key, baseUrl: BASE, fetch: inProcessFetch });

    const now = server.clock.now();
    expect(await tenant.sandbox.clock()).toEqual({
      now: new Date(now).toISOString(),
      offset_seconds: 0,
      movable: true,
    });
    const target = new Date(now + 2 * HOUR - 5 * MINUTE);
    expect(await tenant.sandbox.advanceClock({ to: target })).toMatchObject({
      now: target.toISOString(),
      offset_seconds: 6900,
      due_work: { released: 0 },
    });
    expect(await tenant.sandbox.advanceClock({ seconds: 300 })).toMatchObject({ offset_seconds: 7200 });
    const back = await tenant.sandbox.advanceClock({ to: target }).catch((e: unknown) => e);
    expect(back).toBeInstanceOf(LessonKitError);
    expect(back).toMatchObject({ status: 422, code: "clock_cannot_go_back", param: "to" });
    expect((await tenant.sandbox.clock()).offset_seconds).toBe(7200);
    // Another tenant's clock never moved.
    expect((await lk.sandbox.clock()).offset_seconds).toBe(0);

    // Nothing was due: every count of the summary is 0.
    const ran = await admin.tick();
    expect(ran).toMatchObject({ expired: 0, no_shows: 0, auto_completed: 0, released: 0 });
    expect(Object.values(ran).every((count) => count === 0)).toBe(true);
    const refused = await new LessonKitAdmin({ adminKey: "wrong-admin-key-0000", baseUrl: BASE, fetch: inProcessFetch })
      .tick()
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 401 });
  });
});
