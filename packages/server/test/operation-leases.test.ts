import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { StripeClients } from "../src/adapters/stripe/client";
import { toProviderError } from "../src/adapters/stripe/errors";
import { StripePayments } from "../src/adapters/stripe/payments";
import { moneyOperations } from "../src/db/schema";
import { claimDueOperations } from "../src/domain/operations/claim";
import { requestDueReleases } from "../src/domain/operations/releases";
import { deriveKey } from "../src/lib/crypto";
import { PaymentProviderError, type RefundInput } from "../src/ports/payments";
import {
  ADMIN_KEY,
  createTestServer,
  HOUR,
  ledgerInvariant,
  MINUTE,
  paidBooking,
  SECRET,
  type TestServer,
} from "./harness";
import {
  CONNECT_WEBHOOK_SECRET,
  crashAfterTransfer,
  createStripeTestServer,
  type StripeTestServer,
  TUTOR_ACCOUNT,
} from "./stripe-mock";

/**
 * Leases and retries of money operations: a run whose lease ran out while its provider call was
 * out, a process that died after Stripe moved the money (and Stripe forgot the key), an earlier
 * transfer that does not match, and which provider errors may never be taken for a refusal.
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

async function operationsOf(s: StripeTestServer, escrowId: string) {
  return s.db.select().from(moneyOperations).where(eq(moneyOperations.escrowId, escrowId)).orderBy(moneyOperations.seq);
}

describe("refund leases", () => {
  it("a refund run whose lease ran out records nothing over the run that holds the operation now", async () => {
    let otherToken: string | null = null;
    let s: StripeTestServer | undefined;
    class SlowThenFailing extends StripePayments {
      override async refund(input: RefundInput): Promise<{ refundId: string }> {
        if (s && otherToken === null) {
          // This call outlives its lease; another run claims the refund meanwhile, then this one fails.
          s.clock.advance(LEASE + MINUTE);
          const [other] = await claimDueOperations(s.deps, 10, { escrowId: input.escrowId });
          otherToken = other?.operation.leaseToken ?? "none";
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
    const [row] = await operationsOf(s, lesson.escrowId);
    expect(row).toMatchObject({
      kind: "refund",
      status: "in_flight",
      leaseToken: otherToken,
      amount: 5000,
      attempts: 2,
    });
    expect(row?.errorCode).toBeNull();
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

describe("Stripe errors that must never be taken for a refusal", () => {
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
  it("a process that died holding the transfer after Stripe made it: a tick a day later adopts that transfer", async () => {
    const s = await stripeServer();
    const lesson = await s.paidBooking();
    await s.runSession(lesson.id);
    s.clock.advance(24 * HOUR);
    // The dying process: it claims the transfer and Stripe makes it, then nothing more.
    await requestDueReleases(s.deps);
    const [claim] = await claimDueOperations(s.deps, 10);
    expect(claim?.resumed).toBe(false);
    await s.deps.payments.forTenant(claim!.tenant).transfer({
      tenant: claim!.tenant,
      escrowId: claim!.escrow.id,
      bookingId: claim!.escrow.bookingId,
      destination: claim!.tutorAccount,
      chargeId: claim!.escrow.chargeId,
      amount: 4000,
      currency: "usd",
      idempotencyKey: claim!.operation.idempotencyKey,
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
    expect((await operationsOf(s, lesson.escrowId)).map((op) => [op.status, op.providerId])).toEqual([
      ["succeeded", transfer?.id],
    ]);
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

describe("a retried release whose earlier transfer does not match the payout", () => {
  it("is neither recorded with the wrong figure nor paid again: it stays in flight, with the reason", async () => {
    const s = await stripeServer({
      stripeProvider: crashAfterTransfer("connection reset after the transfer response"),
    });
    const lesson = await s.paidBooking();
    await s.runSession(lesson.id);
    s.clock.advance(24 * HOUR);
    expect(await s.tick()).toMatchObject({ released: 0, release_failures: 1 });
    const [earlier] = s.fake.transfersTo(TUTOR_ACCOUNT);
    // Whatever made them differ (nothing in LessonKit can change the payout while the transfer is in
    // flight), the transfer Stripe holds is not the 4000 the ledger would record.
    earlier!.amount = 3000;

    s.clock.advance(LEASE + MINUTE);
    expect(await s.tick()).toMatchObject({ released: 0, release_failures: 1 });
    expect(s.fake.transfersTo(TUTOR_ACCOUNT)).toHaveLength(1);
    expect(await s.escrow(lesson.escrowId)).toMatchObject({
      status: "release_scheduled",
      last_error: { code: "transfer_amount_mismatch" },
    });
    expect((await operationsOf(s, lesson.escrowId)).map((op) => [op.status, op.errorCode])).toEqual([
      ["in_flight", "transfer_amount_mismatch"],
    ]);
    // In flight, it keeps a dispute out: the tutor may hold money the ledger does not show.
    const disputed = await s.call("POST", `/v1/escrows/${lesson.escrowId}/dispute`, {
      key: s.key,
      body: { reason: "late" },
    });
    expect(disputed.body.error.code).toBe("release_in_progress");
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});

describe("a release retried after a crash while the tutor's payouts are blocked", () => {
  it("a retry that finds the tutor's payouts blocked keeps the escrow out of a dispute while its earlier transfer may have reached Stripe", async () => {
    const s = await createStripeTestServer({
      stripeProvider: crashAfterTransfer("process killed after the transfer response"),
    });
    try {
      const { id, escrowId } = await s.paidBooking();
      await s.runSession(id);
      s.clock.advance(24 * HOUR);
      expect(await s.tick()).toMatchObject({ released: 0, release_failures: 1 });
      expect(s.fake.transfers.size).toBe(1);
      const [transfer] = [...s.fake.transfers.values()];
      expect(transfer?.amount).toBe(4000);

      // Meanwhile Stripe reports the tutor's account cannot take payouts (for now).
      const blocked = s.fake.event("account.updated", s.fake.setPayoutsEnabled(TUTOR_ACCOUNT, false), {
        account: TUTOR_ACCOUNT,
      });
      expect((await s.deliver(blocked, { secret: CONNECT_WEBHOOK_SECRET })).status).toBe(200);
      // The retry first looks the earlier transfer up, and records it, whatever the account's status.
      s.clock.advance(6 * MINUTE);
      await s.tick();

      // The tutor holds 4000 at Stripe, so the money must not be disputable and refunded as if held.
      const dispute = await s.call("POST", `/v1/escrows/${escrowId}/dispute`, { key: s.key, body: { reason: "late" } });
      // (Accepted, a full refund resolution pays the student 5000 back and leaves the 4000 transfer unreversed.)
      expect(dispute.status).toBe(409);
    } finally {
      s.close();
    }
  });
});
