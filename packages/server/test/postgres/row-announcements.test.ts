import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { execute } from "../../src/db/queries";
import { foreignClient } from "../engine";
import { createTestServer, paidBooking, tempDatabaseUrl } from "../harness";

/**
 * On PostgreSQL another process's commit announces the rows it changed (migration 0003), and a
 * process drops the snapshots of those rows alone: a write to one lesson does not send every other
 * lesson's status poll back to the database (with several processes, every write anywhere did).
 */
describe("row announcements (PostgreSQL)", () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it("a change of one booking from another process drops that booking's snapshot and no other", async () => {
    const database = await tempDatabaseUrl();
    let statements = 0;
    const server = await createTestServer({ url: database.url, logQuery: () => statements++ });
    cleanups.push(async () => {
      await server.close();
      await database.cleanup();
    });
    const { key } = await server.createTenant();
    const [a, b] = [await paidBooking(server, key), await paidBooking(server, key)];
    const poll = async (lesson: { id: string; student: string }) => {
      const before = statements;
      const res = await server.call("GET", `/v1/sessions/${lesson.id}`, { key: lesson.student });
      expect(res.status).toBe(200);
      return { body: res.body, statements: statements - before };
    };
    await poll(a);
    await poll(b);
    expect((await poll(a)).statements).toBe(0);
    expect((await poll(b)).statements).toBe(0);

    // A raw client outside this process's adapter stands in for another server process.
    const foreign = await foreignClient(database.url);
    cleanups.unshift(() => foreign.close());
    await execute(foreign.db, sql`update escrows set last_error_code = ${"elsewhere"} where booking_id = ${a.id}`);
    await execute(foreign.db, sql`update bookings set subject = ${"Foreign"} where id = ${a.id}`);
    await vi.waitFor(async () => expect((await poll(a)).body.subject).toBe("Foreign"), { timeout: 2000, interval: 20 });
    // The other lesson's snapshot and the tenant's were kept.
    expect(await poll(b)).toMatchObject({ statements: 0, body: { subject: b.booking.subject } });

    // A change of the tenant drops the tenant's snapshot (its clock, its settings), not the bookings'.
    await execute(foreign.db, sql`update tenants set name = ${"Renamed"} where secret_key_hint is not null`);
    await vi.waitFor(async () => expect((await poll(b)).statements).toBe(1), { timeout: 2000, interval: 20 });
    expect((await poll(a)).statements).toBe(0);
  });
});
