import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hostConfig } from "../src/adapters/stripe/client";
import { tenants } from "../src/db/schema";
import { loadEnv } from "../src/env";
import { ADMIN_KEY, bookingBody, HOUR, ledgerInvariant } from "./harness";
import {
  createStripeTestServer,
  SECRET_KEY,
  STRIPE_API,
  type StripeTestServer,
  TUTOR_ACCOUNT,
  WEBHOOK_SECRET,
} from "./stripe-mock";

describe("a whole lesson on a Stripe tenant", () => {
  let s: StripeTestServer;
  beforeEach(async () => {
    s = await createStripeTestServer();
  });
  afterEach(() => s.close());

  it("creates a PaymentIntent, holds on payment_intent.succeeded and transfers once, 24 h after the end", async () => {
    const { booking, id, escrowId, intentId } = await s.book({ amount: 5000, platform_fee: 1000 });
    const intent = s.fake.intents.get(intentId);
    expect(intent).toMatchObject({
      amount: 5000,
      currency: "usd",
      transfer_group: id,
      metadata: { lessonkit_tenant_id: s.tenant.id, lessonkit_booking_id: id, lessonkit_escrow_id: escrowId },
    });
    expect(booking.payment).toMatchObject({ provider: "stripe", client_secret: intent?.client_secret });
    expect(booking.payment.client_secret).toMatch(/^pi_.+_secret_/);
    const create = s.fake.requests.find((r) => r.path === "/v1/payment_intents");
    expect(create?.idempotencyKey).toBe(`payment:${escrowId}`);

    const { intent: paid, charge } = s.fake.succeed(intentId);
    const delivered = await s.deliver(s.fake.event("payment_intent.succeeded", paid));
    expect(delivered).toMatchObject({ status: 200, body: { received: true, outcome: "applied" } });
    expect((await s.call("GET", `/v1/bookings/${id}`, { key: s.key })).body).toMatchObject({
      status: "confirmed",
      escrow: { status: "held", held_amount: 5000 },
      payment: { client_secret: null },
    });

    const ended = await s.runSession(id);
    expect(ended.escrow.status).toBe("release_scheduled");
    s.clock.advance(24 * HOUR - 1000);
    expect((await s.tick()).released).toBe(0);
    expect(s.fake.transfers.size).toBe(0);
    s.clock.advance(1000);
    expect((await s.tick()).released).toBe(1);
    await s.tick();

    const transfers = [...s.fake.transfers.values()];
    expect(transfers).toHaveLength(1);
    expect(transfers[0]).toMatchObject({
      amount: 4000,
      currency: "usd",
      destination: TUTOR_ACCOUNT,
      source_transaction: charge.id,
      transfer_group: id,
    });
    const transferCalls = s.fake.requests.filter((r) => r.path === "/v1/transfers");
    expect(transferCalls).toHaveLength(1);
    expect(transferCalls[0]?.idempotencyKey).toBe(`transfer:${escrowId}:1`);
    expect(await s.escrow(escrowId)).toMatchObject({
      status: "released",
      transfer_id: transfers[0]?.id,
      payout_amount: 4000,
      released_amount: 5000,
    });
    const balance = await s.call("GET", "/v1/tutors/tutor_1/balance", { key: s.key });
    expect(balance.body.balances).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 4000 }]);
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });

  it("refuses a Stripe booking whose tutor has no connected account, and passes Stripe's own refusals on", async () => {
    const noAccount = await s.call("POST", "/v1/bookings", {
      key: s.key,
      body: {
        external_id: "no-account",
        student: { id: "s1" },
        tutor: { id: "t1" },
        scheduled_start: new Date(s.clock.now() + HOUR).toISOString(),
        duration_minutes: 60,
        amount: 5000,
        currency: "usd",
      },
    });
    expect(noAccount.status).toBe(422);
    expect(noAccount.body.error).toMatchObject({ code: "tutor_account_required", param: "tutor.stripe_account" });

    const tooSmall = await s.call("POST", "/v1/bookings", {
      key: s.key,
      body: {
        external_id: "too-small",
        student: { id: "s1" },
        tutor: { id: "t1", stripe_account: TUTOR_ACCOUNT },
        scheduled_start: new Date(s.clock.now() + HOUR).toISOString(),
        duration_minutes: 60,
        amount: 10,
        currency: "usd",
      },
    });
    expect(tooSmall.status).toBe(422);
    expect(tooSmall.body.error).toMatchObject({ type: "invalid_request_error", code: "amount_too_small" });
    const list = await s.call("GET", "/v1/bookings", { key: s.key });
    expect(list.body.data).toHaveLength(0);
  });

  it("answers 502 provider_error, as documented, when Stripe keeps failing, and books or cancels nothing", async () => {
    s.fake.inject(/^POST \/v1\/payment_intents$/, { status: 500 }, 9);
    const refused = await s.call("POST", "/v1/bookings", {
      key: s.key,
      body: bookingBody(s.clock, { tutor: { id: "t1", stripe_account: TUTOR_ACCOUNT } }),
    });
    expect(refused.status).toBe(502);
    expect(refused.body.error).toMatchObject({ type: "provider_error" });
    expect((await s.call("GET", "/v1/bookings", { key: s.key })).body.data).toHaveLength(0);

    const { id } = await s.book();
    s.fake.inject(/^POST \/v1\/payment_intents\/[^/]+\/cancel$/, { status: 500 }, 9);
    const cancel = await s.call("POST", `/v1/bookings/${id}/cancel`, { key: s.key, body: { by: "student" } });
    expect(cancel.status).toBe(502);
    expect(cancel.body.error).toMatchObject({ type: "provider_error" });
    expect((await s.call("GET", `/v1/bookings/${id}`, { key: s.key })).body.status).toBe("pending_payment");
  });

  it("cancels an unpaid booking by canceling its PaymentIntent", async () => {
    const { id, intentId } = await s.book();
    const res = await s.call("POST", `/v1/bookings/${id}/cancel`, { key: s.key, body: { by: "student" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "canceled", escrow: { status: "canceled" } });
    expect(s.fake.intents.get(intentId)?.status).toBe("canceled");
  });

  it("refunds a paid booking canceled early on its charge, and the charge.refunded that follows changes nothing", async () => {
    const { id, escrowId, chargeId } = await s.paidBooking({}, 48 * HOUR);
    const res = await s.call("POST", `/v1/bookings/${id}/cancel`, { key: s.key, body: { by: "platform" } });
    expect(res.body.escrow).toMatchObject({ status: "refunded", refunded_amount: 5000 });
    const refunds = [...s.fake.refunds.values()];
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ charge: chargeId, amount: 5000 });
    const charge = s.fake.charges.get(chargeId) as Record<string, unknown>;
    expect((await s.deliver(s.fake.event("charge.refunded", charge))).status).toBe(200);
    expect(await s.escrow(escrowId)).toMatchObject({ status: "refunded", refunded_amount: 5000 });
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});

describe("unpaid Stripe bookings at the end of the payment window", () => {
  let s: StripeTestServer;
  beforeEach(async () => {
    s = await createStripeTestServer();
  });
  afterEach(() => s.close());

  it("expire by canceling the PaymentIntent, but never one Stripe already took: the webhook confirms that one", async () => {
    const unpaid = await s.book();
    const paidLate = await s.book();
    const { intent } = s.fake.succeed(paidLate.intentId);
    s.clock.advance(31 * 60_000);
    const summary = await s.tick();
    expect(summary.expired).toBe(1);
    expect(s.fake.intents.get(unpaid.intentId)?.status).toBe("canceled");
    expect((await s.call("GET", `/v1/bookings/${unpaid.id}`, { key: s.key })).body.status).toBe("canceled");

    const kept = (await s.call("GET", `/v1/bookings/${paidLate.id}`, { key: s.key })).body;
    expect(kept.status).toBe("pending_payment");
    expect(kept.escrow.last_error).toMatchObject({ code: "payment_already_made" });
    await s.deliver(s.fake.event("payment_intent.succeeded", intent));
    expect((await s.call("GET", `/v1/bookings/${paidLate.id}`, { key: s.key })).body).toMatchObject({
      status: "confirmed",
      escrow: { status: "held", last_error: null },
    });
  });
});

describe("the test clock on Stripe tenants", () => {
  it("walks a test-mode tenant to its release; a live tenant has none", async () => {
    const s = await createStripeTestServer();
    try {
      expect(s.tenant.test_clock).toEqual({ offset_seconds: 0 });
      const { id, escrowId } = await s.paidBooking();
      await s.runSession(id);
      const moved = await s.call("POST", "/v1/sandbox/clock", { key: s.key, body: { advance_seconds: 24 * 3600 } });
      expect(moved.status).toBe(200);
      expect(moved.body.due_work.released).toBe(1);
      expect(await s.escrow(escrowId)).toMatchObject({ status: "released" });
      expect(s.fake.transfers.size).toBe(1);
    } finally {
      s.close();
    }
    const live = await createStripeTestServer({ livemode: true });
    try {
      expect(live.tenant.test_clock).toBeNull();
      const refused = await live.call("POST", "/v1/sandbox/clock", { key: live.key, body: { advance_seconds: 60 } });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe("test_clock_unavailable");
      const to = new Date(live.clock.now() + 3600_000).toISOString();
      const refusedTo = await live.call("POST", "/v1/sandbox/clock", { key: live.key, body: { to } });
      expect(refusedTo.body.error.code).toBe("test_clock_unavailable");
      // Its clock can still be read: the server's own time, never moved.
      expect((await live.call("GET", "/v1/sandbox/clock", { key: live.key })).body).toEqual({
        now: new Date(live.clock.now()).toISOString(),
        offset_seconds: 0,
        movable: false,
      });
    } finally {
      live.close();
    }
  });
});

describe("tenant Stripe settings", () => {
  let s: StripeTestServer;
  beforeEach(async () => {
    s = await createStripeTestServer();
  });
  afterEach(() => s.close());

  it("are stored sealed and never returned; PATCH replaces or removes them", async () => {
    expect(s.tenant.stripe).toEqual({
      configured: true,
      livemode: false,
      requests_per_second: 100,
      requests_per_second_set: true,
    });
    const got = await s.call("GET", "/v1/tenant", { key: s.key });
    expect(JSON.stringify(got.body)).not.toContain(SECRET_KEY);
    expect(JSON.stringify(got.body)).not.toContain(WEBHOOK_SECRET);
    const [row] = await s.db.select().from(tenants).where(eq(tenants.id, s.tenant.id));
    expect(row?.stripeSealed).toMatch(/^v1\./);
    expect(row?.stripeSealed).not.toContain(SECRET_KEY);

    const live = await s.call("PATCH", "/v1/tenant", {
      key: s.key,
      body: { stripe: { secret_key: "sk_live_abc123", webhook_secret: "whsec_live123" } },
    });
    expect(live.status).toBe(200);
    expect(live.body.stripe).toEqual({
      configured: true,
      livemode: true,
      requests_per_second: 100,
      requests_per_second_set: true,
    });

    const bad = await s.call("PATCH", "/v1/tenant", {
      key: s.key,
      body: { stripe: { secret_key: "pk_test_publishable", webhook_secret: "whsec_x" } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: "invalid_stripe_secret_key", param: "stripe.secret_key" });

    const removed = await s.call("PATCH", "/v1/tenant", { key: s.key, body: { stripe: null } });
    expect(removed.status).toBe(422);
    expect(removed.body.error).toMatchObject({ code: "stripe_settings_required", param: "stripe" });
    expect((await s.call("GET", "/v1/tenant", { key: s.key })).body.stripe).toMatchObject({
      configured: true,
      livemode: true,
    });

    // A sandbox tenant may keep Stripe settings ready (and remove them); they are not used.
    const sandbox = await s.createTenant();
    const set = await s.call("PATCH", "/v1/tenant", {
      key: sandbox.key,
      body: { stripe: { secret_key: SECRET_KEY, webhook_secret: WEBHOOK_SECRET } },
    });
    expect(set.body.stripe).toEqual({
      configured: true,
      livemode: false,
      requests_per_second: 24,
      requests_per_second_set: false,
    });
    const cleared = await s.call("PATCH", "/v1/tenant", { key: sandbox.key, body: { stripe: null } });
    expect(cleared.body.stripe).toBeNull();
  });

  it("a Stripe tenant is created only with its settings", async () => {
    const missing = await s.call("POST", "/v1/admin/tenants", {
      key: ADMIN_KEY,
      body: { name: "No keys", payment_provider: "stripe" },
    });
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe("stripe_settings_required");
    const badHook = await s.call("POST", "/v1/admin/tenants", {
      key: ADMIN_KEY,
      body: { name: "Bad", payment_provider: "stripe", stripe: { secret_key: SECRET_KEY, webhook_secret: "nope" } },
    });
    expect(badHook.status).toBe(422);
    expect(badHook.body.error).toMatchObject({ code: "invalid_stripe_webhook_secret", param: "stripe.webhook_secret" });
  });

  it("LESSONKIT_STRIPE_API_URL points stripe-node at another host", async () => {
    expect(loadEnv({ LESSONKIT_MODE: "development", LESSONKIT_STRIPE_API_URL: STRIPE_API }).stripeApiUrl).toBe(
      STRIPE_API,
    );
    expect(hostConfig(STRIPE_API)).toEqual({ host: "stripe.test", port: 12111, protocol: "http" });
    expect(hostConfig("https://stripe-mock.internal")).toEqual({
      host: "stripe-mock.internal",
      port: 443,
      protocol: "https",
    });
    expect(hostConfig(undefined)).toEqual({});
    // The fake answers only at STRIPE_API (anything else is an unhandled request): a booking reaches it.
    expect(s.fake.requests).toHaveLength(0);
    await s.book();
    expect(s.fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(["POST /v1/payment_intents 200"]);
  });
});
