import pRetry from "p-retry";
import Stripe from "stripe";
import type { Tenant } from "../../domain/context";
import { Invalid } from "../../domain/errors";
import { providerRate } from "../../domain/tenants/provider-budget";
import { type StripeSettings, unsealStripeSettings } from "../../domain/tenants/stripe-settings";
import { Pacer } from "../../lib/pacer";
import type { PaymentTenant } from "../../ports/payments";
import { isRetryable, toProviderError } from "./errors";

export interface StripeOptions {
  /** LESSONKIT_STRIPE_API_URL: a Stripe-compatible server (stripe-mock, a test rig) instead of api.stripe.com. */
  apiUrl?: string | undefined;
  /** stripe-node's own retries of connection errors, 409s and 5xx (default 2). */
  maxNetworkRetries?: number;
  /** Our retries around each call, for rate limits and 5xx that outlast stripe-node's (p-retry). */
  retry?: { retries: number; minTimeoutMs: number; maxTimeoutMs: number };
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Paces each tenant's calls (one shared pacer per process by default). */
  pacer?: Pacer;
  /** Told of every request to Stripe (each retry is one): how long it took and Stripe's error code if it failed. */
  observe?: (request: { tenantId: string; seconds: number; errorCode: string | null }) => void;
  /** How long a rate-limited tenant pauses when Stripe sends no Retry-After (1 s by default). */
  rateLimitPauseMs?: number;
}

const DEFAULT_RETRY = { retries: 4, minTimeoutMs: 500, maxTimeoutMs: 8_000 };

const RATE_LIMIT_PAUSE_MS = 1_000;

/**
 * Stripe clients for tenants: one per secret key, each pointed at the configured host, with
 * stripe-node's retries; `call` adds p-retry with backoff on top and turns failures into
 * PaymentProviderError with Stripe's code.
 */
export class StripeClients {
  readonly #clients = new Map<string, Stripe>();
  readonly #config: Stripe.StripeConfig;
  readonly #retry: NonNullable<StripeOptions["retry"]>;
  readonly #pacer: Pacer;
  readonly #observe: NonNullable<StripeOptions["observe"]>;
  readonly #rateLimitPauseMs: number;

  constructor(
    private readonly secretsKey: Buffer,
    options: StripeOptions = {},
  ) {
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#pacer = options.pacer ?? new Pacer();
    this.#observe = options.observe ?? (() => {});
    this.#rateLimitPauseMs = options.rateLimitPauseMs ?? RATE_LIMIT_PAUSE_MS;
    this.#config = {
      maxNetworkRetries: options.maxNetworkRetries ?? 2,
      timeout: options.timeoutMs ?? 30_000,
      appInfo: { name: "LessonKit" },
      // fetch rather than node:http: the same client in every runtime, and test rigs (msw) see it.
      httpClient: Stripe.createFetchHttpClient(),
      ...hostConfig(options.apiUrl),
    };
  }

  /** The tenant's Stripe settings, or a 422-kind error when the tenant has none. */
  settings(tenant: PaymentTenant | Tenant): StripeSettings {
    const sealed = "stripeSealed" in tenant ? tenant.stripeSealed : null;
    if (!sealed) {
      throw Invalid(
        "stripe_not_configured",
        "This tenant has no Stripe settings; set them with PATCH /v1/tenant (stripe.secret_key, stripe.webhook_secret)",
        "stripe",
      );
    }
    return unsealStripeSettings(this.secretsKey, sealed);
  }

  client(tenant: PaymentTenant | Tenant): Stripe {
    const { secret_key } = this.settings(tenant);
    let client = this.#clients.get(secret_key);
    if (!client) {
      client = new Stripe(secret_key, this.#config);
      this.#clients.set(secret_key, client);
    }
    return client;
  }

  /**
   * Runs one Stripe call, paced to the tenant's budget (every attempt takes a slot), with backoff on
   * retryable failures; a rate limit pauses all of the tenant's calls for Stripe's Retry-After (or a
   * second). Throws PaymentProviderError.
   */
  async call<T>(tenant: PaymentTenant | Tenant, run: (stripe: Stripe) => Promise<T>): Promise<T> {
    const stripe = this.client(tenant);
    const rate = providerRate(tenant);
    try {
      return await pRetry(
        async () => {
          await this.#pacer.take(tenant.id, rate);
          const started = performance.now();
          const seconds = () => (performance.now() - started) / 1000;
          try {
            const result = await run(stripe);
            this.#observe({ tenantId: tenant.id, seconds: seconds(), errorCode: null });
            return result;
          } catch (error) {
            this.#observe({ tenantId: tenant.id, seconds: seconds(), errorCode: toProviderError(error).code });
            throw error;
          }
        },
        {
          retries: this.#retry.retries,
          minTimeout: this.#retry.minTimeoutMs,
          maxTimeout: this.#retry.maxTimeoutMs,
          factor: 2,
          randomize: true,
          shouldRetry: ({ error }) => isRetryable(error),
          onFailedAttempt: ({ error }) => {
            if (error instanceof Stripe.errors.StripeRateLimitError) {
              this.#pacer.pause(tenant.id, retryAfterMs(error) ?? this.#rateLimitPauseMs);
            }
          },
        },
      );
    } catch (error) {
      throw toProviderError(error);
    }
  }
}

/** host / port / protocol options of the Stripe constructor for a base URL. */
export function hostConfig(apiUrl: string | undefined): Pick<Stripe.StripeConfig, "host" | "port" | "protocol"> {
  if (!apiUrl) return {};
  const url = new URL(apiUrl);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host: url.hostname, port: Number(url.port || (protocol === "http" ? 80 : 443)), protocol };
}

/** Stripe's (or a Stripe-compatible server's) Retry-After, in milliseconds, when it sent one. */
function retryAfterMs(error: InstanceType<typeof Stripe.errors.StripeError>): number | null {
  const header = (error.headers as Record<string, string | undefined> | undefined)?.["retry-after"];
  const seconds = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}
