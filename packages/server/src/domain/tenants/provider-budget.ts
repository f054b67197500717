import type { PaymentTenant } from "../../ports/payments";

/**
 * Provider calls per second per tenant when the tenant sets no budget of its own: just below Stripe's
 * limits (25/s for a test-mode key, 100/s live), which also count the platform's own calls with that key.
 */
export const DEFAULT_STRIPE_RATE = { test: 24, live: 95 } as const;

/** The most a tenant may set: Stripe's highest documented live limit. */
export const MAX_PROVIDER_RATE = 100;

/** The tenant's budget of Stripe calls per second: its own, or the default for its key's mode. */
export function stripeRate(tenant: Pick<PaymentTenant, "providerRateLimit" | "stripeLivemode">): number {
  return tenant.providerRateLimit ?? (tenant.stripeLivemode ? DEFAULT_STRIPE_RATE.live : DEFAULT_STRIPE_RATE.test);
}

/** The tenant's budget of provider calls per second (the sandbox makes none over a network). */
export function providerRate(tenant: PaymentTenant): number {
  return tenant.paymentProvider === "sandbox" ? Number.POSITIVE_INFINITY : stripeRate(tenant);
}
