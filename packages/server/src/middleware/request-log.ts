import type { Context } from "hono";
import { matchedRoutes } from "hono/route";
import type { Logger } from "../lib/logger";
import type { Metrics } from "../ports/metrics";
import type { AppEnv } from "../routes/context";

/**
 * One line and one observation per request: the log line (request_id, tenant_id, method, route
 * pattern, status, duration_ms) and the request histogram (route pattern and status, never the
 * path, so the series stay bounded). Unexpected errors are logged with their stack here and
 * nowhere else: the response only ever says "internal_error" and the request id.
 */
export class RequestLog {
  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  /** `started` is performance.now() when the request came in. */
  record(
    method: string,
    route: string,
    status: number,
    requestId: string,
    tenantId: string | undefined,
    started: number,
  ) {
    const ms = performance.now() - started;
    this.logger.info(
      { request_id: requestId, tenant_id: tenantId, method, route, status, duration_ms: Math.round(ms * 100) / 100 },
      "request",
    );
    this.metrics.httpRequest(method, route, status, ms / 1000, tenantId);
  }

  /** Records a request that went through the middleware chain, once its response is set. */
  recordFromContext(c: Context<AppEnv>, started: number) {
    const status = c.res.status;
    this.record(c.req.method, routePattern(c, status), status, c.get("requestId"), c.get("tenant")?.id, started);
  }

  unexpected(error: unknown, requestId: string) {
    this.logger.error({ err: error, request_id: requestId }, "unexpected error");
  }
}

/**
 * The pattern of the route that matched (`/v1/bookings/:bookingId`), also when a middleware refused
 * the request before its handler ran. With no route (a 404) it is `unmatched`; a request answered
 * by a middleware alone (a CORS preflight) gets that middleware's pattern.
 */
function routePattern(c: Context<AppEnv>, status: number): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    if (route && route.method !== "ALL") return route.path;
  }
  if (status === 404) return "unmatched";
  return routes[c.req.routeIndex]?.path ?? "unmatched";
}
