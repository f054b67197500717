import { delay, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { LessonKit, LessonKitError, SessionClient } from "../src/index";
import { apiError, BASE, fakeApi } from "./msw";

const api = fakeApi();
const lk = (options: Partial<ConstructorParameters<typeof LessonKit>[0]> = {}) =>
  new LessonKit({ apiKey: "lk_sk_test", baseUrl: BASE, retryDelayMs: 1, ...options });

async function failure(promise: Promise<unknown>): Promise<LessonKitError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LessonKitError);
  return error as LessonKitError;
}

const keys = () => api.seen.map((request) => request.headers.get("idempotency-key"));

describe("errors", () => {
  it.each([
    [400, "invalid_request_error", "validation_failed", "amount"],
    [401, "authentication_error", "invalid_api_key", undefined],
    [403, "permission_error", "forbidden", undefined],
    [404, "not_found_error", "booking_not_found", undefined],
    [409, "conflict_error", "join_window_not_open", undefined],
    [422, "invalid_request_error", "policy_invalid", "policy"],
  ])(
    "maps a %i to one LessonKitError with the body's fields and does not retry it",
    async (status, type, code, param) => {
      api.reply(() => apiError(status, type, code, param ? { param } : {}));
      const error = await failure(lk().bookings.create({} as never));
      expect(error).toMatchObject({ status, type, code, param, requestId: "req_test123", message: `${code} happened` });
      expect(error.name).toBe("LessonKitError");
      expect(api.seen).toHaveLength(1);
    },
  );

  it("falls back to the Request-Id header and the status when the body is not the API's", async () => {
    api.reply(
      () => new HttpResponse("<html>bad gateway</html>", { status: 418, headers: { "Request-Id": "req_hdr" } }),
    );
    const error = await failure(lk().tenant.get());
    expect(error).toMatchObject({ status: 418, type: "api_error", code: "http_418", requestId: "req_hdr" });
  });

  it("reports a network failure as a connection_error after retrying it", async () => {
    api.reply(() => HttpResponse.error());
    const error = await failure(lk({ maxRetries: 2 }).tenant.get());
    expect(error).toMatchObject({ type: "connection_error", code: "network_error", status: 0 });
    expect(api.seen).toHaveLength(3);
  });
});

describe("retries", () => {
  it("retries a POST after a 5xx with the same Idempotency-Key, then returns the success", async () => {
    api.reply((_, nth) => (nth < 3 ? apiError(500 + nth, "api_error", "internal") : HttpResponse.json({ id: "bk_1" })));
    const booking = await lk().bookings.create({} as never);
    expect(booking).toEqual({ id: "bk_1" });
    expect(api.seen.map((request) => request.method)).toEqual(["POST", "POST", "POST"]);
    expect(new Set(keys()).size).toBe(1);
    expect(keys()[0]).toMatch(/^[0-9a-f]{32}$/);
    // The body is resent unchanged.
    expect(api.seen.every((request) => JSON.stringify(request.body) === "{}")).toBe(true);
  });

  it("retries a POST after a network error with the same Idempotency-Key", async () => {
    api.reply((_, nth) => (nth === 1 ? HttpResponse.error() : HttpResponse.json({ now: "x" })));
    await lk().sandbox.advanceClock(10);
    expect(api.seen).toHaveLength(2);
    expect(keys()[0]).toBe(keys()[1]);
  });

  it("gives up after maxRetries and throws the last error", async () => {
    api.reply(() => apiError(503, "api_error", "unavailable"));
    const error = await failure(lk({ maxRetries: 1 }).bookings.get("bk_1"));
    expect(error).toMatchObject({ status: 503, code: "unavailable" });
    expect(api.seen).toHaveLength(2);
  });

  it("does not retry a 4xx, even a POST", async () => {
    api.reply(() => apiError(409, "conflict_error", "idempotency_key_reused"));
    await failure(lk().bookings.create({} as never));
    expect(api.seen).toHaveLength(1);
  });

  it("honors Retry-After on a 429 before retrying with the same key", async () => {
    const times: number[] = [];
    api.reply((_, nth) => {
      times.push(Date.now());
      return nth === 1
        ? HttpResponse.json(
            { error: { type: "rate_limit_error", code: "rate_limited", message: "slow down", request_id: "r" } },
            {
              status: 429,
              headers: { "Retry-After": "1" },
            },
          )
        : HttpResponse.json({ id: "bk_1" });
    });
    await lk().bookings.cancel("bk_1", { by: "tutor" });
    expect(api.seen).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
    expect(keys()[0]).toBe(keys()[1]);
  });

  it("caps a long Retry-After at maxRetryAfterMs", async () => {
    const started = Date.now();
    api.reply((_, nth) =>
      nth === 1 ? new HttpResponse(null, { status: 429, headers: { "Retry-After": "3600" } }) : HttpResponse.json({}),
    );
    await lk({ maxRetryAfterMs: 20 }).tenant.get();
    expect(api.seen).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("retries a 429 without Retry-After with backoff, and a 429 can still fail the call", async () => {
    api.reply(() => apiError(429, "rate_limit_error", "rate_limited"));
    const error = await failure(lk({ maxRetries: 2 }).tenant.get());
    expect(error).toMatchObject({ status: 429, type: "rate_limit_error" });
    expect(api.seen).toHaveLength(3);
  });

  it("SessionClient calls retry with one key as well", async () => {
    const token = `lk_pt_${Buffer.from(JSON.stringify({ v: 1, bk: "bk_9", r: "student" })).toString("base64url")}.sig`;
    api.reply((_, nth) =>
      nth === 1 ? apiError(502, "api_error", "bad_gateway") : HttpResponse.json({ booking_id: "bk_9" }),
    );
    await new SessionClient({ token, baseUrl: BASE, retryDelayMs: 1 }).dispute("no show");
    expect(api.seen).toHaveLength(2);
    expect(keys()[0]).toBe(keys()[1]);
    expect(keys()[0]).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("timeout, abort and custom fetch", () => {
  it("fails an attempt slower than `timeout` with a timeout_error and does not retry it", async () => {
    api.reply(async () => {
      await delay(500);
      return HttpResponse.json({});
    });
    const started = Date.now();
    const error = await failure(lk({ timeout: 50 }).tenant.get());
    expect(error).toMatchObject({ type: "timeout_error", code: "timeout", status: 0 });
    expect(Date.now() - started).toBeLessThan(400);
    expect(api.seen).toHaveLength(1);
  });

  it("stops at a caller's abort without retrying", async () => {
    api.reply(async () => {
      await delay(500);
      return HttpResponse.json({});
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await failure(lk().bookings.get("bk_1", { signal: controller.signal }));
    expect(error).toMatchObject({ type: "connection_error", code: "aborted" });
    expect(api.seen).toHaveLength(1);
  });

  it("sends every request through a custom fetch", async () => {
    const calls: string[] = [];
    const client = lk({
      fetch: async (input, init) => {
        const request = new Request(input, init);
        calls.push(`${request.method} ${request.url} ${request.headers.get("authorization")}`);
        return Response.json({ id: "tn_1", name: "Acme" });
      },
      headers: { "X-Platform": "acme" },
    });
    expect(await client.tenant.get()).toEqual({ id: "tn_1", name: "Acme" });
    expect(calls).toEqual([`GET ${BASE}/v1/tenant Bearer lk_sk_test`]);
    expect(api.seen).toHaveLength(0);
  });

  it("sends extra headers but never lets them replace the credentials", async () => {
    await lk({ headers: { "X-Platform": "acme", authorization: "Bearer stolen" } }).tenant.get();
    expect(api.seen[0]?.headers.get("x-platform")).toBe("acme");
    expect(api.seen[0]?.headers.get("authorization")).toBe("Bearer lk_sk_test");
  });
});
