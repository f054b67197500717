import Stripe from "stripe";
import { PaymentProviderError } from "../../ports/payments";

/**
 * Stripe's errors as the domain sees them: Stripe's own code (`card_declined`,
 * `resource_missing`, `rate_limit`, …) and whether asking again may succeed. Rate limits, Stripe's
 * 5xx, lock timeouts, a request with the same key still in flight (409) and lost
 * connections are retryable; card errors and invalid requests are not.
 */
export function toProviderError(error: unknown): PaymentProviderError {
  if (error instanceof PaymentProviderError) return error;
  if (error instanceof Stripe.errors.StripeError) {
    const code = error.code ?? error.decline_code ?? defaultCode(error);
    return new PaymentProviderError(`Stripe: ${error.message}`, code, isRetryable(error));
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PaymentProviderError(`Stripe request failed: ${message}`, "stripe_request_failed", true);
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof PaymentProviderError) return error.retryable;
  if (!(error instanceof Stripe.errors.StripeError)) return false;
  if (error instanceof Stripe.errors.StripeRateLimitError) return true;
  if (error instanceof Stripe.errors.StripeConnectionError) return true;
  if (error instanceof Stripe.errors.StripeAPIError) return true;
  if (error.code === "lock_timeout") return true;
  // 409: another request with the same idempotency key is still in flight at Stripe. It may yet
  // move the money, so this is never a refusal (a refusal frees the escrow for a dispute).
  if (error.statusCode === 409) return true;
  return (error.statusCode ?? 0) >= 500;
}

function defaultCode(error: InstanceType<typeof Stripe.errors.StripeError>): string {
  if (error instanceof Stripe.errors.StripeRateLimitError) return "rate_limit";
  if (error instanceof Stripe.errors.StripeConnectionError) return "api_connection_error";
  if (error instanceof Stripe.errors.StripeAuthenticationError) return "authentication_error";
  if (error instanceof Stripe.errors.StripePermissionError) return "permission_error";
  if (error instanceof Stripe.errors.StripeIdempotencyError) return "idempotency_error";
  if ((error.statusCode ?? 0) >= 500) return "api_error";
  return error.rawType ?? "stripe_error";
}
