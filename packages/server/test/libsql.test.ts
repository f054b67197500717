import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OpenLibsql } from "../src/adapters/libsql/database";
import { createTestServer, paidBooking, type TestServer } from "./harness";

/**
 * The libsql adapter's own: it counts this process's writes itself (PostgreSQL announces every
 * write by trigger instead, test/postgres/), so a write it cannot see would leave a stale snapshot.
 */
describe("the libsql adapter", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await createTestServer();
  });
  afterEach(() => server.close());

  it("a raw executeMultiple that fails after its first statement still drops the status snapshots", async () => {
    const database = server.database as OpenLibsql;
    const { key } = await server.createTenant();
    const lesson = await paidBooking(server, key);
    const poll = () => server.call("GET", `/v1/sessions/${lesson.id}`, { key: lesson.student });
    expect((await poll()).body.subject).toBe("Algebra");
    // SQLite runs a script statement by statement in autocommit: the first update stays applied.
    await expect(
      database.client.executeMultiple(
        `update bookings set subject = 'Geometry' where id = '${lesson.id}'; update no_such_table set x = 1;`,
      ),
    ).rejects.toThrow();
    const [row] = (
      await database.client.execute({ sql: "select subject from bookings where id = ?", args: [lesson.id] })
    ).rows;
    expect(row?.subject).toBe("Geometry");
    expect((await poll()).body.subject).toBe("Geometry");
  });
});
