import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { SandboxPayments } from "../src/adapters/sandbox/payments";
import { execute, selectRows } from "../src/db/queries";
import { moneyOperations } from "../src/db/schema";
import { rebuildBalances } from "../src/domain/ledger/reconcile";
import { executeDueOperations } from "../src/domain/operations/execute";
import { requestDueReleases } from "../src/domain/operations/releases";
import { ManualClock } from "../src/ports/clock";
import type { TransferInput } from "../src/ports/payments";
import {
  createTestServer,
  HOUR,
  type Json,
  ledgerInvariant,
  MINUTE,
  paidBooking,
  type TestServer,
  tempDatabaseUrl,
} from "./harness";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function server(options: Parameters<typeof createTestServer>[0] = {}) {
  const s = await createTestServer(options);
  cleanups.push(() => s.close());
  return s;
}

async function ok(pending: Promise<{ status: number; body: Json }>) {
  const res = await pending;
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A lesson both sides attended, ended by the tutor: its escrow is scheduled for release. */
async function completedLesson(s: TestServer, key: string) {
  const lesson = await paidBooking(s, key, {}, 10 * MINUTE);
  s.clock.advance(10 * MINUTE);
  await ok(s.call("POST", `/v1/sessions/${lesson.id}/start`, { key: lesson.tutor }));
  await ok(s.call("POST", `/v1/sessions/${lesson.id}/join`, { key: lesson.student }));
  await ok(s.call("POST", `/v1/sessions/${lesson.id}/end`, { key: lesson.tutor }));
  return lesson;
}

describe("GET /v1/operations and an escrow's operations", () => {
  it("lists a tenant's money operations newest first, by status, kind and escrow, a page at a time, never another tenant's", async () => {
    const s = await server();
    const { key } = await s.createTenant();
    const released = await completedLesson(s, key);
    const refunded = await paidBooking(s, key, {}, 48 * HOUR);
    await ok(s.call("POST", `/v1/bookings/${refunded.id}/cancel`, { key, body: { by: "platform" } }));
    s.clock.advance(24 * HOUR + MINUTE);
    await ok(s.call("POST", "/v1/admin/tick", { key: "lk_admin_test_key_0123456789" }));

    const all = await ok(s.call("GET", "/v1/operations", { key }));
    expect(all.data.map((op: Json) => [op.kind, op.status, op.amount, op.escrow_id])).toEqual([
      ["transfer", "succeeded", 4000, released.escrowId],
      ["refund", "succeeded", 5000, refunded.escrowId],
    ]);
    expect(all.data[0]).toMatchObject({
      object: "money_operation",
      reason: "release",
      attempts: 1,
      provider_id: expect.stringMatching(/^tr_sandbox_/),
      idempotency_key: `transfer:${released.escrowId}:1`,
      last_error: null,
      next_attempt_at: null,
      completed_at: expect.any(String),
    });
    const byKind = await ok(s.call("GET", "/v1/operations?kind=refund", { key }));
    expect(byKind.data.map((op: Json) => op.escrow_id)).toEqual([refunded.escrowId]);
    expect((await ok(s.call("GET", "/v1/operations?status=failed", { key }))).data).toEqual([]);
    const byEscrow = await ok(s.call("GET", `/v1/operations?escrow_id=${released.escrowId}`, { key }));
    expect(byEscrow.data.map((op: Json) => op.kind)).toEqual(["transfer"]);
    const first = await ok(s.call("GET", "/v1/operations?limit=1", { key }));
    expect(first).toMatchObject({ has_more: true, next_cursor: first.data[0].id });
    const second = await ok(s.call("GET", `/v1/operations?limit=1&starting_after=${first.next_cursor}`, { key }));
    expect(second).toMatchObject({ has_more: false, next_cursor: null, data: [{ kind: "refund" }] });

    // The escrow shows its own, oldest first, with the same shape.
    const escrow = await ok(s.call("GET", `/v1/escrows/${released.escrowId}`, { key }));
    expect(escrow.operations).toEqual([all.data[0]]);

    // Another tenant sees none of them, and cannot page from one of them.
    const other = await s.createTenant({ name: "Other" });
    expect((await ok(s.call("GET", "/v1/operations", { key: other.key }))).data).toEqual([]);
    expect((await ok(s.call("GET", `/v1/operations?escrow_id=${released.escrowId}`, { key: other.key }))).data).toEqual(
      [],
    );
    const foreign = await s.call("GET", `/v1/operations?starting_after=${first.next_cursor}`, { key: other.key });
    expect(foreign.status).toBe(404);
    const bad = await s.call("GET", "/v1/operations?status=lost", { key });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe("status");
  });
});

describe("two processes running the executor at once", () => {
  it("leave none of 1,000 due operations due, and make each exactly once", async () => {
    const file = await tempDatabaseUrl();
    cleanups.push(file.cleanup);
    const clock = new ManualClock(Date.UTC(2030, 0, 1, 8, 0, 0));
    const calls = new Map<string, number>();
    class Counting extends SandboxPayments {
      override async transfer(input: TransferInput) {
        // A network round trip: the other process gets turns in between.
        await new Promise((resolve) => setImmediate(resolve));
        calls.set(input.idempotencyKey, (calls.get(input.idempotencyKey) ?? 0) + 1);
        return super.transfer(input);
      }
    }
    const a = await server({ url: file.url, clock, providers: { sandbox: new Counting() } });
    const b = await server({ url: file.url, clock, providers: { sandbox: new Counting() } });
    const { key } = await a.createTenant();
    const template = await completedLesson(a, key);
    // 999 more completed lessons, copied in SQL from the one made through the API.
    await execute(
      a.deps.db,
      sql`
      with recursive n(i) as (select 1 union all select i + 1 from n where i < 999)
      insert into bookings (id, tenant_id, external_id, status, student_id, tutor_id, scheduled_start, duration_minutes,
        ends_at, policy, payment_expires_at, join_opens_at, no_show_at, auto_complete_at, started_at, ended_at, created_at, updated_at)
      select b.id || '_' || i, b.tenant_id, b.external_id || '_' || i, b.status, b.student_id, b.tutor_id, b.scheduled_start,
        b.duration_minutes, b.ends_at, b.policy, b.payment_expires_at, b.join_opens_at, b.no_show_at, b.auto_complete_at,
        b.started_at, b.ended_at, b.created_at, b.updated_at
      from bookings b, n where b.id = ${template.id}`,
    );
    await execute(
      a.deps.db,
      sql`
      with recursive n(i) as (select 1 union all select i + 1 from n where i < 999)
      insert into escrows (id, tenant_id, booking_id, tutor_id, status, provider, currency, amount, platform_fee, tutor_amount,
        release_at, held_at, payment_id, charge_id, created_at, updated_at)
      select e.id || '_' || i, e.tenant_id, e.booking_id || '_' || i, e.tutor_id, e.status, e.provider, e.currency, e.amount,
        e.platform_fee, e.tutor_amount, e.release_at, e.held_at, e.payment_id || '_' || i, e.charge_id || '_' || i, e.created_at, e.updated_at
      from escrows e, n where e.id = ${template.escrowId}`,
    );
    await execute(
      a.deps.db,
      sql`
      with recursive n(i) as (select 1 union all select i + 1 from n where i < 999)
      insert into ledger_entries (id, tenant_id, escrow_id, booking_id, tutor_id, currency, account, amount, kind, created_at)
      select l.id || '_' || i, l.tenant_id, l.escrow_id || '_' || i, l.booking_id || '_' || i, l.tutor_id, l.currency, l.account,
        l.amount, l.kind, l.created_at
      from ledger_entries l, n where l.escrow_id = ${template.escrowId}`,
    );
    // The tutor's running totals follow the copied ledger rows, as a migration would rebuild them.
    await rebuildBalances(a.deps.db, clock.now());
    clock.advance(24 * HOUR + MINUTE);
    expect((await requestDueReleases(a.deps)).requested).toBe(1000);

    const [first, second] = await Promise.all([executeDueOperations(a.deps), executeDueOperations(b.deps)]);

    // Between them, every transfer made once; neither run stopped while due work was left.
    expect(first.succeeded.transfer + second.succeeded.transfer).toBe(1000);
    expect(first.succeeded.transfer).toBeGreaterThan(0);
    expect(second.succeeded.transfer).toBeGreaterThan(0);
    expect(calls.size).toBe(1000);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    const [left] = await a.deps.db
      .select({ n: sql<number>`count(*)` })
      .from(moneyOperations)
      .where(eq(moneyOperations.status, "in_flight"));
    expect(left?.n).toBe(0);
    const statuses = await selectRows<{ status: string; n: number }>(
      a.deps.db,
      sql`select status, count(*) as n from escrows group by status`,
    );
    expect(statuses).toEqual([{ status: "released", n: 1000 }]);
    expect(await ledgerInvariant(a.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  }, 60_000);
});
