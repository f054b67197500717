import { eq } from "drizzle-orm";
import { afterEach } from "vitest";
import { seedDueReleases } from "../bench/escrow";
import { type EscrowRow, escrows, moneyOperations } from "../src/db/schema";
import { ManualClock } from "../src/ports/clock";
import { createTestServer, HOUR, type TestServer, tempDatabaseUrl } from "./harness";

/** What the tests of the one-open-transfer guard share (test/open-transfer.test.ts, test/postgres/). */

export const cleanups: (() => Promise<unknown>)[] = [];

/** Closes what a test opened; call once per test file. */
export function closeAfterEach() {
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
}

/** `count` processes' worth of servers on one new database, sharing a clock, with one escrow due for release. */
export async function dueRelease(count: number) {
  const database = await tempDatabaseUrl();
  cleanups.push(database.cleanup);
  const clock = new ManualClock(Date.UTC(2030, 0, 1, 8, 0, 0));
  const servers: TestServer[] = [];
  for (let n = 0; n < count; n++) {
    const server = await createTestServer({ url: database.url, clock, pool: 2 });
    cleanups.push(() => server.close());
    servers.push(server);
  }
  const first = servers[0]!;
  const { key } = await first.createTenant({ name: "Guarded Tutoring" });
  const [escrowId] = await seedDueReleases(first, key, 1);
  clock.advance(25 * HOUR);
  const [escrow] = await first.db.select().from(escrows).where(eq(escrows.id, escrowId!));
  return { servers, escrow: escrow!, url: database.url };
}

export const transfer = (escrow: EscrowRow, at: number) => ({
  escrow,
  at,
  request: { kind: "transfer" as const, amount: escrow.tutorAmount, reason: "release" },
});

export const operationsOf = (server: TestServer, escrowId: string) =>
  server.db
    .select({ kind: moneyOperations.kind, status: moneyOperations.status, key: moneyOperations.idempotencyKey })
    .from(moneyOperations)
    .where(eq(moneyOperations.escrowId, escrowId))
    .orderBy(moneyOperations.seq);
