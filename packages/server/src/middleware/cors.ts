import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../routes/context";

const ALLOW_METHODS = "GET, POST, PUT";
const ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key";
export const EXPOSE_HEADERS = "Request-Id, Retry-After";

/**
 * CORS for the participant routes: the platform's pages call them from the platform's origin with
 * a participant token in `Authorization` (never a cookie), so any origin may. The headers are set
 * before the handler runs (hono/cors touches `c.res` first, which makes every response be copied
 * into a stream-backed one: a third of a status poll's time).
 */
export const participantCors = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "OPTIONS") {
    return c.body(null, 204, {
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Allow-Methods": ALLOW_METHODS,
      "Access-Control-Allow-Headers": ALLOW_HEADERS,
      "Access-Control-Max-Age": "600",
    });
  }
  grantCors(c);
  await next();
});

/** The CORS headers of a participant route's response (set before its response is built). */
export function grantCors(c: Context<AppEnv>) {
  c.header("Access-Control-Allow-Origin", "*");
  c.header("Access-Control-Expose-Headers", EXPOSE_HEADERS);
}
