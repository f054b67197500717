import pg from "pg";
import { describe, expect, it } from "vitest";
import { requestDueReleases } from "../../src/domain/operations/releases";
import { openOperations, requestOperations } from "../../src/domain/operations/store";
import { createTestServer, type TestServer } from "../harness";
import { cleanups, closeAfterEach, dueRelease, operationsOf, transfer } from "../open-transfer";

/**
 * The one-open-transfer guard (test/open-transfer.test.ts) where it is needed: two processes on one
 * PostgreSQL database under READ COMMITTED, each asking for the same escrow's transfer, interleaved
 * step by step. Both tests fail without the partial unique index and the insert that skips its
 * conflicts: the first with a second transfer (key :2), the second with a duplicate-key error.
 */

closeAfterEach();

describe("two processes asking for one escrow's transfer at once (PostgreSQL)", () => {
  it("the one that decided before the other committed writes nothing (no second key)", async () => {
    const { servers, escrow } = await dueRelease(2);
    const [a, b] = servers as [TestServer, TestServer];
    const at = a.clock.now();
    // B looks (no transfer open), then A writes one and commits, then B writes: READ COMMITTED lets
    // B's insert see A's commit, so without the guard B would write transfer :2 for the same escrow.
    const written = await b.db.transaction(async (tx) => {
      expect(await openOperations(tx, escrow.id, "transfer")).toEqual([]);
      await a.db.transaction((other) => requestOperations(other, [transfer(escrow, at)]));
      return requestOperations(tx, [transfer(escrow, at)]);
    });
    expect(written).toEqual([]);
    expect(await operationsOf(a, escrow.id)).toEqual([
      { kind: "transfer", status: "pending", key: `transfer:${escrow.id}:1` },
    ]);
  });

  it("the one whose insert meets the other's uncommitted transfer waits for it, then writes nothing", async () => {
    const { servers, escrow, url } = await dueRelease(1);
    const a = servers[0]!;
    // B is another process, its connections named so that the test can see it wait.
    const name = `lk_guard_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const named = new URL(url);
    named.searchParams.set("application_name", name);
    const b = await createTestServer({ url: named.toString(), clock: a.clock, pool: 2 });
    cleanups.push(() => b.close());
    const watcher = new pg.Client({ connectionString: url });
    await watcher.connect();
    cleanups.push(() => watcher.end());
    const waiting = async () =>
      (
        await watcher.query<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'",
          [name],
        )
      ).rows[0]!.n;

    // A writes the escrow's transfer and holds its transaction open; B, which saw no transfer (A's is
    // not committed), asks for one: B's insert waits on A's row in the unique indexes. Without the
    // guard B would fail on the idempotency key once A commits; with it, B skips its row.
    let commitA!: () => void;
    const held = new Promise<void>((resolve) => {
      commitA = resolve;
    });
    let aWrote!: () => void;
    const wrote = new Promise<void>((resolve) => {
      aWrote = resolve;
    });
    const aDone = a.db.transaction(async (tx) => {
      await requestOperations(tx, [transfer(escrow, a.clock.now())]);
      aWrote();
      await held;
    });
    await wrote;
    const bDone = b.db.transaction((tx) => requestOperations(tx, [transfer(escrow, a.clock.now())]));
    const deadline = Date.now() + 10_000;
    while ((await waiting()) === 0) {
      if (Date.now() > deadline) {
        commitA();
        throw new Error("B's insert never waited on A's transfer");
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    commitA();
    await aDone;
    expect(await bDone).toEqual([]);
    expect(await operationsOf(a, escrow.id)).toEqual([
      { kind: "transfer", status: "pending", key: `transfer:${escrow.id}:1` },
    ]);
    // And the tick, now that the transfer is there, asks for none.
    expect(await requestDueReleases(b.deps)).toEqual({ requested: 0, releasedNow: 0 });
    expect(await operationsOf(a, escrow.id)).toHaveLength(1);
  });
});
