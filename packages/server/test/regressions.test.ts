import { createClient } from "@libsql/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, HOUR, MINUTE, paidBooking, type TestServer, tempDatabaseUrl } from "./harness";
import { CONNECT_WEBHOOK_SECRET, crashAfterTransfer, createStripeTestServer, TUTOR_ACCOUNT } from "./stripe-mock";

/**
 * Edges of the status-poll snapshots, CORS and release retries: each once shipped broken (a replay
 * lost its headers, a 413 lost CORS, a participant write used a snapshot tenant, a failed statement
 * list kept a stale snapshot, a blocked retry freed an escrow whose transfer may have moved money).
 */
describe("status snapshots, CORS and release retries at their edges", () => {
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

  it("a participant write decides with the tenant's current test clock, not a snapshot of it", async () => {
    const file = tempDatabaseUrl();
    const other = await createTestServer({ url: file.url });
    // A raw client outside this process's adapter stands in for a second server instance.
    const foreign = createClient({ url: file.url });
    try {
      const { key, tenant } = await other.createTenant();
      const lesson = await paidBooking(other, key);
      // A poll warms the tenant snapshot (test clock offset 0: the join window is 2 hours away).
      const poll = await other.call("GET", `/v1/sessions/${lesson.id}`, { key: lesson.tutor });
      expect(poll.body.can_start).toBe(false);

      // The platform's test script moves the sandbox clock on another instance (as POST
      // /v1/sandbox/clock there does) into the join window, then starts the session here.
      await foreign.execute({
        sql: "update tenants set clock_offset_ms = ? where id = ?",
        args: [2 * HOUR - 4 * MINUTE, tenant.id],
      });
      const started = await other.call("POST", `/v1/sessions/${lesson.id}/start`, { key: lesson.tutor, body: {} });
      expect(started.body.error?.code).toBeUndefined();
      expect(started.status).toBe(200);
    } finally {
      foreign.close();
      other.close();
      file.cleanup();
    }
  });

  it("a raw executeMultiple that fails after its first statement still drops the status snapshots", async () => {
    const { key } = await server.createTenant();
    const lesson = await paidBooking(server, key);
    const poll = () => server.call("GET", `/v1/sessions/${lesson.id}`, { key: lesson.student });
    expect((await poll()).body.subject).toBe("Algebra");
    // SQLite runs a script statement by statement in autocommit: the first update stays applied.
    await expect(
      server.database.client.executeMultiple(
        `update bookings set subject = 'Geometry' where id = '${lesson.id}'; update no_such_table set x = 1;`,
      ),
    ).rejects.toThrow();
    const [row] = (
      await server.database.client.execute({ sql: "select subject from bookings where id = ?", args: [lesson.id] })
    ).rows;
    expect(row?.subject).toBe("Geometry");
    expect((await poll()).body.subject).toBe("Geometry");
  });
});

describe("Stripe release retries", () => {
  it("a retry that finds the tutor's payouts blocked keeps the escrow out of a dispute while its earlier transfer may have reached Stripe", async () => {
    const s = await createStripeTestServer({
      stripeProvider: crashAfterTransfer("process killed after the transfer response"),
    });
    try {
      const { id, escrowId } = await s.paidBooking();
      await s.runSession(id);
      s.clock.advance(24 * HOUR);
      expect(await s.tick()).toMatchObject({ released: 0, release_failures: 1 });
      expect(s.fake.transfers.size).toBe(1);
      const [transfer] = [...s.fake.transfers.values()];
      expect(transfer?.amount).toBe(4000);

      // Meanwhile Stripe reports the tutor's account cannot take payouts (for now).
      const blocked = s.fake.event("account.updated", s.fake.setPayoutsEnabled(TUTOR_ACCOUNT, false), {
        account: TUTOR_ACCOUNT,
      });
      expect((await s.deliver(blocked, { secret: CONNECT_WEBHOOK_SECRET })).status).toBe(200);
      // The lease runs out; the retry is blocked before it looks the earlier transfer up.
      s.clock.advance(6 * MINUTE);
      await s.tick();

      // The tutor holds 4000 at Stripe, so the money must not be disputable and refunded as if held.
      const dispute = await s.call("POST", `/v1/escrows/${escrowId}/dispute`, { key: s.key, body: { reason: "late" } });
      // (Accepted, a full refund resolution pays the student 5000 back and leaves the 4000 transfer unreversed.)
      expect(dispute.status).toBe(409);
    } finally {
      s.close();
    }
  });
});
