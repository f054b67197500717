import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { SandboxPayments } from "../src/adapters/sandbox/payments";
import { execute, selectRows } from "../src/db/queries";
import { tenants } from "../src/db/schema";
import type { Deps } from "../src/domain/context";
import type { DueWorkSummary } from "../src/domain/due/run";
import { claimDueOperations } from "../src/domain/operations/claim";
import { executeClaims } from "../src/domain/operations/execute";
import { requestDueReleases } from "../src/domain/operations/releases";
import { tick } from "../src/jobs/tick";
import { ManualClock } from "../src/ports/clock";
import {
  type CancelPaymentInput,
  PaymentProviderError,
  type RefundInput,
  type TransferInput,
} from "../src/ports/payments";
import {
  bookingBody,
  createTestServer,
  HOUR,
  type Json,
  ledgerInvariant,
  MINUTE,
  paidBooking,
  snapshotTables,
  type TestServer,
  tempDatabaseUrl,
} from "./harness";

const LEASE = 5 * MINUTE;
const RELEASE_DELAY = 24 * HOUR;
const NOTHING_DUE = {
  expired: 0,
  no_shows: 0,
  auto_completed: 0,
  refunds: 0,
  refund_failures: 0,
  released: 0,
  release_failures: 0,
  reversals: 0,
  reversal_failures: 0,
};

type Fault = "none" | "retryable" | "definitive" | "crash_after_transfer";

interface ProviderCall {
  method: "transfer" | "refund" | "cancelPayment";
  escrowId: string | null;
  idempotencyKey: string;
  amount: number | null;
  /** The id the provider handed back, when it moved money (even if the caller never saw it). */
  providerId: string | null;
}

/**
 * The sandbox provider, observed: every call is recorded, and `fault` makes transfers fail the
 * way a real provider (or the process around it) can.
 */
class RecordingSandbox extends SandboxPayments {
  readonly calls: ProviderCall[] = [];
  fault: Fault = "none";
  readonly #stalls: { arrive: () => void; resumed: Promise<void> }[] = [];

  /** Holds the next transfer at the provider (a slow network, a paused process) until `resume()`. */
  stallNextTransfer() {
    let arrive!: () => void;
    let resume!: () => void;
    const reached = new Promise<void>((resolve) => {
      arrive = resolve;
    });
    const resumed = new Promise<void>((resolve) => {
      resume = resolve;
    });
    this.#stalls.push({ arrive, resumed });
    return { reached, resume };
  }

  get transfers() {
    return this.calls.filter((call) => call.method === "transfer");
  }

  override async transfer(input: TransferInput) {
    // A network round trip: lets the other tick's statements interleave with this one.
    await new Promise((resolve) => setImmediate(resolve));
    const call: ProviderCall = {
      method: "transfer",
      escrowId: input.escrowId,
      idempotencyKey: input.idempotencyKey,
      amount: input.amount,
      providerId: null,
    };
    this.calls.push(call);
    const stall = this.#stalls.shift();
    if (stall) {
      stall.arrive();
      await stall.resumed;
    }
    if (this.fault === "retryable") throw new PaymentProviderError("The provider timed out", "timeout", true);
    if (this.fault === "definitive") {
      throw new PaymentProviderError("The destination account cannot receive transfers", "account_invalid", false);
    }
    const result = await super.transfer(input);
    call.providerId = result.transferId;
    if (this.fault === "crash_after_transfer") throw new Error("process died after the provider moved the money");
    return result;
  }

  override async refund(input: RefundInput) {
    const result = await super.refund(input);
    this.calls.push({
      method: "refund",
      escrowId: input.escrowId,
      idempotencyKey: input.idempotencyKey,
      amount: input.amount,
      providerId: result.refundId,
    });
    return result;
  }

  override async cancelPayment(input: CancelPaymentInput) {
    this.calls.push({
      method: "cancelPayment",
      escrowId: null,
      idempotencyKey: input.idempotencyKey,
      amount: null,
      providerId: null,
    });
  }
}

type Lesson = Awaited<ReturnType<typeof paidBooking>>;

async function ok(pending: Promise<{ status: number; body: Json }>) {
  const res = await pending;
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** `count` paid lessons that both sides attended and the tutor ended, all at the same time. */
async function completedLessons(server: TestServer, key: string, count: number): Promise<Lesson[]> {
  const lessons: Lesson[] = [];
  for (let i = 0; i < count; i++) lessons.push(await paidBooking(server, key));
  server.clock.advance(2 * HOUR);
  for (const lesson of lessons) {
    await ok(server.call("POST", `/v1/sessions/${lesson.id}/start`, { key: lesson.tutor }));
    await ok(server.call("POST", `/v1/sessions/${lesson.id}/join`, { key: lesson.student }));
  }
  server.clock.advance(50 * MINUTE);
  for (const lesson of lessons) {
    const ended = await ok(server.call("POST", `/v1/sessions/${lesson.id}/end`, { key: lesson.tutor }));
    expect(ended.escrow.status).toBe("release_scheduled");
  }
  return lessons;
}

interface ReleaseFacts {
  id: string;
  status: string;
  released_amount: number;
  payout_amount: number | null;
  transfer_id: string | null;
  /** The status of the escrow's latest transfer operation, and the lease on it. */
  transfer_status: string | null;
  lease_token: string | null;
  last_error_code: string | null;
  released_events: number;
  /** Succeeded transfer operations. */
  release_payouts: number;
  payout_provider_id: string | null;
  release_legs: number;
}

/** What the database says about each escrow's release: its row, its events, operations and ledger legs. */
async function releaseFacts(deps: Deps): Promise<Map<string, ReleaseFacts>> {
  const latest = (column: string) =>
    sql.raw(
      `(select o.${column} from money_operations o where o.escrow_id = e.id and o.kind = 'transfer' order by o.seq desc limit 1)`,
    );
  const rows = await selectRows<ReleaseFacts>(
    deps.db,
    sql`
    select e.id, e.status, e.released_amount, e.payout_amount, e.transfer_id, e.last_error_code,
      ${latest("status")} as transfer_status, ${latest("lease_token")} as lease_token,
      (select count(*) from events v where v.booking_id = e.booking_id and v.type = 'escrow.released') as released_events,
      (select count(*) from money_operations o where o.escrow_id = e.id and o.kind = 'transfer' and o.status = 'succeeded') as release_payouts,
      (select max(o.provider_id) from money_operations o where o.escrow_id = e.id and o.kind = 'transfer' and o.status = 'succeeded') as payout_provider_id,
      (select count(*) from ledger_entries l where l.escrow_id = e.id and l.kind = 'release') as release_legs
    from escrows e`,
  );
  return new Map(rows.map((row) => [row.id, row]));
}

async function factsOf(deps: Deps, escrowId: string): Promise<ReleaseFacts> {
  const facts = (await releaseFacts(deps)).get(escrowId);
  if (!facts) throw new Error(`no escrow ${escrowId}`);
  return facts;
}

/** Released exactly once: one event, one succeeded transfer, four ledger legs, the right amounts, no lease left. */
function expectReleasedOnce(facts: ReleaseFacts, transferId: string) {
  expect(facts).toMatchObject({
    status: "released",
    released_amount: 5000,
    payout_amount: 4000,
    transfer_id: transferId,
    transfer_status: "succeeded",
    lease_token: null,
    last_error_code: null,
    released_events: 1,
    release_payouts: 1,
    payout_provider_id: transferId,
    release_legs: 4,
  });
}

async function expectLedgerClean(deps: Deps) {
  const invariant = await ledgerInvariant(deps);
  expect(invariant.broken).toEqual([]);
  expect(invariant.ledgerTotal).toBe(0);
}

/** Every row of every table. */
function snapshot(deps: Deps): Promise<Record<string, unknown[]>> {
  return snapshotTables(deps.db);
}

/**
 * Two "processes" on one database file: two clients (two openDatabase calls), two sets of deps,
 * each with its own observed provider, sharing only the file and the time.
 */
async function twoProcesses(lease = LEASE) {
  const file = await tempDatabaseUrl();
  const clock = new ManualClock(Date.UTC(2030, 0, 1, 8, 0, 0));
  const providerA = new RecordingSandbox();
  const providerB = new RecordingSandbox();
  const a = await createTestServer({ url: file.url, clock, providers: { sandbox: providerA }, releaseLeaseMs: lease });
  const b = await createTestServer({ url: file.url, clock, providers: { sandbox: providerB }, releaseLeaseMs: lease });
  return {
    a,
    b,
    clock,
    providerA,
    providerB,
    async close() {
      await a.close();
      await b.close();
      await file.cleanup();
    },
  };
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

describe("two ticks racing over one database file", () => {
  it("release each due escrow exactly once between them", async () => {
    const run = await twoProcesses();
    cleanups.push(run.close);
    const { a, b, providerA, providerB } = run;
    const { key } = await a.createTenant();
    const lessons = await completedLessons(a, key, 60);
    run.clock.advance(RELEASE_DELAY);

    const [first, second] = await Promise.all([tick(a.deps), tick(b.deps)]);

    expect(first.released + second.released).toBe(60);
    expect(first.release_failures + second.release_failures).toBe(0);
    const transfers = [...providerA.transfers, ...providerB.transfers];
    const facts = await releaseFacts(b.deps);
    for (const lesson of lessons) {
      const calls = transfers.filter((call) => call.escrowId === lesson.escrowId);
      // The lease means only one of the two ever asks the provider; any call uses the escrow's key.
      expect(calls).toHaveLength(1);
      expect(calls.map((call) => call.idempotencyKey)).toEqual([`transfer:${lesson.escrowId}:1`]);
      expect(calls[0]?.amount).toBe(4000);
      expect(calls[0]?.providerId).toMatch(/^tr_sandbox_/);
      expectReleasedOnce(facts.get(lesson.escrowId)!, calls[0]!.providerId!);
    }
    await expectLedgerClean(a.deps);
    const balance = await ok(b.call("GET", "/v1/tutors/tutor_1/balance", { key }));
    expect(balance.balances).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 60 * 4000 }]);

    // Racing again finds nothing left to do.
    const again = await Promise.all([tick(a.deps), tick(b.deps)]);
    expect(again).toEqual([NOTHING_DUE, NOTHING_DUE]);
    expect(providerA.transfers.length + providerB.transfers.length).toBe(60);
    expect(a.errors).toEqual([]);
  });

  it("settle every other kind of due work exactly once between them", async () => {
    const run = await twoProcesses();
    cleanups.push(run.close);
    const { a, b, providerA, providerB } = run;
    const { key } = await a.createTenant();
    const absent: Lesson[] = [];
    const leftOpen: Lesson[] = [];
    const unpaid: string[] = [];
    for (let i = 0; i < 10; i++) {
      absent.push(await paidBooking(a, key));
      leftOpen.push(await paidBooking(a, key));
      unpaid.push((await ok(a.call("POST", "/v1/bookings", { key, body: bookingBody(a.clock) }))).id);
    }
    run.clock.advance(2 * HOUR);
    for (const lesson of leftOpen) {
      await ok(a.call("POST", `/v1/sessions/${lesson.id}/start`, { key: lesson.tutor }));
      await ok(a.call("POST", `/v1/sessions/${lesson.id}/join`, { key: lesson.student }));
    }
    run.clock.advance(HOUR + 10 * MINUTE); // past the end plus grace, the no-show deadline and the payment window

    const [first, second] = await Promise.all([tick(a.deps), tick(b.deps)]);

    expect(first.expired + second.expired).toBe(10);
    expect(first.no_shows + second.no_shows).toBe(10);
    expect(first.auto_completed + second.auto_completed).toBe(10);
    expect(first.refund_failures + second.refund_failures + first.release_failures + second.release_failures).toBe(0);
    const events = await selectRows<{ booking_id: string; type: string; n: number }>(
      a.deps.db,
      sql`select booking_id, type, count(*) as n from events group by booking_id, type`,
    );
    const eventCount = (bookingId: string, type: string) =>
      events.find((row) => row.booking_id === bookingId && row.type === type)?.n ?? 0;
    const refundPayouts = await selectRows<{ escrow_id: string; n: number; amount: number }>(
      a.deps.db,
      sql`select escrow_id, count(*) as n, sum(amount) as amount from money_operations where kind = 'refund' and status = 'succeeded' group by escrow_id`,
    );
    const calls = [...providerA.calls, ...providerB.calls];
    for (const id of unpaid) expect(eventCount(id, "booking.canceled")).toBe(1);
    for (const lesson of absent) {
      expect(eventCount(lesson.id, "session.no_show")).toBe(1);
      expect(eventCount(lesson.id, "escrow.refunded")).toBe(1);
      expect(refundPayouts.filter((row) => row.escrow_id === lesson.escrowId)).toEqual([
        { escrow_id: lesson.escrowId, n: 1, amount: 5000 },
      ]);
      const refunds = calls.filter((call) => call.method === "refund" && call.escrowId === lesson.escrowId);
      expect(refunds).toHaveLength(1);
    }
    for (const lesson of leftOpen) {
      expect(eventCount(lesson.id, "session.ended")).toBe(1);
      expect(eventCount(lesson.id, "escrow.release_scheduled")).toBe(1);
    }
    // Voiding an unpaid payment happens before the transition, so both may ask; always the same void.
    const cancels = calls.filter((call) => call.method === "cancelPayment");
    expect(new Set(cancels.map((call) => call.idempotencyKey)).size).toBe(10);
    expect(calls.filter((call) => call.method === "transfer")).toEqual([]);
    await expectLedgerClean(a.deps);
    const balance = await ok(a.call("GET", "/v1/tutors/tutor_1/balance", { key }));
    expect(balance.balances).toEqual([{ currency: "usd", pending: 10 * 4000, disputed: 0, released: 0 }]);
    expect(await Promise.all([tick(a.deps), tick(b.deps)])).toEqual([NOTHING_DUE, NOTHING_DUE]);
  });
});

describe("a tick next to another process's transaction", () => {
  it("waits for it instead of deadlocking on the file's write lock", async () => {
    const run = await twoProcesses();
    cleanups.push(run.close);
    const { a, b } = run;
    const { key, tenant } = await a.createTenant();
    await completedLessons(a, key, 5);
    run.clock.advance(RELEASE_DELAY);

    let ticking: Promise<DueWorkSummary> | undefined;
    await a.deps.db.transaction(async (tx) => {
      await tx.update(tenants).set({ name: "Acme Tutoring (renamed)" }).where(eq(tenants.id, tenant.id));
      // Process B's tick starts while A's write transaction is open and gets several turns.
      ticking = tick(b.deps);
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    });
    expect(await ticking).toMatchObject({ released: 5, release_failures: 0 });
    await expectLedgerClean(b.deps);
  });
});

describe("a tick that dies mid-release", () => {
  it("leaves a claim the next tick takes over once the lease has run out, and releases once", async () => {
    const run = await twoProcesses();
    cleanups.push(run.close);
    const { a, b, providerB } = run;
    const { key } = await a.createTenant();
    const lessons = await completedLessons(a, key, 3);
    run.clock.advance(RELEASE_DELAY);

    // Process A asks for the due releases, claims them and is killed before it calls the provider.
    await requestDueReleases(a.deps);
    const claims = await claimDueOperations(a.deps, 10);
    expect(claims.map((claim) => claim.escrow.id).sort()).toEqual(lessons.map((lesson) => lesson.escrowId).sort());

    // While the lease lasts, process B leaves them alone, up to the last millisecond of it.
    expect(await tick(b.deps)).toEqual(NOTHING_DUE);
    run.clock.advance(LEASE);
    expect(await tick(b.deps)).toEqual(NOTHING_DUE);
    expect(providerB.transfers).toEqual([]);
    for (const lesson of lessons) {
      expect(await factsOf(b.deps, lesson.escrowId)).toMatchObject({
        status: "release_scheduled",
        transfer_status: "in_flight",
        release_payouts: 0,
        release_legs: 0,
      });
    }

    run.clock.advance(1);
    expect(await tick(b.deps)).toMatchObject({ released: 3, release_failures: 0 });
    for (const lesson of lessons) {
      const calls = providerB.transfers.filter((call) => call.escrowId === lesson.escrowId);
      expect(calls.map((call) => call.idempotencyKey)).toEqual([`transfer:${lesson.escrowId}:1`]);
      expectReleasedOnce(await factsOf(b.deps, lesson.escrowId), calls[0]!.providerId!);
    }
    expect(await tick(a.deps)).toEqual(NOTHING_DUE);
    await expectLedgerClean(b.deps);
  });

  it("repeats the provider call with the same key after the provider moved money but the commit never happened", async () => {
    const run = await twoProcesses();
    cleanups.push(run.close);
    const { a, b, providerA, providerB } = run;
    const { key } = await a.createTenant();
    const [lesson] = await completedLessons(a, key, 1);
    const escrowId = lesson!.escrowId;
    run.clock.advance(RELEASE_DELAY);

    providerA.fault = "crash_after_transfer";
    expect(await tick(a.deps)).toMatchObject({ released: 0, release_failures: 1 });
    const [moved] = providerA.transfers;
    expect(moved).toMatchObject({ escrowId, idempotencyKey: `transfer:${escrowId}:1` });
    expect(moved?.providerId).toMatch(/^tr_sandbox_/);
    // The money may have moved: nothing is recorded, the transfer stays in flight (out of a dispute's
    // reach, never withdrawn), and the next run may only repeat it under the same key.
    expect(await factsOf(a.deps, escrowId)).toMatchObject({
      status: "release_scheduled",
      transfer_status: "in_flight",
      lease_token: null,
      last_error_code: "provider_call_failed",
      released_events: 0,
      release_payouts: 0,
      release_legs: 0,
    });
    expect(await tick(b.deps)).toMatchObject({ released: 1, release_failures: 0 });
    const [retried] = providerB.transfers;
    expect(retried?.idempotencyKey).toBe(`transfer:${escrowId}:1`);
    // Same key, same transfer at the provider: what we record is the transfer that really happened.
    expect(retried?.providerId).toBe(moved?.providerId);
    expectReleasedOnce(await factsOf(a.deps, escrowId), moved!.providerId!);
    expect(providerA.transfers).toHaveLength(1);
    expect(providerB.transfers).toHaveLength(1);
    await expectLedgerClean(a.deps);
  });
});

describe("a tick slower than its lease", () => {
  it("renews its lease while it runs, so another process's tick takes none of its claims over", async () => {
    const lease = 3000; // renewed every second of real time
    const run = await twoProcesses(lease);
    cleanups.push(run.close);
    const { a, b, providerA, providerB } = run;
    const { key } = await a.createTenant();
    const lessons = await completedLessons(a, key, 3);
    run.clock.advance(RELEASE_DELAY);

    const stall = providerA.stallNextTransfer();
    const slow = tick(a.deps);
    await stall.reached;
    run.clock.advance(lease - 1000); // 2 s into the lease
    await new Promise((resolve) => setTimeout(resolve, 1300)); // a renewal runs: 3 s from here
    run.clock.advance(2000); // past the lease as claimed, within the renewed one
    expect(await tick(b.deps)).toMatchObject({ released: 0, release_failures: 0 });
    expect(providerB.transfers).toEqual([]);
    stall.resume();
    expect(await slow).toMatchObject({ released: 3, release_failures: 0 });
    for (const lesson of lessons) {
      const made = providerA.transfers.find((call) => call.escrowId === lesson.escrowId);
      expectReleasedOnce(await factsOf(a.deps, lesson.escrowId), made!.providerId!);
    }
    await expectLedgerClean(a.deps);
  });

  it("frozen (no renewal), is overtaken by the next tick, and its late commit records nothing twice", async () => {
    const run = await twoProcesses();
    cleanups.push(run.close);
    const { a, b, providerA, providerB } = run;
    const { key } = await a.createTenant();
    const [lesson] = await completedLessons(a, key, 1);
    const escrowId = lesson!.escrowId;
    run.clock.advance(RELEASE_DELAY);

    const stall = providerA.stallNextTransfer();
    const slow = tick(a.deps);
    await stall.reached;
    run.clock.advance(LEASE + 1);
    expect(await tick(b.deps)).toMatchObject({ released: 1, release_failures: 0 });
    stall.resume();
    expect(await slow).toMatchObject({ released: 0, release_failures: 0 });

    const [first] = providerA.transfers;
    const [second] = providerB.transfers;
    expect(first?.idempotencyKey).toBe(`transfer:${escrowId}:1`);
    expect(second?.idempotencyKey).toBe(`transfer:${escrowId}:1`);
    expect(second?.providerId).toBe(first?.providerId);
    expectReleasedOnce(await factsOf(a.deps, escrowId), second!.providerId!);
    await expectLedgerClean(a.deps);
  });

  it("does not overwrite a release the next tick finished when its own provider call fails late", async () => {
    const run = await twoProcesses();
    cleanups.push(run.close);
    const { a, b, providerA, providerB } = run;
    const { key } = await a.createTenant();
    const [lesson] = await completedLessons(a, key, 1);
    const escrowId = lesson!.escrowId;
    run.clock.advance(RELEASE_DELAY);

    providerA.fault = "retryable";
    const stall = providerA.stallNextTransfer();
    const slow = tick(a.deps);
    await stall.reached;
    run.clock.advance(LEASE + 1);
    expect(await tick(b.deps)).toMatchObject({ released: 1 });
    stall.resume();
    expect(await slow).toMatchObject({ released: 0, release_failures: 1 });

    expectReleasedOnce(await factsOf(a.deps, escrowId), providerB.transfers[0]!.providerId!);
    await expectLedgerClean(a.deps);
  });

  it("does not free the next tick's claim when its own provider call is refused late", async () => {
    const run = await twoProcesses();
    cleanups.push(run.close);
    const { a, b, providerA, providerB } = run;
    const { key } = await a.createTenant();
    const [lesson] = await completedLessons(a, key, 1);
    const escrowId = lesson!.escrowId;
    run.clock.advance(RELEASE_DELAY);

    providerA.fault = "definitive";
    const stallA = providerA.stallNextTransfer();
    const slow = tick(a.deps);
    await stallA.reached;
    run.clock.advance(LEASE + 1);
    const stallB = providerB.stallNextTransfer();
    const takeover = tick(b.deps);
    await stallB.reached;

    // A's refusal arrives while B is moving the money under its own claim.
    stallA.resume();
    expect(await slow).toMatchObject({ released: 0, release_failures: 1 });
    expect(await factsOf(a.deps, escrowId)).toMatchObject({
      status: "release_scheduled",
      transfer_status: "in_flight",
      lease_token: expect.any(String),
    });
    const dispute = await a.call("POST", `/v1/sessions/${lesson!.id}/dispute`, {
      key: lesson!.student,
      body: { reason: "Lesson quality" },
    });
    expect(dispute.status).toBe(409);
    expect(dispute.body.error.code).toBe("release_in_progress");

    stallB.resume();
    expect(await takeover).toMatchObject({ released: 1, release_failures: 0 });
    expectReleasedOnce(await factsOf(a.deps, escrowId), providerB.transfers[0]!.providerId!);
    await expectLedgerClean(a.deps);
  });
});

describe("running the tick twice", () => {
  let server: TestServer;
  afterEach(() => server.close());

  it("changes nothing the second time", async () => {
    const provider = new RecordingSandbox();
    server = await createTestServer({ providers: { sandbox: provider }, releaseLeaseMs: LEASE });
    const { key } = await server.createTenant();
    const { clock } = server;

    // Due release: attended and ended at 2h30m, released at 26h30m.
    const released = await paidBooking(server, key, {}, 2 * HOUR);
    // Left open: auto-completed at the end (3h) plus grace.
    const leftOpen = await paidBooking(server, key, {}, 2 * HOUR);
    // Nobody comes at 26h: a no-show refunded to the student.
    const nobody = await paidBooking(server, key, {}, 26 * HOUR);
    // Only the tutor comes at 26h: the student's no-show, released to the tutor a day later.
    const tutorOnly = await paidBooking(server, key, {}, 26 * HOUR);
    clock.advance(2 * HOUR);
    for (const lesson of [released, leftOpen]) {
      await ok(server.call("POST", `/v1/sessions/${lesson.id}/start`, { key: lesson.tutor }));
      await ok(server.call("POST", `/v1/sessions/${lesson.id}/join`, { key: lesson.student }));
    }
    clock.advance(30 * MINUTE);
    await ok(server.call("POST", `/v1/sessions/${released.id}/end`, { key: released.tutor }));
    clock.set(Date.UTC(2030, 0, 2, 9, 55, 0)); // 26h - 5m after the bookings were made
    await ok(server.call("POST", `/v1/sessions/${tutorOnly.id}/start`, { key: tutorOnly.tutor }));
    // Unpaid: its payment window closes 30 minutes after booking.
    const unpaid = await ok(
      server.call("POST", "/v1/bookings", {
        key,
        body: {
          external_id: "unpaid",
          student: { id: "student_1" },
          tutor: { id: "tutor_1" },
          scheduled_start: new Date(clock.now() + 2 * HOUR).toISOString(),
          duration_minutes: 60,
          amount: 5000,
          currency: "usd",
          platform_fee: 1000,
        },
      }),
    );
    clock.set(Date.UTC(2030, 0, 2, 11, 0, 0)); // 27h after the bookings were made

    const first = await tick(server.deps);
    expect(first).toMatchObject({
      expired: 1,
      no_shows: 2,
      auto_completed: 1,
      refund_failures: 0,
      released: 1,
      release_failures: 0,
    });
    const status = async (id: string) => (await ok(server.call("GET", `/v1/bookings/${id}`, { key }))) as Json;
    expect(await status(unpaid.id)).toMatchObject({ status: "canceled", escrow: { status: "canceled" } });
    expect(await status(nobody.id)).toMatchObject({ status: "no_show", escrow: { status: "refunded" } });
    expect(await status(tutorOnly.id)).toMatchObject({ status: "no_show", escrow: { status: "release_scheduled" } });
    expect(await status(leftOpen.id)).toMatchObject({ status: "completed", escrow: { status: "release_scheduled" } });
    expect(await status(released.id)).toMatchObject({ status: "completed", escrow: { status: "released" } });
    const callsAfterFirst = provider.calls.length;
    expect(provider.calls.map((call) => call.method).sort()).toEqual(["cancelPayment", "refund", "transfer"]);

    const before = await snapshot(server.deps);
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining(["bookings", "escrows", "ledger_entries", "events", "money_operations"]),
    );
    const second = await tick(server.deps);
    expect(second).toEqual(NOTHING_DUE);
    expect(await snapshot(server.deps)).toEqual(before);
    expect(provider.calls).toHaveLength(callsAfterFirst);
    await expectLedgerClean(server.deps);
    expect(server.errors).toEqual([]);
  });
});

describe("a provider failing a release", () => {
  let server: TestServer;
  let provider: RecordingSandbox;
  afterEach(() => server.close());

  async function dueRelease() {
    provider = new RecordingSandbox();
    server = await createTestServer({ providers: { sandbox: provider }, releaseLeaseMs: LEASE });
    const { key } = await server.createTenant();
    const [lesson] = await completedLessons(server, key, 1);
    server.clock.advance(RELEASE_DELAY);
    return { key, lesson: lesson! };
  }

  it("keeps the transfer in flight on a retryable failure and retries it with the same key on the next tick", async () => {
    const { key, lesson } = await dueRelease();
    provider.fault = "retryable";
    expect(await tick(server.deps)).toMatchObject({ released: 0, release_failures: 1 });
    expect(await factsOf(server.deps, lesson.escrowId)).toMatchObject({
      status: "release_scheduled",
      transfer_status: "in_flight",
      lease_token: null,
      last_error_code: "timeout",
      release_payouts: 0,
      release_legs: 0,
    });
    const escrow = await ok(server.call("GET", `/v1/escrows/${lesson.escrowId}`, { key }));
    expect(escrow.last_error).toEqual({ code: "timeout", message: "The provider timed out" });
    expect(escrow.operations).toMatchObject([
      { kind: "transfer", status: "in_flight", attempts: 1, last_error: { code: "timeout" }, provider_id: null },
    ]);
    // The provider may have moved the money: it stays out of a dispute's reach.
    const dispute = await server.call("POST", `/v1/escrows/${lesson.escrowId}/dispute`, {
      key,
      body: { reason: "Lesson quality" },
    });
    expect(dispute.body.error?.code).toBe("release_in_progress");

    provider.fault = "none";
    expect(await tick(server.deps)).toMatchObject({ released: 1, release_failures: 0 });
    expect(provider.transfers.map((call) => call.idempotencyKey)).toEqual([
      `transfer:${lesson.escrowId}:1`,
      `transfer:${lesson.escrowId}:1`,
    ]);
    expectReleasedOnce(await factsOf(server.deps, lesson.escrowId), provider.transfers[1]!.providerId!);
    await expectLedgerClean(server.deps);
  });

  it("fails the transfer on a definitive refusal, and a later tick asks anew under a new key and releases once", async () => {
    const { key, lesson } = await dueRelease();
    provider.fault = "definitive";
    expect(await tick(server.deps)).toMatchObject({ released: 0, release_failures: 1 });
    // Asked once: the same run does not go round again on a refusal.
    expect(provider.transfers).toHaveLength(1);
    expect(await factsOf(server.deps, lesson.escrowId)).toMatchObject({
      status: "release_scheduled",
      transfer_status: "failed",
      lease_token: null,
      last_error_code: "account_invalid",
      release_payouts: 0,
      release_legs: 0,
    });

    // Each tick tries again, with no lease to wait for.
    expect(await tick(server.deps)).toMatchObject({ released: 0, release_failures: 1 });
    expect(provider.transfers).toHaveLength(2);

    provider.fault = "none";
    expect(await tick(server.deps)).toMatchObject({ released: 1, release_failures: 0 });
    // The provider would only replay a refusal for its key: each new attempt is an operation of its own.
    expect(provider.transfers.map((call) => call.idempotencyKey)).toEqual(
      [1, 2, 3].map((n) => `transfer:${lesson.escrowId}:${n}`),
    );
    expectReleasedOnce(await factsOf(server.deps, lesson.escrowId), provider.transfers[2]!.providerId!);
    expect(await tick(server.deps)).toEqual(NOTHING_DUE);
    expect(provider.transfers).toHaveLength(3);
    const balance = await ok(server.call("GET", "/v1/tutors/tutor_1/balance", { key }));
    expect(balance.balances).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 4000 }]);
    await expectLedgerClean(server.deps);
  });

  it("lets a dispute in after a definitive refusal, and the tick then leaves the escrow alone", async () => {
    const { key, lesson } = await dueRelease();
    provider.fault = "definitive";
    await tick(server.deps);
    const disputed = await server.call("POST", `/v1/sessions/${lesson.id}/dispute`, {
      key: lesson.student,
      body: { reason: "The tutor never showed the material" },
    });
    expect(disputed.status).toBe(200);
    expect(disputed.body.status).toBe("disputed");

    provider.fault = "none";
    expect(await tick(server.deps)).toEqual(NOTHING_DUE);
    expect(provider.transfers).toHaveLength(1);
    const escrow = await ok(server.call("GET", `/v1/escrows/${lesson.escrowId}`, { key }));
    expect(escrow).toMatchObject({ status: "disputed", released_amount: 0, transfer_id: null });
    await expectLedgerClean(server.deps);
  });
});

describe("a dispute during a release", () => {
  let server: TestServer;
  afterEach(() => server.close());

  it("is refused with release_in_progress while a release claim is held, and changes nothing", async () => {
    const provider = new RecordingSandbox();
    server = await createTestServer({ providers: { sandbox: provider }, releaseLeaseMs: LEASE });
    const { key } = await server.createTenant();
    const [held, failing] = await completedLessons(server, key, 2);
    server.clock.advance(RELEASE_DELAY);

    // One transfer held by a run still at work (or dead), one kept in flight after a retryable provider failure.
    await requestDueReleases(server.deps, { escrowId: held!.escrowId });
    const [claim] = await claimDueOperations(server.deps, 1, { escrowId: held!.escrowId });
    expect(claim?.escrow.id).toBe(held!.escrowId);
    provider.fault = "retryable";
    expect(await tick(server.deps)).toMatchObject({ released: 0, release_failures: 1 });
    expect(provider.transfers.map((call) => call.escrowId)).toEqual([failing!.escrowId]);

    const before = await snapshot(server.deps);
    for (const lesson of [held!, failing!]) {
      const byTenant = await server.call("POST", `/v1/escrows/${lesson.escrowId}/dispute`, {
        key,
        body: { reason: "Lesson quality" },
      });
      expect(byTenant.status).toBe(409);
      expect(byTenant.body.error).toMatchObject({ type: "conflict_error", code: "release_in_progress" });
      const byStudent = await server.call("POST", `/v1/sessions/${lesson.id}/dispute`, {
        key: lesson.student,
        body: { reason: "Lesson quality" },
      });
      expect(byStudent.status).toBe(409);
      expect(byStudent.body.error.code).toBe("release_in_progress");
    }
    expect(await snapshot(server.deps)).toEqual(before);

    // Once the lease runs out the release goes through, and then there is nothing left to dispute.
    provider.fault = "none";
    server.clock.advance(LEASE + 1);
    expect(await tick(server.deps)).toMatchObject({ released: 2, release_failures: 0 });
    const late = await server.call("POST", `/v1/escrows/${held!.escrowId}/dispute`, {
      key,
      body: { reason: "Lesson quality" },
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("escrow_not_disputable");
    await expectLedgerClean(server.deps);
    expect(server.errors).toEqual([]);
  });

  it("records the rest of a chunk one by one when one escrow of it cannot be recorded, and fails loudly", async () => {
    const server = await createTestServer();
    cleanups.push(() => server.close());
    const { key } = await server.createTenant();
    const lessons = await completedLessons(server, key, 3);
    server.clock.advance(RELEASE_DELAY);
    await requestDueReleases(server.deps);
    const claims = await claimDueOperations(server.deps, 10);
    expect(claims).toHaveLength(3);
    // The middle one leaves release_scheduled behind the claim's back: the chunk's one transaction fails.
    const [, odd] = lessons;
    await execute(server.deps.db, sql`update escrows set status = 'disputed' where id = ${odd!.escrowId}`);

    await expect(executeClaims(server.deps, claims)).rejects.toThrow(/changed while its transfer/);
    for (const lesson of [lessons[0]!, lessons[2]!]) {
      const facts = await factsOf(server.deps, lesson.escrowId);
      expectReleasedOnce(facts, facts.transfer_id as string);
      expect(facts.transfer_id).toMatch(/\S/);
    }
    expect(await factsOf(server.deps, odd!.escrowId)).toMatchObject({
      status: "disputed",
      released_events: 0,
      release_payouts: 0,
      release_legs: 0,
    });
    await expectLedgerClean(server.deps);
  });
});
