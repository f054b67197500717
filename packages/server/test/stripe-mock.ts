import { createHash } from "node:crypto";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import Stripe from "stripe";
import { StripeClients, type StripeOptions } from "../src/adapters/stripe/client";
import { StripePayments } from "../src/adapters/stripe/payments";
import { deriveKey } from "../src/lib/crypto";
import { ManualClock } from "../src/ports/clock";
import type { PaymentProvider, TransferInput } from "../src/ports/payments";
import {
  ADMIN_KEY,
  bookingBody,
  createTestServer,
  HOUR,
  participantTokens,
  SECRET,
  type TestServer,
  type TestServerOptions,
} from "./harness";

/**
 * A fake Stripe API for msw, answering the calls LessonKit makes the way Stripe does: object
 * shapes, status codes, error bodies (`{ error: { type, code, message, param } }`), and idempotency
 * (the same Idempotency-Key with the same parameters replays the first response with
 * `Idempotent-Replayed: true`; with other parameters it is a 400 idempotency_error). Faults can be
 * injected per request: 429 / 500 bursts, and a "lost response" where Stripe does the work but the
 * caller never hears back. Stripe events for webhooks are built from its current objects.
 */

export const STRIPE_API = "http://stripe.test:12111";

/**
 * One msw server for the process (several listening at once would fight over each request);
 * each fake answers at its own host.
 */
const fakesByHost = new Map<string, (request: Request) => Promise<Response>>();
let sharedServer: ReturnType<typeof setupServer> | null = null;
let hostCounter = 0;

function attach(host: string, handler: (request: Request) => Promise<Response>) {
  fakesByHost.set(host, handler);
  if (!sharedServer) {
    sharedServer = setupServer(
      http.all("*", ({ request }) => {
        const handle = fakesByHost.get(new URL(request.url).host);
        return handle ? handle(request) : undefined;
      }),
    );
    sharedServer.listen({ onUnhandledRequest: "error" });
  }
}

function detach(host: string) {
  fakesByHost.delete(host);
  if (fakesByHost.size === 0 && sharedServer) {
    sharedServer.close();
    sharedServer = null;
  }
}
export const SECRET_KEY = "sk_test_lessonkitFake0123456789";
export const WEBHOOK_SECRET = "whsec_lessonkitAccountEndpoint0123";
export const CONNECT_WEBHOOK_SECRET = "whsec_lessonkitConnectEndpoint0123";

// biome-ignore lint/suspicious/noExplicitAny: Stripe objects are loose JSON here
type Obj = Record<string, any>;

export interface RecordedRequest {
  method: string;
  path: string;
  params: Obj;
  idempotencyKey: string | null;
  status: number;
  replayed: boolean;
  /** When it arrived (performance.now(), real time: rate limits count real seconds). */
  at: number;
}

/** What the next matching request meets: an error, a lost response, or (`pass`) normal service. */
export type Fault = { status: 429 | 500; retryAfterSeconds?: number } | { lostResponse: true } | { pass: true };

interface StoredResponse {
  paramsHash: string;
  route: string;
  status: number;
  body: Obj;
}

/** `clock` is Stripe's time (tests share the server's manual clock). */
export function createFakeStripe(clock: { now(): number } = { now: () => Date.now() }) {
  let counter = 0;
  const id = (prefix: string) => `${prefix}_${(++counter).toString(36).padStart(14, "0")}`;
  const now = () => Math.floor(clock.now() / 1000);

  const intents = new Map<string, Obj>();
  const charges = new Map<string, Obj>();
  const refunds = new Map<string, Obj>();
  const transfers = new Map<string, Obj>();
  const accounts = new Map<string, Obj>();
  const idempotency = new Map<string, StoredResponse>();
  const requests: RecordedRequest[] = [];
  const faults: { match: RegExp; fault: Fault }[] = [];
  const refusedReversals = new Set<string>();
  /**
   * Events Stripe would send for what happens to its objects, whoever did it (the dashboard, a card
   * network, LessonKit's own calls), once `recordEvents()` turned the log on; each is a snapshot of the
   * object at that moment.
   */
  const emitted: Obj[] = [];
  let recording = false;
  const emit = (type: string, object: Obj, options: { account?: string } = {}) => {
    if (recording) emitted.push(event(type, object, options));
  };

  /** Stripe's own limiter, a token bucket: `perSecond` tokens, refilled at `perSecond` a second (real time). */
  let rateLimit: { perSecond: number; tokens: number; at: number } | null = null;

  const error = (status: number, body: Obj) => ({ status, body: { error: body } });
  const missing = (kind: string, value: string, param = "id") =>
    error(404, {
      type: "invalid_request_error",
      code: "resource_missing",
      param,
      message: `No such ${kind}: '${value}'`,
    });

  function account(accountId: string): Obj {
    let found = accounts.get(accountId);
    if (!found) {
      found = {
        id: accountId,
        object: "account",
        type: "express",
        charges_enabled: true,
        payouts_enabled: true,
        details_submitted: true,
      };
      accounts.set(accountId, found);
    }
    return found;
  }

  /** The work of each endpoint: returns status and body, mutating the fake's state. */
  function execute(method: string, path: string, params: Obj): { status: number; body: Obj } {
    const route = (pattern: RegExp, verb: string) => (method === verb ? path.match(pattern) : null);
    let match: RegExpMatchArray | null = null;
    if (method === "POST" && path === "/v1/payment_intents") {
      const amount = Number(params.amount);
      if (!Number.isInteger(amount) || amount < 50) {
        return error(400, {
          type: "invalid_request_error",
          code: "amount_too_small",
          param: "amount",
          message: "Amount must be at least $0.50 usd",
        });
      }
      const intent: Obj = {
        id: id("pi"),
        object: "payment_intent",
        amount,
        amount_received: 0,
        currency: params.currency,
        status: "requires_payment_method",
        transfer_group: params.transfer_group ?? null,
        metadata: params.metadata ?? {},
        latest_charge: null,
        last_payment_error: null,
        livemode: false,
        created: now(),
      };
      intent.client_secret = `${intent.id}_secret_${createHash("sha256").update(intent.id).digest("hex").slice(0, 24)}`;
      intents.set(intent.id, intent);
      return { status: 200, body: intent };
    }
    match = route(/^\/v1\/payment_intents\/([^/]+)$/, "GET");
    if (match) {
      const intent = intents.get(match[1] as string);
      return intent ? { status: 200, body: intent } : missing("payment_intent", match[1] as string);
    }
    match = route(/^\/v1\/payment_intents\/([^/]+)\/cancel$/, "POST");
    if (match) {
      const intent = intents.get(match[1] as string);
      if (!intent) return missing("payment_intent", match[1] as string);
      if (intent.status === "succeeded" || intent.status === "canceled") {
        return error(400, {
          type: "invalid_request_error",
          code: "payment_intent_unexpected_state",
          message: `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
        });
      }
      intent.status = "canceled";
      intent.cancellation_reason = params.cancellation_reason ?? null;
      emit("payment_intent.canceled", intent);
      return { status: 200, body: intent };
    }
    if (method === "POST" && path === "/v1/refunds") {
      const charge = params.charge
        ? charges.get(params.charge)
        : [...charges.values()].find((c) => c.payment_intent === params.payment_intent);
      if (!charge) return missing("charge", params.charge ?? params.payment_intent, "charge");
      if (charge.dispute && charge.dispute.status !== "won") {
        return error(400, {
          type: "invalid_request_error",
          code: "charge_disputed",
          message: `Charge ${charge.id} has been charged back; cannot issue a refund.`,
        });
      }
      const remaining = charge.amount - charge.amount_refunded;
      const amount = params.amount === undefined ? remaining : Number(params.amount);
      if (remaining === 0) {
        return error(400, {
          type: "invalid_request_error",
          code: "charge_already_refunded",
          message: `Charge ${charge.id} has already been refunded.`,
        });
      }
      if (amount > remaining) {
        return error(400, {
          type: "invalid_request_error",
          code: "amount_too_large",
          param: "amount",
          message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
        });
      }
      const refund = {
        id: id("re"),
        object: "refund",
        amount,
        charge: charge.id,
        payment_intent: charge.payment_intent,
        currency: charge.currency,
        status: "succeeded",
        metadata: params.metadata ?? {},
        created: now(),
      };
      refunds.set(refund.id, refund);
      charge.amount_refunded += amount;
      charge.refunded = charge.amount_refunded === charge.amount;
      emit("charge.refunded", publicCharge(charge));
      return { status: 200, body: refund };
    }
    if (method === "POST" && path === "/v1/transfers") {
      const amount = Number(params.amount);
      if (!params.destination) {
        return error(400, {
          type: "invalid_request_error",
          code: "parameter_missing",
          param: "destination",
          message: "Missing required param: destination.",
        });
      }
      if (params.source_transaction && !charges.has(params.source_transaction)) {
        return missing("charge", params.source_transaction, "source_transaction");
      }
      account(params.destination);
      const transfer: Obj = {
        id: id("tr"),
        object: "transfer",
        amount,
        amount_reversed: 0,
        currency: params.currency,
        destination: params.destination,
        source_transaction: params.source_transaction ?? null,
        transfer_group: params.transfer_group ?? null,
        metadata: params.metadata ?? {},
        reversed: false,
        reversals: { object: "list", data: [], has_more: false, url: "" },
        livemode: false,
        created: now(),
      };
      transfer.reversals.url = `/v1/transfers/${transfer.id}/reversals`;
      transfers.set(transfer.id, transfer);
      return { status: 200, body: transfer };
    }
    match = route(/^\/v1\/charges\/([^/]+)$/, "GET");
    if (match) {
      const charge = charges.get(match[1] as string);
      return charge ? { status: 200, body: publicCharge(charge) } : missing("charge", match[1] as string);
    }
    match = route(/^\/v1\/transfers\/([^/]+)$/, "GET");
    if (match) {
      const transfer = transfers.get(match[1] as string);
      return transfer ? { status: 200, body: transfer } : missing("transfer", match[1] as string);
    }
    if (method === "GET" && path === "/v1/transfers") {
      const limit = Math.min(Number(params.limit ?? 10), 100);
      const all = [...transfers.values()]
        .filter((t) => params.transfer_group === undefined || t.transfer_group === params.transfer_group)
        .filter((t) => params.destination === undefined || t.destination === params.destination)
        .reverse();
      return {
        status: 200,
        body: { object: "list", data: all.slice(0, limit), has_more: all.length > limit, url: "/v1/transfers" },
      };
    }
    match = route(/^\/v1\/transfers\/([^/]+)\/reversals$/, "POST");
    if (match) {
      const transfer = transfers.get(match[1] as string);
      if (!transfer) return missing("transfer", match[1] as string);
      if (refusedReversals.has(transfer.destination)) {
        return error(400, {
          type: "invalid_request_error",
          code: "balance_insufficient",
          message: "Insufficient funds in the destination account to reverse this transfer.",
        });
      }
      const amount = params.amount === undefined ? transfer.amount - transfer.amount_reversed : Number(params.amount);
      if (amount > transfer.amount - transfer.amount_reversed) {
        return error(400, {
          type: "invalid_request_error",
          code: "amount_too_large",
          param: "amount",
          message: "The amount to reverse exceeds what remains of the transfer.",
        });
      }
      const reversal = {
        id: id("trr"),
        object: "transfer_reversal",
        amount,
        currency: transfer.currency,
        transfer: transfer.id,
        metadata: params.metadata ?? {},
        created: now(),
      };
      transfer.reversals.data.push(reversal);
      transfer.amount_reversed += amount;
      transfer.reversed = transfer.amount_reversed === transfer.amount;
      emit("transfer.reversed", transfer);
      return { status: 200, body: reversal };
    }
    match = route(/^\/v1\/accounts\/([^/]+)$/, "GET");
    if (match) {
      return { status: 200, body: account(match[1] as string) };
    }
    return error(404, {
      type: "invalid_request_error",
      message: `Unrecognized request URL (${method}: ${path}).`,
    });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method;
    const path = url.pathname;
    const auth = request.headers.get("authorization");
    const params = parseForm(method === "GET" ? url.searchParams.toString() : await request.text());
    const idempotencyKey = request.headers.get("idempotency-key");
    const at = performance.now();
    const record = (status: number, replayed = false) =>
      requests.push({ method, path, params, idempotencyKey, status, replayed, at });
    const headers: Record<string, string> = { "request-id": `req_${(++counter).toString(36)}` };
    if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;

    if (auth !== `Bearer ${SECRET_KEY}`) {
      record(401);
      return HttpResponse.json(
        {
          error: {
            type: "invalid_request_error",
            message: `Invalid API Key provided: ${auth?.slice(7, 15) ?? ""}****`,
          },
        },
        { status: 401, headers },
      );
    }

    const faultIndex = faults.findIndex((f) => f.match.test(`${method} ${path}`));
    let fault = faultIndex >= 0 ? faults.splice(faultIndex, 1)[0]?.fault : undefined;
    if (rateLimit) {
      rateLimit.tokens = Math.min(
        rateLimit.perSecond,
        rateLimit.tokens + ((at - rateLimit.at) * rateLimit.perSecond) / 1000,
      );
      rateLimit.at = at;
      if (rateLimit.tokens < 1) fault = { status: 429 };
      else rateLimit.tokens -= 1;
    }
    if (fault && "status" in fault) {
      record(fault.status);
      const body =
        fault.status === 429
          ? {
              error: {
                type: "invalid_request_error",
                code: "rate_limit",
                message:
                  "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
              },
            }
          : { error: { type: "api_error", message: "An unknown error occurred" } };
      if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
      return HttpResponse.json(body, { status: fault.status, headers });
    }

    const paramsHash = createHash("sha256").update(JSON.stringify(params)).digest("hex");
    const route = `${method} ${path}`;
    const stored = method === "POST" && idempotencyKey ? idempotency.get(idempotencyKey) : undefined;
    if (stored) {
      if (stored.paramsHash !== paramsHash || stored.route !== route) {
        record(400);
        return HttpResponse.json(
          {
            error: {
              type: "idempotency_error",
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            },
          },
          { status: 400, headers },
        );
      }
      record(stored.status, true);
      return HttpResponse.json(stored.body, {
        status: stored.status,
        headers: { ...headers, "idempotent-replayed": "true" },
      });
    }
    const { status, body } = execute(method, path, params);
    if (method === "POST" && idempotencyKey) idempotency.set(idempotencyKey, { paramsHash, route, status, body });
    record(status);
    if (fault && "lostResponse" in fault) return HttpResponse.error();
    return HttpResponse.json(body, { status, headers });
  }

  // The first fake answers at STRIPE_API; others alive at the same time get hosts of their own.
  const apiUrl = fakesByHost.has(new URL(STRIPE_API).host) ? `http://stripe-${++hostCounter}.test:12111` : STRIPE_API;
  const host = new URL(apiUrl).host;
  const server = {
    listen: () => attach(host, handle),
    close: () => detach(host),
  };

  /** A charge as Stripe shows it (without the fake's own bookkeeping). */
  function publicCharge(charge: Obj): Obj {
    const { dispute: _dispute, ...shown } = charge;
    return shown;
  }

  /** A Stripe event with the current state of `object`, as Stripe would post it. */
  function event(type: string, object: Obj, options: { account?: string; livemode?: boolean; created?: number } = {}) {
    return {
      id: id("evt"),
      object: "event",
      api_version: Stripe.API_VERSION,
      created: options.created ?? now(),
      data: { object: structuredClone(object) },
      livemode: options.livemode ?? false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      ...(options.account ? { account: options.account } : {}),
    };
  }

  return {
    server,
    apiUrl,
    /** Answers one request like Stripe: serve it over real HTTP for a LessonKit in another process. */
    handle,
    requests,
    intents,
    charges,
    transfers,
    refunds,
    accounts,
    event,
    /** The next `count` requests matching `match` (e.g. /POST \/v1\/transfers/) fail with `fault`. */
    inject(match: RegExp, fault: Fault, count = 1) {
      for (let i = 0; i < count; i++) faults.push({ match, fault });
    },
    pendingFaults: () => faults.length,
    /** Stripe is healthy again: drops the faults still waiting. */
    clearFaults: () => {
      faults.length = 0;
    },
    /** Turns Stripe's rate limiter on: a request finding the bucket of `perSecond` tokens empty gets a 429. */
    limitRate(perSecond: number) {
      rateLimit = { perSecond, tokens: perSecond, at: performance.now() };
    },
    /** Stripe forgets idempotency keys after 24 hours. */
    forgetIdempotencyKeys: () => idempotency.clear(),
    refuseReversalsFor: (accountId: string) => refusedReversals.add(accountId),
    setPayoutsEnabled(accountId: string, enabled: boolean) {
      account(accountId).payouts_enabled = enabled;
      emit("account.updated", account(accountId), { account: accountId });
      return account(accountId);
    },
    /** The student confirms the card payment: the intent succeeds and its charge exists. */
    succeed(paymentIntentId: string) {
      const intent = intents.get(paymentIntentId);
      if (!intent) throw new Error(`no intent ${paymentIntentId}`);
      const charge = {
        id: id("ch"),
        object: "charge",
        amount: intent.amount,
        amount_captured: intent.amount,
        amount_refunded: 0,
        currency: intent.currency,
        payment_intent: intent.id,
        paid: true,
        captured: true,
        refunded: false,
        disputed: false,
        status: "succeeded",
        transfer_group: intent.transfer_group,
        metadata: intent.metadata,
        livemode: false,
        created: now(),
      };
      charges.set(charge.id, charge);
      intent.status = "succeeded";
      intent.amount_received = intent.amount;
      intent.latest_charge = charge.id;
      emit("charge.succeeded", charge);
      emit("payment_intent.succeeded", intent);
      return { intent, charge };
    },
    fail(paymentIntentId: string) {
      const intent = intents.get(paymentIntentId);
      if (!intent) throw new Error(`no intent ${paymentIntentId}`);
      intent.status = "requires_payment_method";
      intent.last_payment_error = {
        type: "card_error",
        code: "card_declined",
        decline_code: "insufficient_funds",
        message: "Your card has insufficient funds.",
      };
      emit("payment_intent.payment_failed", intent);
      return intent;
    },
    /** A refund made in the Stripe dashboard (no idempotency key, not by LessonKit). */
    dashboardRefund(chargeId: string, amount: number) {
      const result = execute("POST", "/v1/refunds", { charge: chargeId, amount: String(amount) });
      if (result.status !== 200) throw new Error(JSON.stringify(result.body));
      return charges.get(chargeId) as Obj;
    },
    /**
     * The charge's dispute, opened on first call (for what is not refunded then) and moved to `status`
     * (`won` / `lost` close it): refunds are refused while it is open or once it is lost.
     */
    dispute(chargeId: string, status: "needs_response" | "won" | "lost" = "needs_response") {
      const charge = charges.get(chargeId);
      if (!charge) throw new Error(`no charge ${chargeId}`);
      charge.disputed = true;
      charge.dispute ??= {
        id: `dp_${chargeId.slice(3)}`,
        object: "dispute",
        amount: charge.amount - charge.amount_refunded,
        currency: charge.currency,
        charge: chargeId,
        payment_intent: charge.payment_intent,
        reason: "fraudulent",
        status,
        livemode: false,
        created: now(),
      };
      const opening = charge.dispute.status === status && status === "needs_response";
      charge.dispute.status = status;
      emit(opening ? "charge.dispute.created" : "charge.dispute.closed", charge.dispute);
      return structuredClone(charge.dispute);
    },
    /** A reversal made in the Stripe dashboard. */
    dashboardReversal(transferId: string, amount: number) {
      const result = execute("POST", `/v1/transfers/${transferId}/reversals`, { amount: String(amount) });
      if (result.status !== 200) throw new Error(JSON.stringify(result.body));
      return transfers.get(transferId) as Obj;
    },
    /** The PaymentIntent canceled in the dashboard. */
    cancelIntent(paymentIntentId: string) {
      const result = execute("POST", `/v1/payment_intents/${paymentIntentId}/cancel`, {});
      if (result.status !== 200) throw new Error(JSON.stringify(result.body));
      return intents.get(paymentIntentId) as Obj;
    },
    /** Turns the event log on: from now, every change Stripe would announce is in `emitted`. */
    recordEvents() {
      recording = true;
    },
    emitted,
    transfersTo: (destination: string) => [...transfers.values()].filter((t) => t.destination === destination),
    /** Requests that reached Stripe's logic (not injected faults, not replays). */
    executed: (pattern: RegExp) =>
      requests.filter(
        (r) => !r.replayed && r.status < 500 && r.status !== 429 && pattern.test(`${r.method} ${r.path}`),
      ),
  };
}

export type FakeStripe = ReturnType<typeof createFakeStripe>;

/** Decodes Stripe's form encoding (`metadata[key]=value`, `a[b][c]=d`) into nested objects. */
export function parseForm(body: string): Obj {
  const out: Obj = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const parts = rawKey.split(/\[|\]\[|\]/).filter((part) => part !== "");
    let target = out;
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1) target[part] = value;
      else target = target[part] ??= {};
    }
  }
  return out;
}

/** Signs a Stripe event body as Stripe does (stripe-node's own test helper). */
export function signedWebhook(payload: Obj | string, options: { secret?: string; timestamp?: number } = {}) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload, null, 2);
  const header = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret: options.secret ?? WEBHOOK_SECRET,
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
  });
  return { body, header };
}

export const TUTOR_ACCOUNT = "acct_1TutorTina000001";

/**
 * A real app over a real database whose Stripe calls go to the fake (through
 * LESSONKIT_STRIPE_API_URL's option), with a Stripe tenant configured through the admin API.
 */
export async function createStripeTestServer(
  options: TestServerOptions & {
    livemode?: boolean;
    /** The tenant's Stripe budget (calls per second); tests run at the highest unless they say. */
    providerRate?: number | null;
    /** Builds the Stripe adapter from the options that point at this fake (to observe or break it). */
    stripeProvider?: (options: StripeOptions) => PaymentProvider;
  } = {},
) {
  const clock = options.clock ?? new ManualClock(Date.UTC(2030, 0, 1, 8, 0, 0));
  const fake = createFakeStripe(clock);
  fake.server.listen();
  const stripe: StripeOptions = {
    apiUrl: fake.apiUrl,
    maxNetworkRetries: 0,
    retry: { retries: 8, minTimeoutMs: 1, maxTimeoutMs: 4 },
    rateLimitPauseMs: 5,
    ...options.stripe,
  };
  const server = await createTestServer({
    ...options,
    clock,
    stripe,
    ...(options.stripeProvider ? { providers: { stripe: options.stripeProvider(stripe) } } : {}),
  });
  const { tenant, key } = await server.createTenant({
    payment_provider: "stripe",
    stripe: {
      secret_key: options.livemode ? SECRET_KEY.replace("sk_test_", "sk_live_") : SECRET_KEY,
      webhook_secret: WEBHOOK_SECRET,
      connect_webhook_secret: CONNECT_WEBHOOK_SECRET,
    },
    provider_requests_per_second: options.providerRate === undefined ? 100 : options.providerRate,
  });

  /** Posts a signed Stripe event to the tenant's webhook endpoint, signed now (server clock). */
  async function deliver(
    payload: Obj | string,
    signing: { secret?: string; timestamp?: number; tenantId?: string; alter?: (body: string) => string } = {},
  ) {
    const signed = signedWebhook(payload, {
      secret: signing.secret ?? WEBHOOK_SECRET,
      timestamp: signing.timestamp ?? Math.floor(server.clock.now() / 1000),
    });
    const body = signing.alter ? signing.alter(signed.body) : signed.body;
    const res = await server.app.request(`/v1/stripe/webhooks/${signing.tenantId ?? tenant.id}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Stripe-Signature": signed.header },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }

  /** Books a lesson for the Stripe tenant (tutor with a connected account). */
  async function book(overrides: Obj = {}, startsIn = 2 * HOUR) {
    const res = await server.call("POST", "/v1/bookings", {
      key,
      body: bookingBody(
        server.clock,
        {
          tutor: { id: "tutor_1", name: "Tina Tutor", stripe_account: TUTOR_ACCOUNT },
          ...overrides,
        },
        startsIn,
      ),
    });
    if (res.status !== 200) throw new Error(`booking failed: ${JSON.stringify(res.body)}`);
    const intent = [...fake.intents.values()].find((i) => i.metadata.lessonkit_booking_id === res.body.id);
    if (!intent) throw new Error("no payment intent was created");
    return {
      booking: res.body,
      id: res.body.id as string,
      escrowId: res.body.escrow.id as string,
      intentId: intent.id as string,
    };
  }

  /** Books and pays (payment_intent.succeeded delivered). */
  async function paidBooking(overrides: Obj = {}, startsIn = 2 * HOUR) {
    const booked = await book(overrides, startsIn);
    const { intent, charge } = fake.succeed(booked.intentId);
    const res = await deliver(fake.event("payment_intent.succeeded", intent));
    if (res.status !== 200) throw new Error(`webhook failed: ${JSON.stringify(res.body)}`);
    return { ...booked, chargeId: charge.id as string };
  }

  /** Runs the session (both join, the tutor ends it at the scheduled end). */
  async function runSession(bookingId: string) {
    const tokens = await participantTokens(server, key, bookingId);
    const { booking } = await loadBookingRow(server, key, bookingId);
    server.clock.set(Date.parse(booking.scheduled_start));
    for (const [role, verb] of [
      ["tutor", "start"],
      ["student", "join"],
    ] as const) {
      const res = await server.call("POST", `/v1/sessions/${bookingId}/${verb}`, { key: tokens[role] });
      if (res.status !== 200) throw new Error(`${verb} failed: ${JSON.stringify(res.body)}`);
    }
    server.clock.set(Date.parse(booking.ends_at));
    const ended = await server.call("POST", `/v1/sessions/${bookingId}/end`, { key: tokens.tutor });
    if (ended.status !== 200) throw new Error(`end failed: ${JSON.stringify(ended.body)}`);
    return ended.body;
  }

  async function tick() {
    const res = await server.call("POST", "/v1/admin/tick", { key: ADMIN_KEY });
    if (res.status !== 200) throw new Error(`tick failed: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async function escrow(escrowId: string) {
    return (await server.call("GET", `/v1/escrows/${escrowId}`, { key })).body;
  }

  return {
    ...server,
    fake,
    tenant,
    key,
    deliver,
    book,
    paidBooking,
    runSession,
    tick,
    escrow,
    close: async () => {
      fake.server.close();
      await server.close();
    },
  };
}

export type StripeTestServer = Awaited<ReturnType<typeof createStripeTestServer>>;

async function loadBookingRow(server: TestServer, key: string, bookingId: string) {
  const res = await server.call("GET", `/v1/bookings/${bookingId}`, { key });
  return { booking: res.body };
}

/**
 * A `stripeProvider` whose first `times` transfers reach Stripe and then fail with `message`, as if
 * the process died or the connection dropped after Stripe made the transfer: our database never
 * hears of it.
 */
export function crashAfterTransfer(message: string, times = 1) {
  let left = times;
  class CrashingStripe extends StripePayments {
    override async transfer(input: TransferInput) {
      const result = await super.transfer(input);
      if (left-- > 0) throw new Error(message);
      return result;
    }
  }
  return (options: StripeOptions) =>
    new CrashingStripe(new StripeClients(deriveKey(SECRET, "tenant-secrets"), options));
}
