import { afterEach, describe, expect, it } from "vitest";
import { ledgerInvariant } from "./harness";
import { createStripeTestServer, type StripeTestServer } from "./stripe-mock";

/**
 * Money operations paced to the tenant's Stripe budget: the executor calls Stripe concurrently, the
 * adapter keeps each tenant under its calls per second, and a rate limit answered anyway pauses the
 * tenant for Stripe's Retry-After while the operation keeps its lease. These run in real time (a
 * rate limit counts real seconds), so they stay small.
 */

const servers: StripeTestServer[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** `count` lessons whose release is due now, on a Stripe tenant with `budget` calls per second. */
async function dueReleases(count: number, budget: number) {
  const s = await createStripeTestServer({ stripe: { rateLimitPauseMs: 1_000 } });
  servers.push(s);
  const set = await s.call("PATCH", "/v1/tenant", { key: s.key, body: { provider_requests_per_second: budget } });
  expect(set.body.stripe).toMatchObject({ requests_per_second: budget, requests_per_second_set: true });
  for (let i = 0; i < count; i++) {
    const lesson = await s.paidBooking({ external_id: `paced_${i}` });
    // A late student cancellation (0 % back) makes the whole escrow due to the tutor now.
    const canceled = await s.call("POST", `/v1/bookings/${lesson.id}/cancel`, { key: s.key, body: { by: "student" } });
    expect(canceled.body.escrow.status).toBe("release_scheduled");
  }
  s.fake.requests.length = 0;
  return s;
}

describe("provider pacing", () => {
  it("pays every due escrow once, paced to the tenant's budget: Stripe's limiter at that budget never refuses", async () => {
    const s = await dueReleases(45, 30);
    // Stripe's limiter (a token bucket) at the budget: 45 calls let through in a burst would empty its
    // 30 tokens and meet 429s; paced, the bucket never runs dry.
    s.fake.limitRate(30);
    expect(await s.tick()).toMatchObject({ released: 45, release_failures: 0 });
    expect(s.fake.requests.filter((r) => r.status === 429)).toEqual([]);
    expect(s.fake.transfers.size).toBe(45);
    expect(await ledgerInvariant(s.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });

  it("pauses the tenant for Stripe's Retry-After on a 429, then pays, keeping the lease throughout", async () => {
    const s = await dueReleases(3, 50);
    s.fake.inject(/^POST \/v1\/transfers$/, { status: 429, retryAfterSeconds: 0.4 });
    expect(await s.tick()).toMatchObject({ released: 3, release_failures: 0 });
    const transfers = s.fake.requests.filter((r) => r.path === "/v1/transfers");
    const limited = transfers.find((r) => r.status === 429)!;
    // Calls already started before the 429 may finish; none starts inside the pause.
    const during = transfers.filter((r) => r.at > limited.at && r.at < limited.at + 390);
    expect(during).toEqual([]);
    expect(transfers.filter((r) => r.status === 200)).toHaveLength(3);
    // The operation that met the 429 was paid by the same run (one attempt, its lease never given up).
    const escrows = await Promise.all(
      [...s.fake.transfers.values()].map((t) => s.escrow(t.metadata.lessonkit_escrow_id as string)),
    );
    for (const escrow of escrows) {
      expect(escrow.operations).toMatchObject([{ kind: "transfer", status: "succeeded", attempts: 1 }]);
    }
  });

  it("uses the default budget for the key's mode until the tenant sets one, and goes back to it on null", async () => {
    const s = await createStripeTestServer({ providerRate: null });
    servers.push(s);
    const tenant = await s.call("GET", "/v1/tenant", { key: s.key });
    expect(tenant.body.stripe).toMatchObject({
      livemode: false,
      requests_per_second: 24,
      requests_per_second_set: false,
    });
    const refused = await s.call("PATCH", "/v1/tenant", { key: s.key, body: { provider_requests_per_second: 101 } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ param: "provider_requests_per_second" });
    await s.call("PATCH", "/v1/tenant", { key: s.key, body: { provider_requests_per_second: 10 } });
    const reset = await s.call("PATCH", "/v1/tenant", { key: s.key, body: { provider_requests_per_second: null } });
    expect(reset.body.stripe).toMatchObject({ requests_per_second: 24, requests_per_second_set: false });
    const live = await createStripeTestServer({ livemode: true, providerRate: null });
    servers.push(live);
    expect((await live.call("GET", "/v1/tenant", { key: live.key })).body.stripe).toMatchObject({
      livemode: true,
      requests_per_second: 95,
    });
  });
});
