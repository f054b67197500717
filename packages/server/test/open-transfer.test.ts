import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { execute } from "../src/db/queries";
import { moneyOperations } from "../src/db/schema";
import { requestOperations } from "../src/domain/operations/store";
import { createTestServer, TEST_ENGINE } from "./harness";
import { cleanups, closeAfterEach, dueRelease, operationsOf, transfer } from "./open-transfer";

/**
 * An escrow has one transfer open at most: a partial unique index on money operations (both
 * engines), and an insert that skips the second one instead of failing. The release code already
 * looks again for open operations once it holds the escrows' locks; this is the guard underneath it,
 * that holds whatever a writer got wrong: the tutor is paid once.
 */

closeAfterEach();

describe("one open transfer per escrow", () => {
  it("a second transfer asked while one is open is skipped, without an error; refunds may be several", async () => {
    const { servers, escrow } = await dueRelease(1);
    const server = servers[0]!;
    const at = server.clock.now();
    const first = await server.db.transaction((tx) => requestOperations(tx, [transfer(escrow, at)]));
    const second = await server.db.transaction((tx) => requestOperations(tx, [transfer(escrow, at)]));
    expect(first).toHaveLength(1);
    expect(second).toEqual([]);
    // Two refunds open at once are a designed case (a second refund while the first one's outcome is
    // unknown): the guard is the transfer's alone.
    const refund = { escrow, at, request: { kind: "refund" as const, amount: 100, reason: "test" } };
    await server.db.transaction((tx) => requestOperations(tx, [refund]));
    await server.db.transaction((tx) => requestOperations(tx, [refund]));
    expect(await operationsOf(server, escrow.id)).toEqual([
      { kind: "transfer", status: "pending", key: `transfer:${escrow.id}:1` },
      { kind: "refund", status: "pending", key: `refund:${escrow.id}:1` },
      { kind: "refund", status: "pending", key: `refund:${escrow.id}:2` },
    ]);
  });

  it("once the transfer is final, the escrow may be given the next one", async () => {
    const { servers, escrow } = await dueRelease(1);
    const server = servers[0]!;
    const at = server.clock.now();
    await server.db.transaction((tx) => requestOperations(tx, [transfer(escrow, at)]));
    await server.db.update(moneyOperations).set({ status: "failed" }).where(eq(moneyOperations.escrowId, escrow.id));
    const next = await server.db.transaction((tx) => requestOperations(tx, [transfer(escrow, at)]));
    expect(next.map((op) => op.idempotencyKey)).toEqual([`transfer:${escrow.id}:2`]);
  });

  it("a migration onto rows written before the guard withdraws the second transfer never sent", async () => {
    const { servers, escrow, url } = await dueRelease(1);
    const server = servers[0]!;
    const at = server.clock.now();
    await server.db.transaction((tx) => requestOperations(tx, [transfer(escrow, at)]));
    // The database as the migrations before the guard left it, holding what the race could write: a
    // second transfer (key :2) beside the first.
    await execute(server.db, sql`drop index money_operations_open_transfer`);
    // The guard's migration and any after it count as not applied (migrations run after the last applied one).
    const journal = (
      TEST_ENGINE === "postgres"
        ? await import("../drizzle-pg/meta/_journal.json", { with: { type: "json" } })
        : await import("../drizzle/meta/_journal.json", { with: { type: "json" } })
    ).default;
    const guard = journal.entries.find((entry) => entry.tag.endsWith("_one_open_transfer"));
    if (!guard) throw new Error("no one_open_transfer migration in the journal");
    await execute(server.db, sql`delete from __drizzle_migrations where created_at >= ${guard.when}`);
    await execute(
      server.db,
      sql`insert into money_operations (id, tenant_id, escrow_id, booking_id, kind, amount, currency, reason,
        idempotency_key, status, due_at, attempts, created_at, updated_at)
        select 'op_second', tenant_id, escrow_id, booking_id, kind, amount, currency, reason,
          ${`transfer:${escrow.id}:2`}, 'pending', due_at, 0, created_at, updated_at
        from money_operations where escrow_id = ${escrow.id}`,
    );
    await execute(server.db, sql`update money_operations set status = 'in_flight' where id <> 'op_second'`);
    const migrated = await createTestServer({ url, clock: server.clock, pool: 1 });
    cleanups.push(() => migrated.close());
    expect(await operationsOf(migrated, escrow.id)).toEqual([
      { kind: "transfer", status: "in_flight", key: `transfer:${escrow.id}:1` },
      { kind: "transfer", status: "canceled", key: `transfer:${escrow.id}:2` },
    ]);
    const again = await migrated.db.transaction((tx) => requestOperations(tx, [transfer(escrow, at)]));
    expect(again).toEqual([]);
  });
});
