import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { events, providerEvents } from "../src/db/schema";
import { HOUR, type Json, ledgerInvariant } from "./harness";
import {
  CONNECT_WEBHOOK_SECRET,
  createStripeTestServer,
  type StripeTestServer,
  TUTOR_ACCOUNT,
  WEBHOOK_SECRET,
} from "./stripe-mock";

const servers: StripeTestServer[] = [];
async function stripeServer(options: { livemode?: boolean } = {}) {
  const s = await createStripeTestServer(options);
  servers.push(s);
  return s;
}
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function eventTypes(s: StripeTestServer, bookingId: string) {
  const rows = await s.db.select({ type: events.type }).from(events).where(eq(events.bookingId, bookingId));
  return rows.map((row) => row.type);
}

/** What must be equal whatever order the events came in. */
async function finalState(s: StripeTestServer, bookingId: string, escrowId: string) {
  const booking = (await s.call("GET", `/v1/bookings/${bookingId}`, { key: s.key })).body;
  const escrow = await s.escrow(escrowId);
  const balance = (await s.call("GET", "/v1/tutors/tutor_1/balance", { key: s.key })).body;
  const types = await eventTypes(s, bookingId);
  const count = (type: string) => types.filter((t) => t === type).length;
  return {
    booking: booking.status,
    escrow: {
      status: escrow.status,
      held: escrow.held_amount,
      refunded: escrow.refunded_amount,
      released: escrow.released_amount,
      disputed: escrow.dispute !== null,
    },
    balances: balance.balances,
    // How many escrow.refunded events depends on the order (cumulative totals); the amounts do not.
    events: {
      held: count("escrow.held"),
      disputed: count("escrow.disputed"),
      resolved: count("escrow.dispute_resolved"),
      canceled: count("booking.canceled"),
    },
  };
}

describe("Stripe webhook verification", () => {
  it("answers 400 and changes nothing for a wrong secret, a stale timestamp, an altered body or no signature", async () => {
    const s = await stripeServer();
    const { id, escrowId, intentId } = await s.book();
    const { intent } = s.fake.succeed(intentId);
    const event = s.fake.event("payment_intent.succeeded", intent);
    const now = Math.floor(s.clock.now() / 1000);

    const wrongSecret = await s.deliver(event, { secret: "whsec_someoneElse123" });
    const stale = await s.deliver(event, { timestamp: now - 301 });
    const altered = await s.deliver(event, { alter: (body) => body.replace('"amount": 5000', '"amount": 1') });
    const otherTenant = await s.createTenant({
      payment_provider: "stripe",
      stripe: { secret_key: "sk_test_other", webhook_secret: "whsec_otherTenant999" },
    });
    const wrongTenant = await s.deliver(event, { tenantId: otherTenant.tenant.id });
    for (const res of [wrongSecret, stale, altered]) {
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "signature_invalid" });
    }
    expect(wrongTenant.status).toBe(400);
    const unsigned = await s.app.request(`/v1/stripe/webhooks/${s.tenant.id}`, {
      method: "POST",
      body: JSON.stringify(event),
    });
    expect(unsigned.status).toBe(400);
    expect((await unsigned.json()).error.code).toBe("signature_missing");
    const unknownTenant = await s.deliver(event, { tenantId: "tn_nope" });
    expect(unknownTenant.status).toBe(404);

    expect(await s.escrow(escrowId)).toMatchObject({ status: "awaiting_payment" });
    expect(await s.db.select().from(providerEvents)).toHaveLength(0);
    expect(await eventTypes(s, id)).toEqual(["booking.created"]);

    // Within the five-minute tolerance and intact: accepted.
    const fresh = await s.deliver(event, { timestamp: now - 299 });
    expect(fresh).toMatchObject({ status: 200, body: { outcome: "applied" } });
    expect(await s.escrow(escrowId)).toMatchObject({ status: "held" });
  });

  it("accepts the Connect endpoint's secret and ignores test-mode events at a live tenant", async () => {
    const live = await stripeServer({ livemode: true });
    const testEvent = live.fake.event("account.updated", live.fake.setPayoutsEnabled(TUTOR_ACCOUNT, false), {
      account: TUTOR_ACCOUNT,
      livemode: false,
    });
    const ignored = await live.deliver(testEvent, { secret: CONNECT_WEBHOOK_SECRET });
    expect(ignored).toMatchObject({ status: 200, body: { outcome: "ignored:livemode_mismatch" } });
    expect(await live.db.select().from(providerEvents)).toHaveLength(0);

    const liveEvent = { ...testEvent, id: "evt_live_1", livemode: true };
    const applied = await live.deliver(liveEvent, { secret: CONNECT_WEBHOOK_SECRET });
    expect(applied).toMatchObject({ status: 200, body: { outcome: "applied" } });
    const rows = await live.db
      .select()
      .from(providerEvents)
      .where(and(eq(providerEvents.tenantId, live.tenant.id), eq(providerEvents.eventId, "evt_live_1")));
    expect(rows).toHaveLength(1);
  });
});

describe("Stripe events, each delivered twice and in any order", () => {
  /** Builds the events of a scenario on one server (Stripe's objects as they were at each moment). */
  type Scenario = (s: StripeTestServer, booked: { intentId: string }) => Json[];

  async function runInOrder(scenario: Scenario, order: (events: Json[]) => Json[]) {
    const s = await stripeServer();
    const booked = await s.book({}, 3 * 24 * HOUR);
    const list = scenario(s, booked);
    for (const event of order(list)) {
      for (let i = 0; i < 2; i++) {
        const res = await s.deliver(event);
        expect(res.status).toBe(200);
        expect(res.body.outcome).toBe(i === 0 ? res.body.outcome : "duplicate");
      }
    }
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
    return finalState(s, booked.id, booked.escrowId);
  }

  const orders: Record<string, (events: Json[]) => Json[]> = {
    forward: (list) => list,
    backward: (list) => [...list].reverse(),
    interleaved: (list) => [...list.filter((_, i) => i % 2 === 1), ...list.filter((_, i) => i % 2 === 0)],
  };

  async function expectConvergence(scenario: Scenario) {
    const states = [];
    for (const order of Object.values(orders)) states.push(await runInOrder(scenario, order));
    expect(states[1]).toEqual(states[0]);
    expect(states[2]).toEqual(states[0]);
    return states[0];
  }

  it("payment succeeded after a failed attempt, dashboard refunds (cumulative totals), a dispute won", async () => {
    const state = await expectConvergence((s, { intentId }) => {
      const failed = s.fake.event("payment_intent.payment_failed", s.fake.fail(intentId));
      const { intent, charge } = s.fake.succeed(intentId);
      const succeeded = s.fake.event("payment_intent.succeeded", intent);
      const refunded1 = s.fake.event("charge.refunded", s.fake.dashboardRefund(charge.id, 1000));
      const refunded2 = s.fake.event("charge.refunded", s.fake.dashboardRefund(charge.id, 1500));
      const opened = s.fake.event("charge.dispute.created", s.fake.dispute(charge.id));
      const won = s.fake.event("charge.dispute.closed", s.fake.dispute(charge.id, "won"));
      return [failed, succeeded, refunded1, refunded2, opened, won];
    });
    expect(state).toMatchObject({
      booking: "confirmed",
      escrow: { status: "held", held: 2500, refunded: 2500, released: 0 },
      balances: [{ currency: "usd", pending: 1500, disputed: 0, released: 0 }],
      events: { held: 1 },
    });
  });

  it("a dispute lost before release refunds the student, in any order", async () => {
    const state = await expectConvergence((s, { intentId }) => {
      const { intent, charge } = s.fake.succeed(intentId);
      return [
        s.fake.event("payment_intent.succeeded", intent),
        s.fake.event("charge.dispute.created", s.fake.dispute(charge.id)),
        s.fake.event("charge.dispute.closed", s.fake.dispute(charge.id, "lost")),
      ];
    });
    expect(state).toMatchObject({
      escrow: { status: "refunded", held: 0, refunded: 5000 },
      balances: [{ currency: "usd", pending: 0, disputed: 0, released: 0 }],
      events: { held: 1, disputed: 1, resolved: 1 },
    });
  });

  it("payment_intent.canceled cancels the unpaid booking once", async () => {
    const state = await expectConvergence((s, { intentId }) => {
      const failed = s.fake.event("payment_intent.payment_failed", s.fake.fail(intentId));
      const intent = s.fake.intents.get(intentId) as Json;
      intent.status = "canceled";
      return [failed, s.fake.event("payment_intent.canceled", intent)];
    });
    expect(state).toMatchObject({ booking: "canceled", escrow: { status: "canceled" }, events: { canceled: 1 } });
  });

  it("a declined card is recorded on the escrow with Stripe's code, and the booking stays payable", async () => {
    const s = await stripeServer();
    const { id, escrowId, intentId } = await s.book();
    const failed = s.fake.event("payment_intent.payment_failed", s.fake.fail(intentId));
    expect((await s.deliver(failed)).body.outcome).toBe("applied");
    expect((await s.deliver(failed)).body.outcome).toBe("duplicate");
    expect(await s.escrow(escrowId)).toMatchObject({
      status: "awaiting_payment",
      last_error: { code: "insufficient_funds", message: "Your card has insufficient funds." },
    });
    const rows = await s.db.select().from(events).where(eq(events.bookingId, id));
    const paymentFailed = rows.filter((row) => row.type === "payment.failed");
    expect(paymentFailed).toHaveLength(1);
    expect(paymentFailed[0]?.data).toMatchObject({
      failure: {
        code: "insufficient_funds",
        message: "Your card has insufficient funds.",
      },
    });
    expect((await s.call("GET", `/v1/bookings/${id}`, { key: s.key })).body.payment.client_secret).toMatch(/_secret_/);
  });

  it("account.updated keeps the newest news about a connected account", async () => {
    const s = await stripeServer();
    const t0 = Math.floor(s.clock.now() / 1000);
    const disabled = s.fake.event(
      "account.updated",
      { ...s.fake.setPayoutsEnabled(TUTOR_ACCOUNT, false) },
      {
        account: TUTOR_ACCOUNT,
        created: t0 + 10,
      },
    );
    const enabledEarlier = s.fake.event(
      "account.updated",
      { ...s.fake.setPayoutsEnabled(TUTOR_ACCOUNT, true) },
      {
        account: TUTOR_ACCOUNT,
        created: t0,
      },
    );
    for (const event of [disabled, enabledEarlier, disabled, enabledEarlier]) {
      expect((await s.deliver(event, { secret: CONNECT_WEBHOOK_SECRET })).status).toBe(200);
    }
    const { id, escrowId } = await s.paidBooking();
    await s.runSession(id);
    s.clock.advance(24 * HOUR);
    await s.tick();
    expect(await s.escrow(escrowId)).toMatchObject({ status: "release_scheduled" });
    expect(s.fake.transfers.size).toBe(0);
  });

  it("events about payments LessonKit does not know, or of types it does not handle, are acknowledged and ignored", async () => {
    const s = await stripeServer();
    const unknown = await s.deliver(
      s.fake.event("payment_intent.succeeded", { id: "pi_elsewhere", latest_charge: null }),
    );
    expect(unknown).toMatchObject({ status: 200, body: { outcome: "ignored:unknown_payment" } });
    const other = await s.deliver(s.fake.event("customer.created", { id: "cus_1", object: "customer" }));
    expect(other).toMatchObject({ status: 200, body: { outcome: "ignored:unhandled_type" } });
    expect(WEBHOOK_SECRET).toMatch(/^whsec_/);
  });
});
