import { type CallOptions, Transport, type TransportOptions } from "./http";
import type { CreatedTenant, CreateTenantParams, DueWorkSummary } from "./types";

export interface LessonKitAdminOptions extends TransportOptions {
  /** The operator's key, the server's `LESSONKIT_ADMIN_KEY`. Never give it to a tenant. */
  adminKey: string;
}

/**
 * The operator's client for `/v1/admin/*`: create tenants (tutoring platforms) and run the due work.
 * Same transport as `LessonKit`: retries, idempotency keys on every POST, `LessonKitError`s.
 */
export class LessonKitAdmin {
  readonly #http: Transport;

  constructor(options: LessonKitAdminOptions) {
    if (!options?.adminKey) throw new TypeError("LessonKitAdmin: `adminKey` is required");
    this.#http = new Transport(options.adminKey, options);
  }

  readonly tenants = {
    /** Returns `{ tenant, secret_key }`: store the `lk_sk_…` key now, it is never shown again. */
    create: (params: CreateTenantParams, options?: CallOptions): Promise<CreatedTenant> =>
      this.#http.request("POST", "/v1/admin/tenants", { ...options, body: params }),
  };

  /** Runs all due work now for every tenant (expiry, no-shows, auto-complete, refunds, releases). */
  tick(options?: CallOptions): Promise<DueWorkSummary> {
    return this.#http.request("POST", "/v1/admin/tick", { ...options });
  }
}
