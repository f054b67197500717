import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { events, moneyOperations } from "../src/db/schema";
import { HOUR, type Json, ledgerInvariant, MINUTE } from "./harness";
import {
  CONNECT_WEBHOOK_SECRET,
  crashAfterTransfer,
  createStripeTestServer,
  type StripeTestServer,
  TUTOR_ACCOUNT,
} from "./stripe-mock";

const servers: StripeTestServer[] = [];
async function stripeServer(options: Parameters<typeof createStripeTestServer>[0] = {}) {
  const s = await createStripeTestServer(options);
  servers.push(s);
  return s;
}
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function eventsOf(s: StripeTestServer, bookingId: string, type: string) {
  const rows = await s.db.select().from(events).where(eq(events.bookingId, bookingId));
  return rows.filter((row) => row.type === type).map((row) => row.data as Json);
}

async function balance(s: StripeTestServer) {
  return (await s.call("GET", "/v1/tutors/tutor_1/balance", { key: s.key })).body.balances[0];
}

/** A paid lesson whose session ran and whose release is now due. */
async function dueLesson(s: StripeTestServer) {
  const lesson = await s.paidBooking();
  await s.runSession(lesson.id);
  s.clock.advance(24 * HOUR);
  return lesson;
}

async function releasedLesson(s: StripeTestServer) {
  const lesson = await dueLesson(s);
  expect((await s.tick()).released).toBe(1);
  const transfer = [...s.fake.transfers.values()][0] as Json;
  return { ...lesson, transferId: transfer.id as string };
}

describe("disputes (chargebacks)", () => {
  it("before release: the release is frozen; won, it resumes and pays the tutor once", async () => {
    const s = await stripeServer();
    const { id, escrowId, chargeId } = await s.paidBooking();
    await s.runSession(id);
    expect((await s.deliver(s.fake.event("charge.dispute.created", s.fake.dispute(chargeId)))).status).toBe(200);
    expect(await s.escrow(escrowId)).toMatchObject({
      status: "disputed",
      dispute: { source: "provider", reason: "fraudulent" },
    });
    expect(await balance(s)).toMatchObject({ pending: 0, disputed: 4000, released: 0 });

    s.clock.advance(48 * HOUR);
    expect((await s.tick()).released).toBe(0);
    expect(s.fake.transfers.size).toBe(0);

    await s.deliver(s.fake.event("charge.dispute.closed", s.fake.dispute(chargeId, "won")));
    expect(await s.escrow(escrowId)).toMatchObject({ status: "release_scheduled" });
    expect((await s.tick()).released).toBe(1);
    expect((await s.tick()).released).toBe(0);
    expect(s.fake.transfersTo(TUTOR_ACCOUNT)).toHaveLength(1);
    expect(s.fake.transfersTo(TUTOR_ACCOUNT)[0]).toMatchObject({ amount: 4000, source_transaction: chargeId });
    expect(await balance(s)).toMatchObject({ pending: 0, disputed: 0, released: 4000 });
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });

  it("after release: lost, the student's money is recorded as refunded and the tutor's transfer reversed", async () => {
    const s = await stripeServer();
    const { id, escrowId, chargeId, transferId } = await releasedLesson(s);
    await s.deliver(s.fake.event("charge.dispute.created", s.fake.dispute(chargeId)));
    expect(await s.escrow(escrowId)).toMatchObject({
      status: "released",
      dispute: { source: "provider", reason: "fraudulent", opened_by: "student" },
    });
    expect(await eventsOf(s, id, "escrow.disputed")).toHaveLength(1);

    const lost = s.fake.event("charge.dispute.closed", s.fake.dispute(chargeId, "lost"));
    await s.deliver(lost);
    await s.deliver(lost);
    expect(await s.escrow(escrowId)).toMatchObject({ status: "refunded", refunded_amount: 5000, released_amount: 0 });
    const transfer = s.fake.transfers.get(transferId) as Json;
    expect(transfer.amount_reversed).toBe(4000);
    const reversal = s.fake.requests.filter((r) => r.path === `/v1/transfers/${transferId}/reversals`);
    expect(reversal).toHaveLength(1);
    expect(reversal[0]?.idempotencyKey).toBe(`transfer_reversal:${escrowId}:1`);
    expect(await balance(s)).toMatchObject({ pending: 0, disputed: 0, released: 0 });

    // Stripe's transfer.reversed for our own reversal changes nothing.
    const reversed = await s.deliver(s.fake.event("transfer.reversed", transfer));
    expect(reversed.body.outcome).toBe("ignored:known");
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});

describe("refunds after release", () => {
  it("a partial dashboard refund reverses that much of the tutor's transfer, once", async () => {
    const s = await stripeServer();
    const { id, escrowId, chargeId, transferId } = await releasedLesson(s);
    const refunded = s.fake.event("charge.refunded", s.fake.dashboardRefund(chargeId, 1500));
    expect((await s.deliver(refunded)).body.outcome).toBe("applied");
    expect((await s.deliver(refunded)).body.outcome).toBe("duplicate");
    expect(await s.escrow(escrowId)).toMatchObject({
      status: "released",
      refunded_amount: 1500,
      released_amount: 3500,
      held_amount: 0,
    });
    const transfer = s.fake.transfers.get(transferId) as Json;
    expect(transfer.amount_reversed).toBe(1500);
    expect(transfer.reversals.data).toHaveLength(1);
    expect(await balance(s)).toMatchObject({ released: 2500 });
    const [refundEvent] = await eventsOf(s, id, "escrow.refunded");
    expect(refundEvent?.refund).toMatchObject({ amount: 1500, after_release: true, transfer_reversal_amount: 1500 });
    const [row] = await s.db.select().from(moneyOperations).where(eq(moneyOperations.kind, "transfer_reversal"));
    expect(row).toMatchObject({
      escrowId,
      amount: 1500,
      status: "succeeded",
      providerId: transfer.reversals.data[0].id,
      idempotencyKey: `transfer_reversal:${escrowId}:1`,
    });

    // Someone reverses 500 more in the dashboard: that money is the platform's now.
    const ours = s.fake.event("transfer.reversed", transfer);
    transfer.amount_reversed += 500;
    const theirs = s.fake.event("transfer.reversed", transfer);
    expect((await s.deliver(theirs)).body.outcome).toBe("applied");
    expect((await s.deliver(theirs)).body.outcome).toBe("duplicate");
    expect((await s.deliver(ours)).body.outcome).toBe("ignored:known");
    expect(await balance(s)).toMatchObject({ released: 2000 });
    expect(await eventsOf(s, id, "escrow.transfer_reversed")).toHaveLength(1);
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });

  it("a reversal Stripe refuses leaves the reason on the escrow and an event; the ledger says the tutor kept it", async () => {
    const s = await stripeServer();
    const { id, escrowId, chargeId } = await releasedLesson(s);
    s.fake.refuseReversalsFor(TUTOR_ACCOUNT);
    await s.deliver(s.fake.event("charge.refunded", s.fake.dashboardRefund(chargeId, 2000)));
    const escrow = await s.escrow(escrowId);
    expect(escrow).toMatchObject({ status: "released", refunded_amount: 2000, released_amount: 3000 });
    expect(escrow.last_error).toMatchObject({ code: "balance_insufficient" });
    expect(escrow.operations).toMatchObject([
      { kind: "transfer", status: "succeeded" },
      { kind: "transfer_reversal", status: "failed", amount: 2000, last_error: { code: "balance_insufficient" } },
    ]);
    const [failed] = await eventsOf(s, id, "escrow.reversal_failed");
    expect(failed?.reversal).toMatchObject({ amount: 2000, code: "balance_insufficient" });
    expect(failed?.operation).toMatchObject({ kind: "transfer_reversal", status: "failed" });
    expect(await balance(s)).toMatchObject({ released: 4000 });
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
    // Nothing is left pending for the tick to try again.
    await s.tick();
    expect(s.fake.requests.filter((r) => r.path.endsWith("/reversals"))).toHaveLength(1);
  });
});

describe("a reversal during a Stripe outage", () => {
  it("stays pending with its key and the tick finishes it", async () => {
    const s = await stripeServer();
    const { escrowId, chargeId, transferId } = await releasedLesson(s);
    s.fake.inject(/\/reversals$/, { status: 500 }, 9);
    await s.deliver(s.fake.event("charge.refunded", s.fake.dashboardRefund(chargeId, 1000)));
    const pending = await s.escrow(escrowId);
    expect(pending).toMatchObject({ refunded_amount: 1000, released_amount: 4000 });
    expect(pending.last_error).toMatchObject({ code: "api_error" });
    expect(pending.operations[1]).toMatchObject({ kind: "transfer_reversal", status: "in_flight", amount: 1000 });
    expect((s.fake.transfers.get(transferId) as Json).amount_reversed).toBe(0);

    await s.tick();
    expect((s.fake.transfers.get(transferId) as Json).amount_reversed).toBe(1000);
    expect(await s.escrow(escrowId)).toMatchObject({ last_error: null });
    const calls = s.fake.requests.filter((r) => r.path.endsWith("/reversals"));
    expect(new Set(calls.map((r) => r.idempotencyKey))).toEqual(new Set([`transfer_reversal:${escrowId}:1`]));
    await s.tick();
    expect(s.fake.requests.filter((r) => r.path.endsWith("/reversals"))).toHaveLength(calls.length);
    expect(await balance(s)).toMatchObject({ released: 3000 });
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});

describe("releases in the tick", () => {
  it("does not release to an account without payouts, reports it once, and releases once payouts are enabled", async () => {
    const s = await stripeServer();
    s.fake.setPayoutsEnabled(TUTOR_ACCOUNT, false);
    const { id, escrowId } = await dueLesson(s);
    const first = await s.tick();
    expect(first).toMatchObject({ released: 0, release_failures: 1 });
    const blocked = await s.escrow(escrowId);
    expect(blocked.status).toBe("release_scheduled");
    expect(blocked.last_error).toMatchObject({ code: "payouts_not_enabled" });
    expect(blocked.operations).toMatchObject([{ kind: "transfer", status: "pending", attempts: 1 }]);
    s.clock.advance(HOUR);
    await s.tick();
    expect(await eventsOf(s, id, "escrow.release_blocked")).toHaveLength(1);
    expect(s.fake.transfers.size).toBe(0);

    const enabled = s.fake.event("account.updated", s.fake.setPayoutsEnabled(TUTOR_ACCOUNT, true), {
      account: TUTOR_ACCOUNT,
    });
    expect((await s.deliver(enabled, { secret: CONNECT_WEBHOOK_SECRET })).status).toBe(200);
    expect((await s.tick()).released).toBe(1);
    expect(s.fake.transfers.size).toBe(1);
    expect(await s.escrow(escrowId)).toMatchObject({ status: "released", last_error: null });
    // Stripe was asked about the account once; after that the webhook kept us informed.
    expect(s.fake.requests.filter((r) => r.path === `/v1/accounts/${TUTOR_ACCOUNT}`)).toHaveLength(1);
  });

  it("records Stripe's code on the escrow when it refuses the transfer, and frees it", async () => {
    const s = await stripeServer();
    const booked = await s.book();
    const { intent } = s.fake.succeed(booked.intentId);
    await s.deliver(s.fake.event("payment_intent.succeeded", { ...intent, latest_charge: "ch_unknown" }));
    await s.runSession(booked.id);
    s.clock.advance(24 * HOUR);
    expect(await s.tick()).toMatchObject({ released: 0, release_failures: 1 });
    const escrow = await s.escrow(booked.escrowId);
    expect(escrow.status).toBe("release_scheduled");
    expect(escrow.last_error).toEqual({ code: "resource_missing", message: "Stripe: No such charge: 'ch_unknown'" });
    expect(escrow.operations).toMatchObject([{ kind: "transfer", status: "failed" }]);
    // A definitive refusal moved no money: a dispute can still come in.
    const dispute = await s.call("POST", `/v1/escrows/${booked.escrowId}/dispute`, {
      key: s.key,
      body: { reason: "wrong charge" },
    });
    expect(dispute.status).toBe(200);
  });

  it("pays each of 200 escrows exactly once through 429 and 500 bursts and lost responses", async () => {
    const s = await stripeServer();
    const lessons = [];
    for (let i = 0; i < 200; i++) {
      const lesson = await s.paidBooking({ external_id: `bulk_${i}` });
      // A late student cancellation (0 % back by default) releases everything to the tutor now.
      const canceled = await s.call("POST", `/v1/bookings/${lesson.id}/cancel`, {
        key: s.key,
        body: { by: "student" },
      });
      expect(canceled.body.escrow.status).toBe("release_scheduled");
      lessons.push(lesson);
    }
    const transfers = /^POST \/v1\/transfers$/;
    for (let round = 0; round < 15; round++) {
      s.fake.inject(transfers, { status: 429 }, 3);
      s.fake.inject(transfers, { pass: true }, 4);
      s.fake.inject(transfers, { status: 500 }, 2);
      s.fake.inject(transfers, { lostResponse: true });
      s.fake.inject(transfers, { pass: true }, 3);
    }
    const summary = await s.tick();
    expect(s.fake.pendingFaults()).toBe(0);
    expect(summary).toMatchObject({ released: 200, release_failures: 0 });

    expect(s.fake.transfers.size).toBe(200);
    const paidEscrows = [...s.fake.transfers.values()].map((t) => t.metadata.lessonkit_escrow_id);
    expect(new Set(paidEscrows)).toEqual(new Set(lessons.map((l) => l.escrowId)));
    for (const transfer of s.fake.transfers.values()) expect(transfer.amount).toBe(4000);
    const calls = s.fake.requests.filter((r) => transfers.test(`${r.method} ${r.path}`));
    expect(calls.filter((r) => r.status === 429)).toHaveLength(45);
    expect(calls.filter((r) => r.status === 500)).toHaveLength(30);
    // Calls run concurrently, so a lost response may fall on a retry that Stripe replays anyway: every
    // lost transfer was asked for again and replayed (never made twice), however the faults fell.
    const replayed = calls.filter((r) => r.replayed);
    expect(replayed.length).toBeGreaterThan(0);
    expect(replayed.length).toBeLessThanOrEqual(15);
    const rows = await s.db.select().from(moneyOperations).where(eq(moneyOperations.kind, "transfer"));
    expect(rows).toHaveLength(200);
    expect(rows.every((row) => row.status === "succeeded")).toBe(true);
    expect((await s.tick()).released).toBe(0);
    expect(s.fake.transfers.size).toBe(200);
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  }, 60_000);

  it("stripe-node's own retries (maxNetworkRetries) ride out a 500 with the same idempotency key", async () => {
    const s = await stripeServer({
      stripe: { maxNetworkRetries: 2, retry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1 } },
    });
    const { escrowId } = await dueLesson(s);
    s.fake.inject(/^POST \/v1\/transfers$/, { status: 500 });
    expect((await s.tick()).released).toBe(1);
    const calls = s.fake.requests.filter((r) => r.path === "/v1/transfers");
    expect(calls.map((r) => [r.status, r.idempotencyKey])).toEqual([
      [500, `transfer:${escrowId}:1`],
      [200, `transfer:${escrowId}:1`],
    ]);
    expect(s.fake.transfers.size).toBe(1);
  });

  it("a crash between Stripe's transfer and our commit: the next tick finds Stripe's transfer, never makes a second one", async () => {
    const s = await stripeServer({
      stripeProvider: crashAfterTransfer("process killed after the transfer response"),
    });
    const { escrowId, chargeId } = await dueLesson(s);
    expect(await s.tick()).toMatchObject({ released: 0, release_failures: 1 });
    expect(s.fake.transfers.size).toBe(1);
    const stuck = await s.escrow(escrowId);
    expect(stuck).toMatchObject({
      status: "release_scheduled",
      last_error: { code: "provider_call_failed", message: "process killed after the transfer response" },
      operations: [{ kind: "transfer", status: "in_flight", attempts: 1 }],
    });

    // The transfer stays in flight (the money may have moved): a dispute is refused.
    const dispute = await s.call("POST", `/v1/escrows/${escrowId}/dispute`, { key: s.key, body: { reason: "late" } });
    expect(dispute.body.error.code).toBe("release_in_progress");
    // So is a chargeback notice: not stored, so Stripe's redelivery is applied once the release is done.
    const chargeback = s.fake.event("charge.dispute.created", s.fake.dispute(chargeId));
    const early = await s.deliver(chargeback);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("release_in_progress");
    s.clock.advance(6 * MINUTE);
    expect((await s.tick()).released).toBe(1);
    expect((await s.deliver(chargeback)).body.outcome).toBe("applied");
    expect(await s.escrow(escrowId)).toMatchObject({
      status: "released",
      dispute: { source: "provider", reason: "fraudulent", opened_by: "student" },
    });

    // The retry knows an earlier attempt may have reached Stripe: it looks the transfer up in the
    // booking's transfer group (by escrow id) instead of trusting the idempotency key alone.
    const calls = s.fake.requests.filter((r) => r.path === "/v1/transfers");
    expect(calls.map((r) => [r.method, r.idempotencyKey])).toEqual([
      ["POST", `transfer:${escrowId}:1`],
      ["GET", null],
    ]);
    expect(s.fake.transfers.size).toBe(1);
    const [transfer] = [...s.fake.transfers.values()];
    expect(await s.escrow(escrowId)).toMatchObject({ status: "released", transfer_id: transfer?.id });

    // Days later Stripe has forgotten the key; the operation and the escrow's state still hold.
    s.fake.forgetIdempotencyKeys();
    s.clock.advance(72 * HOUR);
    await s.tick();
    expect(s.fake.requests.filter((r) => r.path === "/v1/transfers")).toHaveLength(2);
    expect(await s.db.select().from(moneyOperations).where(eq(moneyOperations.escrowId, escrowId))).toHaveLength(1);
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});
