import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";

export const BASE = "https://api.lessonkit.test";

/** One request as the API saw it. */
export interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Headers;
  body: unknown;
}

type Reply = (request: Seen, nth: number) => Response | Promise<Response>;

/**
 * An msw-backed fake API: records every request and answers through `reply` (200 `{}` by default).
 * `nth` counts requests from 1 within a test.
 */
export function fakeApi() {
  const seen: Seen[] = [];
  let reply: Reply = () => HttpResponse.json({});
  const server = setupServer(
    http.all(`${BASE}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const text = await request.text();
      const entry: Seen = {
        method: request.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      seen.push(entry);
      return reply(entry, seen.length);
    }),
  );
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => {
    seen.length = 0;
    reply = () => HttpResponse.json({});
  });
  afterAll(() => server.close());
  return {
    seen,
    reply(next: Reply) {
      reply = next;
    },
  };
}

/** An API error body the way the server writes it. */
export function apiError(status: number, type: string, code: string, extra: Record<string, unknown> = {}) {
  return HttpResponse.json(
    { error: { type, code, message: `${code} happened`, request_id: "req_test123", ...extra } },
    { status, headers: { "Request-Id": "req_test123" } },
  );
}
