import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { StripeClients } from "../src/adapters/stripe/client";
import { toProviderError } from "../src/adapters/stripe/errors";
import { StripePayments } from "../src/adapters/stripe/payments";
import { escrows, payouts } from "../src/db/schema";
import { claimPendingRefund } from "../src/domain/escrow/claims";
import { claimDueReleases } from "../src/domain/escrow/release";
import { deriveKey } from "../src/lib/crypto";
import { PaymentProviderError, type RefundInput, type TransferInput } from "../src/ports/payments";
import {
  ADMIN_KEY,
  createTestServer,
  HOUR,
  type Json,
  ledgerInvariant,
  MINUTE,
  paidBooking,
  SECRET,
  type TestServer,
} from "./harness";
import { crashAfterTransfer, createStripeTestServer, type StripeTestServer, TUTOR_ACCOUNT } from "./stripe-mock";

/**
 * Money-safety review of the Stripe Connect escrow: races between webhooks and the tick, provider
 * calls whose answer never reached our database, and leases that ran out.
 */

const LEASE = 5 * MINUTE;
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
    expect((await s.escrow(lesson.escrowId)).last_error).toMatch(/^transfer_reversal_pending/);

    // A second dashboard refund comes in before the first reversal was recorded.
    await s.deliver(s.fake.event("charge.refunded", s.fake.dashboardRefund(lesson.chargeId, 1000)));
    await s.tick();
    await s.tick();

    expect(transfer?.amount_reversed).toBe(2000);
    expect(await s.escrow(lesson.escrowId)).toMatchObject({ refunded_amount: 2000, released_amount: 3000 });
    const [row] = await s.db.select().from(escrows).where(eq(escrows.id, lesson.escrowId));
    expect(row).toMatchObject({ reversedAmount: 2000, pendingReversalAmount: null, pendingReversalKey: null });
    const reversals = await s.db.select().from(payouts).where(eq(payouts.kind, "reversal"));
    expect(reversals.reduce((sum, r) => sum + r.amount, 0)).toBe(2000);
    expect(await balanceOf(s)).toMatchObject({ released: 2000 });
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});

describe("refund claims", () => {
  it("a refund run whose lease ran out does not free the claim another run holds now", async () => {
    let otherToken: string | null = null;
    let s: StripeTestServer | undefined;
    class SlowThenFailing extends StripePayments {
      override async refund(input: RefundInput): Promise<{ refundId: string }> {
        if (s && otherToken === null) {
          // This call outlives its lease; another run claims the refund meanwhile, then this one fails.
          s.clock.advance(LEASE + MINUTE);
          const other = await claimPendingRefund(s.deps.db, input.escrowId, s.clock.now(), LEASE);
          otherToken = other?.claimToken ?? "none";
          throw new PaymentProviderError("Stripe request failed: timeout", "stripe_request_failed", true);
        }
        return super.refund(input);
      }
    }
    s = await stripeServer({
      releaseLeaseMs: LEASE,
      stripeProvider: (options) => new SlowThenFailing(new StripeClients(secrets, options)),
    });
    const lesson = await s.paidBooking();
    const canceled = await s.call("POST", `/v1/bookings/${lesson.id}/cancel`, { key: s.key, body: { by: "platform" } });
    expect(canceled.status).toBe(200);
    expect(otherToken).toMatch(/./);
    expect(otherToken).not.toBe("none");
    const [row] = await s.db.select().from(escrows).where(eq(escrows.id, lesson.escrowId));
    expect(row).toMatchObject({ claimToken: otherToken, claimKind: "refund", pendingRefundAmount: 5000 });
  });
});

describe("the tick's summary", () => {
  it("counts the refunds it makes while settling no-shows", async () => {
    const server: TestServer = await createTestServer();
    servers.push(server);
    const { key } = await server.createTenant();
    const lesson = await paidBooking(server, key);
    server.clock.advance(2 * HOUR + 16 * MINUTE); // nobody came: refunded by policy
    const summary = await server.call("POST", "/v1/admin/tick", { key: ADMIN_KEY });
    expect(summary.body).toMatchObject({ no_shows: 1, refunds: 1, refund_failures: 0 });
    const escrow = await server.call("GET", `/v1/escrows/${lesson.escrowId}`, { key });
    expect(escrow.body).toMatchObject({ status: "refunded", refunded_amount: 5000 });
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
    const [pending] = await s.db.select().from(escrows).where(eq(escrows.id, lesson.escrowId));
    expect(pending?.pendingRefundAmount).toBe(5000);

    // Meanwhile the student charged the payment back, and won.
    await s.deliver(s.fake.event("charge.dispute.created", s.fake.dispute(lesson.chargeId)));
    await s.deliver(s.fake.event("charge.dispute.closed", s.fake.dispute(lesson.chargeId, "lost")));
    expect(await s.escrow(lesson.escrowId)).toMatchObject({ status: "refunded", refunded_amount: 5000 });

    const ticked = await s.call("POST", "/v1/admin/tick", { key: ADMIN_KEY });
    expect(ticked.status, JSON.stringify(s.errors.map(String))).toBe(200);
    expect(s.fake.charges.get(lesson.chargeId)?.amount_refunded).toBe(0);
    const [after] = await s.db.select().from(escrows).where(eq(escrows.id, lesson.escrowId));
    expect(after).toMatchObject({ pendingRefundAmount: null, pendingRefundKey: null });
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});

describe("Stripe errors that must never free a claim", () => {
  it("treats a request still in flight with the same key (409) as retryable, a reused key (400) as a refusal", () => {
    const inFlight = toProviderError(
      new Stripe.errors.StripeIdempotencyError({
        type: "idempotency_error",
        statusCode: 409,
        message: "There is currently another in-progress request using this Stripe-Idempotency-Key",
      }),
    );
    expect(inFlight.retryable).toBe(true);
    const reused = toProviderError(
      new Stripe.errors.StripeIdempotencyError({
        type: "idempotency_error",
        statusCode: 400,
        message: "Keys for idempotent requests can only be used with the same parameters they were first used with",
      }),
    );
    expect(reused.retryable).toBe(false);
    expect(reused.code).toBe("idempotency_error");
  });
});

describe("a release retried after Stripe has forgotten its idempotency key", () => {
  it("a process that died holding the claim after Stripe made the transfer: a tick a day later adopts that transfer", async () => {
    const s = await stripeServer();
    const lesson = await s.paidBooking();
    await s.runSession(lesson.id);
    s.clock.advance(24 * HOUR);
    // The dying process: it claims the release and Stripe makes the transfer, then nothing more.
    const [claim] = await claimDueReleases(s.deps, { limit: 10 });
    expect(claim?.retry).toBe(false);
    await s.deps.payments.forTenant(claim!.tenant).transfer({
      tenant: claim!.tenant,
      escrowId: claim!.escrow.id,
      bookingId: claim!.escrow.bookingId,
      destination: claim!.tutorAccount,
      chargeId: claim!.escrow.chargeId,
      amount: 4000,
      currency: "usd",
      idempotencyKey: `release:${claim!.escrow.id}`,
    });
    expect(s.fake.transfers.size).toBe(1);

    // The servers stay down for more than a day; Stripe forgets the key meanwhile.
    s.fake.forgetIdempotencyKeys();
    s.clock.advance(26 * HOUR);
    expect((await s.tick()).released).toBe(1);
    expect(s.fake.transfers.size).toBe(1);
    const [transfer] = [...s.fake.transfers.values()];
    expect(await s.escrow(lesson.escrowId)).toMatchObject({ status: "released", transfer_id: transfer?.id });
    expect(s.fake.requests.filter((r) => r.method === "GET" && r.path === "/v1/transfers")).toHaveLength(1);
    expect(await s.db.select().from(payouts).where(eq(payouts.escrowId, lesson.escrowId))).toHaveLength(1);
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });

  it("an attempt that failed after Stripe answered: the retry finds the transfer, and a first attempt never looks", async () => {
    const s = await stripeServer({
      stripeProvider: crashAfterTransfer("connection reset after the transfer response"),
    });
    const first = await s.paidBooking();
    await s.runSession(first.id);
    s.clock.advance(24 * HOUR);
    expect(await s.tick()).toMatchObject({ released: 0, release_failures: 1 });
    expect(s.fake.requests.filter((r) => r.method === "GET" && r.path === "/v1/transfers")).toHaveLength(0);

    s.fake.forgetIdempotencyKeys();
    s.clock.advance(25 * HOUR);
    expect((await s.tick()).released).toBe(1);
    expect(s.fake.transfers.size).toBe(1);
    expect(s.fake.requests.filter((r) => r.method === "POST" && r.path === "/v1/transfers")).toHaveLength(1);
    expect(await s.escrow(first.escrowId)).toMatchObject({ status: "released" });

    // A release with no earlier attempt goes straight to the transfer.
    const second = await s.paidBooking();
    await s.runSession(second.id);
    s.clock.advance(24 * HOUR);
    const lookupsBefore = s.fake.requests.filter((r) => r.method === "GET" && r.path === "/v1/transfers").length;
    expect((await s.tick()).released).toBe(1);
    expect(s.fake.requests.filter((r) => r.method === "GET" && r.path === "/v1/transfers")).toHaveLength(lookupsBefore);
    expect(s.fake.transfers.size).toBe(2);
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
    const [row] = await s.db.select().from(escrows).where(eq(escrows.id, lesson.escrowId));
    expect(row?.pendingRefundAmount).toBe(5000);
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
    expect(afterFirst).toMatchObject({ refundedAmount: 1500, pendingRefundAmount: 3500 });
    expect(afterFirst?.lastError).toContain("refund_made_elsewhere");
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
    expect(row).toMatchObject({ pendingRefundAmount: null, lastError: null });
    const succeeded = s.fake.requests.filter(
      (r) => r.method === "POST" && r.path === "/v1/refunds" && r.status === 200,
    );
    expect(succeeded).toHaveLength(0);
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});

describe("a retried release whose earlier transfer does not match the payout", () => {
  it("is neither recorded with the wrong figure nor paid again: the claim stays, with the reason", async () => {
    const s = await stripeServer({
      stripeProvider: crashAfterTransfer("connection reset after the transfer response"),
    });
    const lesson = await s.paidBooking();
    await s.runSession(lesson.id);
    s.clock.advance(24 * HOUR);
    expect(await s.tick()).toMatchObject({ released: 0, release_failures: 1 });
    const [earlier] = s.fake.transfersTo(TUTOR_ACCOUNT);
    // Whatever made them differ (nothing in LessonKit can change the payout while the release is
    // claimed), the transfer Stripe holds is not the 4000 the ledger would record.
    earlier!.amount = 3000;

    s.clock.advance(LEASE + MINUTE);
    expect(await s.tick()).toMatchObject({ released: 0, release_failures: 1 });
    expect(s.fake.transfersTo(TUTOR_ACCOUNT)).toHaveLength(1);
    const [row] = await s.db.select().from(escrows).where(eq(escrows.id, lesson.escrowId));
    expect(row).toMatchObject({ status: "release_scheduled", claimKind: "release" });
    expect(row?.lastError).toContain("transfer_amount_mismatch");
    expect(await s.db.select().from(payouts).where(eq(payouts.kind, "release"))).toHaveLength(0);
    // The claim keeps a dispute out: the tutor may hold money the ledger does not show.
    const disputed = await s.call("POST", `/v1/escrows/${lesson.escrowId}/dispute`, {
      key: s.key,
      body: { reason: "late" },
    });
    expect(disputed.body.error.code).toBe("release_in_progress");
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});
