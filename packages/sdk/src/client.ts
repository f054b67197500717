import { type CallOptions, Transport, type TransportOptions } from "./http";
import { PageIterator } from "./pagination";
import type {
  AdvanceClockBody,
  Booking,
  CancelBookingParams,
  CreateBookingParams,
  CreateParticipantTokenBody,
  CreateParticipantTokenParams,
  CreateWebhookEndpointParams,
  DeletedWebhookEndpoint,
  DisputeParams,
  Escrow,
  EscrowWithOperations,
  Event,
  EventWithDeliveries,
  ListBookingsParams,
  ListEscrowsParams,
  ListEventsParams,
  ListOperationsParams,
  ListWebhookEndpointsParams,
  MoneyOperation,
  Page,
  ParticipantToken,
  RedeliverEventParams,
  ResolveDisputeParams,
  Role,
  SandboxPayParams,
  Tenant,
  TestClock,
  TestClockReading,
  TutorBalance,
  UpdateTenantParams,
  UpdateWebhookEndpointParams,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from "./types";

export interface LessonKitOptions extends TransportOptions {
  /** The tenant's secret key, `lk_sk_…`. Server-side only: never ship it to a browser. */
  apiKey: string;
}

/** A list call's filters plus where to start and how many per page. */
export type ListOptions<Filters> = Filters & { starting_after?: string };

const id = (value: string) => encodeURIComponent(value);

/**
 * The platform backend's client (secret key). Every POST carries an `Idempotency-Key`, generated
 * once per call unless given, so retries after a network error, a 429 or a 5xx never act twice.
 */
export class LessonKit {
  readonly #http: Transport;

  constructor(options: LessonKitOptions) {
    if (!options?.apiKey) throw new TypeError("LessonKit: `apiKey` is required");
    this.#http = new Transport(options.apiKey, options);
  }

  #list<T, F extends object>(path: string, params: ListOptions<F> | undefined): PageIterator<T> {
    const { starting_after, ...filters } = (params ?? {}) as ListOptions<F>;
    return new PageIterator<T>(
      (cursor) =>
        this.#http.request<Page<T>>("GET", path, {
          query: { ...(filters as Record<string, string | number | undefined>), starting_after: cursor },
        }),
      starting_after,
    );
  }

  readonly bookings = {
    create: (params: CreateBookingParams, options?: CallOptions): Promise<Booking> =>
      this.#http.request("POST", "/v1/bookings", { ...options, body: params }),
    get: (bookingId: string, options?: CallOptions): Promise<Booking> =>
      this.#http.request("GET", `/v1/bookings/${id(bookingId)}`, { ...options }),
    list: (params?: ListOptions<ListBookingsParams>): PageIterator<Booking> => this.#list("/v1/bookings", params),
    cancel: (bookingId: string, params: CancelBookingParams, options?: CallOptions): Promise<Booking> =>
      this.#http.request("POST", `/v1/bookings/${id(bookingId)}/cancel`, { ...options, body: params }),
    /** A participant token for the browser (`SessionClient`), bound to this booking and role. */
    participantToken: (
      bookingId: string,
      role: Role,
      params: CreateParticipantTokenParams = {},
      options?: CallOptions,
    ): Promise<ParticipantToken> =>
      this.#http.request("POST", `/v1/bookings/${id(bookingId)}/participant-tokens`, {
        ...options,
        body: { ...params, role } satisfies CreateParticipantTokenBody,
      }),
  };

  readonly escrows = {
    /** The escrow with its money operations (transfers, refunds, transfer reversals), oldest first. */
    get: (escrowId: string, options?: CallOptions): Promise<EscrowWithOperations> =>
      this.#http.request("GET", `/v1/escrows/${id(escrowId)}`, { ...options }),
    list: (params?: ListOptions<ListEscrowsParams>): PageIterator<Escrow> => this.#list("/v1/escrows", params),
    dispute: (escrowId: string, params: DisputeParams, options?: CallOptions): Promise<Escrow> =>
      this.#http.request("POST", `/v1/escrows/${id(escrowId)}/dispute`, { ...options, body: params }),
    resolve: (escrowId: string, params: ResolveDisputeParams, options?: CallOptions): Promise<Escrow> =>
      this.#http.request("POST", `/v1/escrows/${id(escrowId)}/resolve`, { ...options, body: params }),
  };

  /**
   * Money operations: every transfer, refund and transfer reversal LessonKit makes or intends at the
   * payment provider. `list({ status: "failed" })` or `{ status: "in_flight" }` finds stuck money.
   */
  readonly operations = {
    list: (params?: ListOptions<ListOperationsParams>): PageIterator<MoneyOperation> =>
      this.#list("/v1/operations", params),
  };

  readonly tutors = {
    /** Pending, disputed and released money per currency, derived from the ledger. */
    balance: (tutorId: string, options?: CallOptions): Promise<TutorBalance> =>
      this.#http.request("GET", `/v1/tutors/${id(tutorId)}/balance`, { ...options }),
  };

  readonly webhookEndpoints = {
    /** The response's `secret` (`whsec_…`) is shown only here and on `rotateSecret`. */
    create: (params: CreateWebhookEndpointParams, options?: CallOptions): Promise<WebhookEndpointWithSecret> =>
      this.#http.request("POST", "/v1/webhook-endpoints", { ...options, body: params }),
    get: (endpointId: string, options?: CallOptions): Promise<WebhookEndpoint> =>
      this.#http.request("GET", `/v1/webhook-endpoints/${id(endpointId)}`, { ...options }),
    list: (params?: ListOptions<ListWebhookEndpointsParams>): PageIterator<WebhookEndpoint> =>
      this.#list("/v1/webhook-endpoints", params),
    update: (
      endpointId: string,
      params: UpdateWebhookEndpointParams,
      options?: CallOptions,
    ): Promise<WebhookEndpoint> =>
      this.#http.request("PATCH", `/v1/webhook-endpoints/${id(endpointId)}`, { ...options, body: params }),
    delete: (endpointId: string, options?: CallOptions): Promise<DeletedWebhookEndpoint> =>
      this.#http.request("DELETE", `/v1/webhook-endpoints/${id(endpointId)}`, { ...options }),
    rotateSecret: (endpointId: string, options?: CallOptions): Promise<WebhookEndpointWithSecret> =>
      this.#http.request("POST", `/v1/webhook-endpoints/${id(endpointId)}/rotate-secret`, { ...options }),
  };

  readonly events = {
    list: (params?: ListOptions<ListEventsParams>): PageIterator<Event> => this.#list("/v1/events", params),
    get: (eventId: string, options?: CallOptions): Promise<EventWithDeliveries> =>
      this.#http.request("GET", `/v1/events/${id(eventId)}`, { ...options }),
    /** Sends the event again with the same `webhook-id` (receivers deduplicate on it). */
    redeliver: (
      eventId: string,
      params: RedeliverEventParams = {},
      options?: CallOptions,
    ): Promise<EventWithDeliveries> =>
      this.#http.request("POST", `/v1/events/${id(eventId)}/redeliver`, { ...options, body: params }),
  };

  readonly tenant = {
    get: (options?: CallOptions): Promise<Tenant> => this.#http.request("GET", "/v1/tenant", { ...options }),
    update: (params: UpdateTenantParams, options?: CallOptions): Promise<Tenant> =>
      this.#http.request("PATCH", "/v1/tenant", { ...options, body: params }),
  };

  /** Sandbox tenants only (and Stripe tenants with a test-mode key): stand-ins for the card payment and for time passing. */
  readonly sandbox = {
    pay: (bookingId: string, params: SandboxPayParams = {}, options?: CallOptions): Promise<Booking> =>
      this.#http.request("POST", `/v1/sandbox/bookings/${id(bookingId)}/pay`, { ...options, body: params }),
    /**
     * This tenant's clock, which its bookings, join windows and releases are measured against:
     * `{ now, offset_seconds, movable }` (`offset_seconds` ahead of the server; `movable` is false
     * for live tenants, whose clock is the server's).
     */
    clock: (options?: CallOptions): Promise<TestClockReading> =>
      this.#http.request("GET", "/v1/sandbox/clock", { ...options }),
    /**
     * Moves this tenant's clock forward and runs its due work: `{ seconds: 86_400 }` (or just
     * `86_400`) for the 24 h release, or `{ to }` (ISO 8601 or a Date) for an exact time, never one
     * before the tenant's now (`clock_cannot_go_back`). Returns `{ now, offset_seconds, due_work }`:
     * the new time and what the due work did (`released`, `no_shows`, …).
     */
    advanceClock: (by: ClockMove, options?: CallOptions): Promise<TestClock> =>
      this.#http.request("POST", "/v1/sandbox/clock", { ...options, body: clockBody(by) }),
  };
}

/** `advanceClock`'s argument: seconds to move forward, or the time to move to. */
export type ClockMove = number | { seconds: number } | { to: string | Date };

function clockBody(by: ClockMove): AdvanceClockBody {
  if (typeof by === "number") return { advance_seconds: by };
  if ("seconds" in by) return { advance_seconds: by.seconds };
  return { to: by.to instanceof Date ? by.to.toISOString() : by.to };
}
