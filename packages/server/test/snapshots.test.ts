import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openStorage } from "../src/adapters/storage";
import { execute } from "../src/db/queries";
import { foreignClient } from "./engine";
import { createTestServer, HOUR, MINUTE, paidBooking, TEST_ENGINE, type TestServer, tempDatabaseUrl } from "./harness";

/**
 * Session status reads (what every participant's screen polls) are served from snapshots. These
 * tests pin the rules that make that safe: any write through this process shows at once, a write
 * from another process shows within the snapshot lifetime (1 s), and nothing else is cached.
 */
describe("session status snapshots", () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function fileServer() {
    const file = await tempDatabaseUrl();
    const server = await createTestServer({ url: file.url });
    cleanups.push(async () => {
      await server.close();
      await file.cleanup();
    });
    const { key } = await server.createTenant();
    const lesson = await paidBooking(server, key);
    return { server, key, lesson, url: file.url };
  }

  const status = async (server: TestServer, bookingId: string, token: string) => {
    const res = await server.call("GET", `/v1/sessions/${bookingId}`, { key: token });
    expect(res.status).toBe(200);
    return res.body;
  };

  it("shows every write made through this process at once, with the clock read per request", async () => {
    const { server, lesson } = await fileServer();
    expect((await status(server, lesson.id, lesson.student)).status).toBe("confirmed");

    server.clock.advance(2 * HOUR - 5 * MINUTE);
    const before = await status(server, lesson.id, lesson.student);
    expect(before.server_time).toBe(new Date(server.clock.now()).toISOString());
    expect(before.can_start).toBe(true);

    const started = await server.call("POST", `/v1/sessions/${lesson.id}/start`, { key: lesson.tutor });
    expect(started.status).toBe(200);
    // No clock movement at all: only the write can have made the next read fresh.
    const after = await status(server, lesson.id, lesson.student);
    expect(after.status).toBe("in_progress");
    expect(after.participants.tutor.joined_at).not.toBeNull();

    const notes = await server.call("PUT", `/v1/sessions/${lesson.id}/notes`, {
      key: lesson.tutor,
      body: { notes: "Irregular verbs" },
    });
    expect(notes.status).toBe(200);
    expect((await status(server, lesson.id, lesson.tutor)).notes).toBe("Irregular verbs");
  });

  it("sees a write from a second client of the same database (one process) at once", async () => {
    const { server, lesson, url } = await fileServer();
    expect((await status(server, lesson.id, lesson.student)).subject).not.toBe("Changed elsewhere");
    const other = await openStorage(url, { migrate: false });
    cleanups.unshift(() => other.close());
    await execute(other.db, sql`update bookings set subject = ${"Changed elsewhere"} where id = ${lesson.id}`);
    expect((await status(server, lesson.id, lesson.student)).subject).toBe("Changed elsewhere");
  });

  it("shows a write from another process within one second, never later (PostgreSQL: as soon as it is announced)", async () => {
    const { server, lesson, url } = await fileServer();
    await status(server, lesson.id, lesson.student);
    // A raw client outside this process's adapter stands in for another server process.
    const foreign = await foreignClient(url);
    cleanups.unshift(() => foreign.close());
    await execute(foreign.db, sql`update bookings set subject = ${"Foreign"} where id = ${lesson.id}`);

    if (TEST_ENGINE === "postgres") {
      // The commit's NOTIFY reaches this process's listener: no clock movement needed.
      await vi.waitFor(async () => expect((await status(server, lesson.id, lesson.student)).subject).toBe("Foreign"), {
        timeout: 2000,
        interval: 20,
      });
      return;
    }
    server.clock.advance(999);
    expect((await status(server, lesson.id, lesson.student)).subject).not.toBe("Foreign");
    server.clock.advance(1);
    expect((await status(server, lesson.id, lesson.student)).subject).toBe("Foreign");
  });

  it("never serves a snapshot to a caller outside the booking, and keeps refusing expired tokens", async () => {
    const { server, key, lesson } = await fileServer();
    const other = await paidBooking(server, key);
    await status(server, lesson.id, lesson.student);
    const crossed = await server.call("GET", `/v1/sessions/${lesson.id}`, { key: other.student });
    expect(crossed.status).toBe(403);
    expect(crossed.body.error.code).toBe("token_booking_mismatch");

    const short = await server.call("POST", `/v1/bookings/${lesson.id}/participant-tokens`, {
      key,
      body: { role: "student", ttl_seconds: 60 },
    });
    expect((await status(server, lesson.id, short.body.token)).booking_id).toBe(lesson.id);
    server.clock.advance(60_000);
    const expired = await server.call("GET", `/v1/sessions/${lesson.id}`, { key: short.body.token });
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe("participant_token_expired");
  });
});

/** A snapshot never decides a write, and no write slips past the snapshots unseen. */
describe("snapshots at the edges of writes", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await createTestServer();
  });
  afterEach(() => server.close());

  it("a participant write decides with the tenant's current test clock, not a snapshot of it", async () => {
    const file = await tempDatabaseUrl();
    const other = await createTestServer({ url: file.url });
    // A raw client outside this process's adapter stands in for a second server instance.
    const foreign = await foreignClient(file.url);
    try {
      const { key, tenant } = await other.createTenant();
      const lesson = await paidBooking(other, key);
      // A poll warms the tenant snapshot (test clock offset 0: the join window is 2 hours away).
      const poll = await other.call("GET", `/v1/sessions/${lesson.id}`, { key: lesson.tutor });
      expect(poll.body.can_start).toBe(false);

      // The platform's test script moves the sandbox clock on another instance (as POST
      // /v1/sandbox/clock there does) into the join window, then starts the session here.
      await execute(
        foreign.db,
        sql`update tenants set clock_offset_ms = ${2 * HOUR - 4 * MINUTE} where id = ${tenant.id}`,
      );
      const started = await other.call("POST", `/v1/sessions/${lesson.id}/start`, { key: lesson.tutor, body: {} });
      expect(started.body.error?.code).toBeUndefined();
      expect(started.status).toBe(200);
    } finally {
      await foreign.close();
      await other.close();
      await file.cleanup();
    }
  });
});
