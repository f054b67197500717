import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { StripeClients } from "../src/adapters/stripe/client";
import { StripePayments } from "../src/adapters/stripe/payments";
import { escrows, moneyOperations } from "../src/db/schema";
import { deriveKey } from "../src/lib/crypto";
import type { TransferInput } from "../src/ports/payments";
import { ADMIN_KEY, HOUR, type Json, ledgerInvariant, MINUTE, SECRET } from "./harness";
import { createStripeTestServer, type StripeTestServer, TUTOR_ACCOUNT } from "./stripe-mock";

/**
 * Stripe's own events racing LessonKit's money operations: a dashboard refund while a transfer or a
 * refund of ours is at Stripe, a chargeback while a refund of ours is not yet made, a second refund
 * while a reversal's outcome is unknown. Each ends with every movement made once and the ledger whole.
 */

const secrets = deriveKey(SECRET, "tenant-secrets");

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function stripeServer(options: Parameters<typeof createStripeTestServer>[0] = {}) {
  const s = await createStripeTestServer(options);
  servers.push(s);
  return s;
}

/** A Stripe adapter that runs `during` while a transfer is at Stripe (after Stripe made it, before we record it). */
function interleavingTransfer() {
  const hook: { during: (() => Promise<void>) | null } = { during: null };
  class Interleaving extends StripePayments {
    override async transfer(input: TransferInput) {
      const result = await super.transfer(input);
      const during = hook.during;
      hook.during = null;
      if (during) await during();
      return result;
    }
  }
  return {
    hook,
    provider: (options: ConstructorParameters<typeof StripeClients>[1]) =>
      new Interleaving(new StripeClients(secrets, options)),
  };
}

async function balanceOf(s: StripeTestServer) {
  return (await s.call("GET", "/v1/tutors/tutor_1/balance", { key: s.key })).body.balances[0] as Json;
}

async function operationsOf(s: StripeTestServer, escrowId: string) {
  return s.db.select().from(moneyOperations).where(eq(moneyOperations.escrowId, escrowId)).orderBy(moneyOperations.seq);
}

describe("a Stripe dashboard refund racing the release", () => {
  it("partial: refused while the transfer is in flight, applied after it as a refund after release with a reversal", async () => {
    const { hook, provider } = interleavingTransfer();
    const s = await stripeServer({ stripeProvider: provider });
    const lesson = await s.paidBooking();
    await s.runSession(lesson.id);
    s.clock.advance(24 * HOUR);
    const refunded = s.fake.event("charge.refunded", s.fake.dashboardRefund(lesson.chargeId, 1500));
    let during: { status: number; body: Json } | undefined;
    hook.during = async () => {
      during = await s.deliver(refunded);
    };
    expect((await s.tick()).released).toBe(1);
    // Applied in the middle of the release, the refund would come out of money already paid to the tutor.
    expect(during?.status).toBe(409);
    expect(during?.body.error.code).toBe("release_in_progress");

    // Stripe redelivers: now it is a refund after release, and the tutor's transfer is reversed by that much.
    expect((await s.deliver(refunded)).body.outcome).toBe("applied");
    expect(await s.escrow(lesson.escrowId)).toMatchObject({
      status: "released",
      refunded_amount: 1500,
      released_amount: 3500,
      held_amount: 0,
    });
    const [transfer] = s.fake.transfersTo(TUTOR_ACCOUNT);
    expect(transfer).toMatchObject({ amount: 4000, amount_reversed: 1500 });
    expect(await balanceOf(s)).toMatchObject({ pending: 0, disputed: 0, released: 2500 });
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });

  it("full: the transfer is recorded, then the whole refund is taken back from the tutor", async () => {
    const { hook, provider } = interleavingTransfer();
    const s = await stripeServer({ stripeProvider: provider });
    const lesson = await s.paidBooking();
    await s.runSession(lesson.id);
    s.clock.advance(24 * HOUR);
    const refunded = s.fake.event("charge.refunded", s.fake.dashboardRefund(lesson.chargeId, 5000));
    let during: { status: number; body: Json } | undefined;
    hook.during = async () => {
      during = await s.deliver(refunded);
    };
    // The tick records the transfer Stripe made (it must not fail with the money moved and unrecorded).
    const ticked = await s.call("POST", "/v1/admin/tick", { key: ADMIN_KEY });
    expect(during?.status).toBe(409);
    expect(ticked.body).toMatchObject({ released: 1, release_failures: 0 });
    expect((await s.deliver(refunded)).body.outcome).toBe("applied");
    expect(await s.escrow(lesson.escrowId)).toMatchObject({
      status: "refunded",
      refunded_amount: 5000,
      released_amount: 0,
    });
    expect(s.fake.transfersTo(TUTOR_ACCOUNT)[0]).toMatchObject({ amount: 4000, amount_reversed: 4000 });
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});

describe("transfer reversals", () => {
  it("a second refund after release while the first reversal's outcome is unknown never reverses twice", async () => {
    const s = await stripeServer();
    const lesson = await s.paidBooking();
    await s.runSession(lesson.id);
    s.clock.advance(24 * HOUR);
    expect((await s.tick()).released).toBe(1);
    const [transfer] = s.fake.transfersTo(TUTOR_ACCOUNT);

    // Stripe makes the first reversal, but its answer is lost and every retry meets a 500.
    s.fake.inject(/\/reversals$/, { lostResponse: true });
    s.fake.inject(/\/reversals$/, { status: 500 }, 8);
    await s.deliver(s.fake.event("charge.refunded", s.fake.dashboardRefund(lesson.chargeId, 1000)));
    expect(transfer?.amount_reversed).toBe(1000);
    const unknown = await s.escrow(lesson.escrowId);
    expect(unknown.last_error).toMatchObject({ code: "api_error" });
    expect(unknown.operations[1]).toMatchObject({ kind: "transfer_reversal", status: "in_flight", amount: 1000 });

    // A second dashboard refund comes in before the first reversal was recorded.
    await s.deliver(s.fake.event("charge.refunded", s.fake.dashboardRefund(lesson.chargeId, 1000)));
    await s.tick();
    await s.tick();

    expect(transfer?.amount_reversed).toBe(2000);
    expect(await s.escrow(lesson.escrowId)).toMatchObject({ refunded_amount: 2000, released_amount: 3000 });
    const [row] = await s.db.select().from(escrows).where(eq(escrows.id, lesson.escrowId));
    expect(row).toMatchObject({ reversedAmount: 2000 });
    // Two reversals, each with its own key; the first one repeated under its key, never made twice.
    const reversals = (await operationsOf(s, lesson.escrowId)).filter((op) => op.kind === "transfer_reversal");
    expect(reversals.map((op) => [op.status, op.amount, op.idempotencyKey])).toEqual([
      ["succeeded", 1000, `transfer_reversal:${lesson.escrowId}:1`],
      ["succeeded", 1000, `transfer_reversal:${lesson.escrowId}:2`],
    ]);
    expect(transfer?.reversals.data).toHaveLength(2);
    expect(await balanceOf(s)).toMatchObject({ released: 2000 });
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});

describe("a chargeback lost while the tenant's own dispute holds the escrow", () => {
  it("records the money the card network took back, instead of leaving it held for a release", async () => {
    const s = await stripeServer();
    const lesson = await s.paidBooking();
    await s.runSession(lesson.id);
    const opened = await s.call("POST", `/v1/escrows/${lesson.escrowId}/dispute`, {
      key: s.key,
      body: { reason: "tutor left early" },
    });
    expect(opened.status).toBe(200);
    await s.deliver(s.fake.event("charge.dispute.created", s.fake.dispute(lesson.chargeId)));
    expect((await s.escrow(lesson.escrowId)).status).toBe("disputed");

    // The bank gave the student the whole payment back.
    await s.deliver(s.fake.event("charge.dispute.closed", s.fake.dispute(lesson.chargeId, "lost")));
    expect(await s.escrow(lesson.escrowId)).toMatchObject({
      status: "refunded",
      refunded_amount: 5000,
      held_amount: 0,
    });
    // Nothing is left for the tenant to release to the tutor.
    const resolved = await s.call("POST", `/v1/escrows/${lesson.escrowId}/resolve`, {
      key: s.key,
      body: { outcome: "release" },
    });
    expect(resolved.status).toBe(409);
    s.clock.advance(48 * HOUR);
    await s.tick();
    expect(s.fake.transfers.size).toBe(0);
    expect(await balanceOf(s)).toMatchObject({ pending: 0, disputed: 0, released: 0 });
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});

describe("a chargeback lost while a refund of ours is still pending", () => {
  it("the refund is not made a second time on top of the chargeback, and the tick keeps working", async () => {
    const s = await stripeServer();
    const lesson = await s.paidBooking();
    // The platform cancels: a full refund is due, but Stripe is down, so it stays pending.
    s.fake.inject(/^POST \/v1\/refunds$/, { status: 500 }, 9);
    const canceled = await s.call("POST", `/v1/bookings/${lesson.id}/cancel`, { key: s.key, body: { by: "platform" } });
    expect(canceled.status).toBe(200);
    expect((await operationsOf(s, lesson.escrowId)).map((op) => [op.kind, op.status, op.amount])).toEqual([
      ["refund", "in_flight", 5000],
    ]);

    // Meanwhile the student charged the payment back, and won.
    await s.deliver(s.fake.event("charge.dispute.created", s.fake.dispute(lesson.chargeId)));
    await s.deliver(s.fake.event("charge.dispute.closed", s.fake.dispute(lesson.chargeId, "lost")));
    expect(await s.escrow(lesson.escrowId)).toMatchObject({ status: "refunded", refunded_amount: 5000 });

    const ticked = await s.call("POST", "/v1/admin/tick", { key: ADMIN_KEY });
    expect(ticked.status, JSON.stringify(s.errors.map(String))).toBe(200);
    expect(s.fake.charges.get(lesson.chargeId)?.amount_refunded).toBe(0);
    // Stripe refused our refund while the charge was disputed, and once the chargeback was lost what
    // was still owed of it was withdrawn: the card network returned that money, so it is never made.
    expect((await operationsOf(s, lesson.escrowId)).map((op) => [op.kind, op.status, op.errorCode])).toEqual([
      ["refund", "failed", "charge_disputed"],
      ["refund", "canceled", "canceled"],
    ]);
    expect(s.fake.requests.filter((r) => r.path === "/v1/refunds" && r.status === 200)).toHaveLength(0);
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});

describe("a dashboard refund while a refund of ours is pending", () => {
  async function pendingFullRefund() {
    const s = await stripeServer();
    const lesson = await s.paidBooking({}, 48 * HOUR);
    // Stripe's refunds are failing: the early cancellation's full refund stays pending with its key.
    s.fake.inject(/^POST \/v1\/refunds$/, { status: 500 }, 100);
    const canceled = await s.call("POST", `/v1/bookings/${lesson.id}/cancel`, { key: s.key, body: { by: "student" } });
    expect(canceled.status).toBe(200);
    expect((await operationsOf(s, lesson.escrowId)).map((op) => [op.kind, op.status, op.amount])).toEqual([
      ["refund", "in_flight", 5000],
    ]);
    return { s, lesson };
  }

  it("waits for ours (409), then counts what the dashboard refunded toward it and refunds only the rest", async () => {
    const { s, lesson } = await pendingFullRefund();
    const charge = s.fake.dashboardRefund(lesson.chargeId, 1500);
    const refunded = s.fake.event("charge.refunded", charge);
    // 1500 more refunded at Stripe: ours or someone else's? Not decidable while ours is pending.
    const early = await s.deliver(refunded);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("refund_in_progress");

    s.fake.clearFaults();
    s.clock.advance(10 * MINUTE);
    // Ours (5000) no longer fits the charge: the 1500 refunded elsewhere counts toward it...
    await s.tick();
    const [afterFirst] = await s.db.select().from(escrows).where(eq(escrows.id, lesson.escrowId));
    expect(afterFirst).toMatchObject({ refundedAmount: 1500, lastErrorCode: "amount_too_large" });
    const [refused, rest] = await operationsOf(s, lesson.escrowId);
    expect(refused).toMatchObject({ status: "failed", amount: 5000, errorCode: "amount_too_large" });
    expect(refused?.errorMessage).toContain("1500 of it had been refunded at the provider already");
    expect(rest).toMatchObject({ status: "pending", amount: 3500, idempotencyKey: `refund:${lesson.escrowId}:2` });
    // ...and the remaining 3500 is refunded under a new key on the next run.
    s.clock.advance(10 * MINUTE);
    await s.tick();
    expect(await s.escrow(lesson.escrowId)).toMatchObject({ refunded_amount: 5000, held_amount: 0 });
    expect(s.fake.charges.get(lesson.chargeId)).toMatchObject({ amount_refunded: 5000, refunded: true });

    // Stripe's redelivery now finds nothing it does not know of.
    expect((await s.deliver(refunded)).status).toBe(200);
    expect(await s.escrow(lesson.escrowId)).toMatchObject({ refunded_amount: 5000 });
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });

  it("a full dashboard refund settles ours without another call", async () => {
    const { s, lesson } = await pendingFullRefund();
    s.fake.dashboardRefund(lesson.chargeId, 5000);
    s.fake.clearFaults();
    s.clock.advance(10 * MINUTE);
    await s.tick();
    expect(await s.escrow(lesson.escrowId)).toMatchObject({ refunded_amount: 5000, held_amount: 0 });
    const [row] = await s.db.select().from(escrows).where(eq(escrows.id, lesson.escrowId));
    expect(row).toMatchObject({ lastErrorCode: null });
    expect((await operationsOf(s, lesson.escrowId)).map((op) => [op.status, op.errorCode])).toEqual([
      ["canceled", "charge_already_refunded"],
    ]);
    const succeeded = s.fake.requests.filter(
      (r) => r.method === "POST" && r.path === "/v1/refunds" && r.status === 200,
    );
    expect(succeeded).toHaveLength(0);
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});
