import ky, { HTTPError, type KyInstance, TimeoutError } from "ky";
import { LessonKitError } from "./errors";
import type { ApiErrorBody } from "./types";

/** Options shared by `LessonKit` and `SessionClient`. */
export interface TransportOptions {
  /** The API origin, e.g. `https://lessonkit.example.com` (a path prefix is kept). */
  baseUrl: string;
  /** Milliseconds one attempt may take before it fails with `type: "timeout_error"`. Default 30 000. */
  timeout?: number;
  /** Retries after the first attempt, on network errors, 429 and 5xx only. Default 2. */
  maxRetries?: number;
  /** Backoff before retry n is `retryDelayMs × 2^(n−1)` (Retry-After wins when present). Default 500. */
  retryDelayMs?: number;
  /** A `Retry-After` longer than this (ms) is capped to it. Default 60 000. */
  maxRetryAfterMs?: number;
  /** A fetch implementation, e.g. for a test server or a runtime without a global fetch. */
  fetch?: typeof fetch;
  /** Extra headers sent on every request. */
  headers?: Record<string, string>;
}

export interface CallOptions {
  /** Sent as `Idempotency-Key`; a POST gets a fresh random one per call when omitted. */
  idempotencyKey?: string;
  /** Aborts the call (no retry follows an abort). */
  signal?: AbortSignal;
}

export interface Call extends CallOptions {
  query?: Record<string, string | number | boolean | undefined | null> | undefined;
  body?: unknown;
}

/** Local clock readings around the attempt that produced a response (for server clock offsets). */
export interface Timing {
  sentAt: number;
  receivedAt: number;
}

type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

const RETRY_STATUSES = [429, ...Array.from({ length: 100 }, (_, i) => 500 + i)];

/** The SDK's one way to the API: auth, JSON, retries, idempotency keys and error mapping. */
export class Transport {
  readonly #ky: KyInstance;
  readonly #baseUrl: string;
  #authorization: string;

  constructor(authorization: string, options: TransportOptions) {
    if (!options?.baseUrl) throw new TypeError("LessonKit: `baseUrl` is required");
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#authorization = authorization;
    const retryDelayMs = options.retryDelayMs ?? 500;
    this.#ky = ky.create({
      headers: { ...withoutAuthorization(options.headers), Accept: "application/json" },
      timeout: options.timeout ?? 30_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      retry: {
        limit: options.maxRetries ?? 2,
        methods: ["get", "post", "put", "patch", "delete"],
        statusCodes: RETRY_STATUSES,
        afterStatusCodes: [429, 503],
        maxRetryAfter: options.maxRetryAfterMs ?? 60_000,
        delay: (attempt) => retryDelayMs * 2 ** (attempt - 1),
        retryOnTimeout: false,
        // A caller's abort is final; everything else that is not an HTTP error is a network error.
        shouldRetry: ({ error }) => (isAbort(error) ? false : undefined),
      },
    });
  }

  /** Replaces the bearer credential for every later call (a call already under way keeps its own). */
  setAuthorization(authorization: string): void {
    this.#authorization = authorization;
  }

  async request<T>(method: HttpMethod, path: string, call: Call = {}): Promise<T> {
    return (await this.requestTimed<T>(method, path, call)).data;
  }

  /** Like `request`, plus the local send/receive times of the attempt that answered. */
  async requestTimed<T>(method: HttpMethod, path: string, call: Call = {}): Promise<{ data: T; timing: Timing }> {
    const timing: Timing = { sentAt: 0, receivedAt: 0 };
    // Read once per call: every retry of this call presents the credential it started with.
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#authorization}` };
    // Generated once per call: every retry of this call carries the same key, so it never acts twice.
    const idempotencyKey = call.idempotencyKey ?? (method === "POST" ? newIdempotencyKey() : undefined);
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    try {
      const response = await this.#ky(this.#baseUrl + path, {
        method,
        headers,
        ...(call.body === undefined ? {} : { json: call.body }),
        ...(call.query ? { searchParams: definedParams(call.query) } : {}),
        ...(call.signal ? { signal: call.signal } : {}),
        hooks: {
          beforeRequest: [
            () => {
              timing.sentAt = Date.now();
            },
          ],
          afterResponse: [
            () => {
              timing.receivedAt = Date.now();
            },
          ],
        },
      });
      const text = await response.text();
      return { data: (text ? JSON.parse(text) : undefined) as T, timing };
    } catch (error) {
      throw await toLessonKitError(error);
    }
  }
}

/** Extra headers may not replace the credentials, in any spelling. */
function withoutAuthorization(headers: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== "authorization"));
}

function definedParams(query: NonNullable<Call["query"]>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params[key] = String(value);
  }
  return params;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

/** 32 hex chars from the platform's CSPRNG (getRandomValues works outside secure contexts too). */
export function newIdempotencyKey(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function toLessonKitError(error: unknown): Promise<LessonKitError> {
  if (error instanceof LessonKitError) return error;
  if (error instanceof HTTPError) {
    const { response } = error;
    const headerRequestId = response.headers.get("Request-Id") ?? undefined;
    let body: Partial<ApiErrorBody> | undefined;
    try {
      body = (await response.json()) as Partial<ApiErrorBody>;
    } catch {
      body = undefined;
    }
    const detail = body?.error;
    return new LessonKitError({
      type: detail?.type ?? "api_error",
      code: detail?.code ?? `http_${response.status}`,
      status: response.status,
      message: detail?.message ?? `The API answered ${response.status} ${response.statusText}`.trim(),
      requestId: detail?.request_id ?? headerRequestId,
      param: detail?.param,
      cause: error,
    });
  }
  if (error instanceof TimeoutError) {
    return new LessonKitError({
      type: "timeout_error",
      code: "timeout",
      status: 0,
      message: "The request timed out",
      cause: error,
    });
  }
  if (isAbort(error)) {
    return new LessonKitError({
      type: "connection_error",
      code: "aborted",
      status: 0,
      message: "The request was aborted",
      cause: error,
    });
  }
  return new LessonKitError({
    type: "connection_error",
    code: "network_error",
    status: 0,
    message: `Could not reach the LessonKit API: ${error instanceof Error ? error.message : String(error)}`,
    cause: error,
  });
}
