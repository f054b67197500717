import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execute, selectRows } from "../src/db/queries";
import { tick } from "../src/jobs/tick";
import {
  ADMIN_KEY,
  createTestServer,
  HOUR,
  type Json,
  ledgerInvariant,
  MINUTE,
  paidBooking,
  type TestServer,
} from "./harness";

/**
 * A tutor's balance is a running total kept in the same transaction as the ledger rows it sums:
 * read in one row per currency, and always what the ledger (the source of truth) says.
 */

let server: TestServer;
let statements: string[] = [];
let key: string;

beforeEach(async () => {
  statements = [];
  server = await createTestServer({ logQuery: (query) => statements.push(query) });
  ({ key } = await server.createTenant());
});
afterEach(() => server.close());

const ok = async (pending: Promise<{ status: number; body: Json }>) => {
  const res = await pending;
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

/** The tutor's balances recomputed from the ledger rows, as the API shows them. */
async function fromLedger(tutorId: string) {
  const rows = await selectRows<{ currency: string; pending: number; disputed: number; released: number }>(
    server.db,
    sql`
    select currency,
      coalesce(sum(case when account = 'tutor_pending' then amount end), 0) as pending,
      coalesce(sum(case when account = 'tutor_disputed' then amount end), 0) as disputed,
      coalesce(sum(case when account = 'tutor_released' then amount end), 0) as released
    from ledger_entries where tutor_id = ${tutorId} group by currency order by currency`,
  );
  return rows.map((row) => ({ ...row }));
}

async function finishLesson(lesson: { id: string; student: string; tutor: string }) {
  for (const [action, token] of [
    ["start", lesson.student],
    ["join", lesson.tutor],
    ["end", lesson.tutor],
  ] as const) {
    await ok(server.call("POST", `/v1/sessions/${lesson.id}/${action}`, { key: token }));
  }
}

describe("a tutor's balance", () => {
  it("is the ledger's, per currency, through capture, dispute, refunds, no-show, release and cancellation", async () => {
    const tutor = { id: "tutor_busy", name: "Busy Tutor" };
    const released = await paidBooking(server, key, { tutor, amount: 6000, platform_fee: 1000 }, 10 * MINUTE);
    const disputed = await paidBooking(server, key, { tutor, amount: 4000, currency: "eur", platform_fee: 400 });
    const canceled = await paidBooking(server, key, { tutor, amount: 3000, platform_fee: 0 }, 48 * HOUR);
    await paidBooking(server, key, { tutor, amount: 2500, platform_fee: 500 }, 72 * HOUR);
    server.clock.advance(10 * MINUTE);
    await finishLesson(released);
    await ok(
      server.call("POST", `/v1/escrows/${disputed.escrowId}/dispute`, { key, body: { reason: "lesson not given" } }),
    );
    await ok(
      server.call("POST", `/v1/escrows/${disputed.escrowId}/resolve`, {
        key,
        body: { outcome: "refund", refund_amount: 1000 },
      }),
    );
    await ok(server.call("POST", `/v1/bookings/${canceled.id}/cancel`, { key, body: { by: "student" } }));
    server.clock.advance(25 * HOUR);
    await tick(server.deps);

    const ledger = await fromLedger(tutor.id);
    statements = [];
    const balance = await ok(server.call("GET", `/v1/tutors/${tutor.id}/balance`, { key }));
    const read = statements;
    expect(balance).toEqual({
      tutor_id: tutor.id,
      balances: [
        // 3600 held, 1000 refunded with the resolution, the rest refunded when nobody came.
        { currency: "eur", pending: 0, disputed: 0, released: 0 },
        { currency: "usd", pending: 2000, disputed: 0, released: 5000 },
      ],
    });
    expect(balance.balances).toEqual(ledger);
    // One read of the running totals; the ledger is not summed for a balance.
    expect(read.filter((query) => /ledger_entries/.test(query))).toEqual([]);
    expect(read.filter((query) => /tutor_balances/.test(query))).toHaveLength(1);
    expect(await ledgerInvariant(server.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });

  it("is kept per tenant: the same tutor id on another platform has a balance of its own", async () => {
    const other = await server.createTenant({ name: "Other Tutoring" });
    await paidBooking(server, key, { tutor: { id: "tutor_shared" }, amount: 5000, platform_fee: 1000 });
    await paidBooking(server, other.key, { tutor: { id: "tutor_shared" }, amount: 3000, platform_fee: 1000 });
    const mine = await ok(server.call("GET", "/v1/tutors/tutor_shared/balance", { key }));
    const theirs = await ok(server.call("GET", "/v1/tutors/tutor_shared/balance", { key: other.key }));
    expect(mine.balances).toEqual([{ currency: "usd", pending: 4000, disputed: 0, released: 0 }]);
    expect(theirs.balances).toEqual([{ currency: "usd", pending: 2000, disputed: 0, released: 0 }]);
  });

  it("shows a currency whose lessons left the tutor nothing (the fee was everything)", async () => {
    await paidBooking(server, key, { tutor: { id: "tutor_free" }, amount: 1000, platform_fee: 1000 });
    const balance = await ok(server.call("GET", "/v1/tutors/tutor_free/balance", { key }));
    expect(balance.balances).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 0 }]);
    expect(await ledgerInvariant(server.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});

describe("POST /v1/admin/reconcile", () => {
  it("finds every running total equal to the ledger, and reports one that is not", async () => {
    await paidBooking(server, key, { tutor: { id: "tutor_1" } });
    await paidBooking(server, key, { tutor: { id: "tutor_2" }, currency: "gbp" });
    expect(await ok(server.call("POST", "/v1/admin/reconcile", { key: ADMIN_KEY }))).toEqual({
      checked: 2,
      mismatches: [],
    });

    await execute(server.db, sql`update tutor_balances set pending = pending + 1 where tutor_id = 'tutor_2'`);
    await execute(server.db, sql`delete from tutor_balances where tutor_id = 'tutor_1'`);
    const tenantId = (await ok(server.call("GET", "/v1/tenant", { key }))).id;
    await execute(
      server.db,
      sql`insert into tutor_balances (tenant_id, tutor_id, currency, pending, disputed, released, updated_at)
        values (${tenantId}, 'tutor_ghost', 'usd', 700, 0, 0, ${server.clock.now()})`,
    );
    const report = await ok(server.call("POST", "/v1/admin/reconcile", { key: ADMIN_KEY }));
    expect(report.mismatches).toEqual([
      {
        tenant_id: tenantId,
        tutor_id: "tutor_1",
        currency: "usd",
        stored: null,
        ledger: { pending: 4000, disputed: 0, released: 0 },
      },
      {
        tenant_id: tenantId,
        tutor_id: "tutor_2",
        currency: "gbp",
        stored: { pending: 4001, disputed: 0, released: 0 },
        ledger: { pending: 4000, disputed: 0, released: 0 },
      },
      {
        tenant_id: tenantId,
        tutor_id: "tutor_ghost",
        currency: "usd",
        stored: { pending: 700, disputed: 0, released: 0 },
        ledger: null,
      },
    ]);
    expect(report.checked).toBe(3);
  });

  it("is the operator's: a tenant key is refused and nothing is read", async () => {
    const res = await server.call("POST", "/v1/admin/reconcile", { key });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("admin_key_required");
  });
});

describe("the ledger's one door", () => {
  it("no code but appendLedger inserts ledger rows (so no movement misses the running totals)", () => {
    const src = join(import.meta.dirname, "..", "src");
    const files = (readdirSync(src, { recursive: true }) as string[]).filter((file) => file.endsWith(".ts"));
    const inserting = files.filter((file) => {
      const text = readFileSync(join(src, file), "utf8");
      return /insert\(ledgerEntries\)|insertRows\(\w+, ledgerEntries|insert\s+into\s+[`"]?ledger_entries/i.test(text);
    });
    expect(inserting.map((file) => relative(src, join(src, file)))).toEqual([join("domain", "ledger", "post.ts")]);
    const post = readFileSync(join(src, "domain", "ledger", "post.ts"), "utf8");
    expect(post.match(/insert\(ledgerEntries\)|insertRows\(\w+, ledgerEntries/g)).toHaveLength(1);
  });
});
