import type { Context, MiddlewareHandler } from "hono";
import type { Deps } from "../../domain/context";
import type { App } from "../context";

/** The Prometheus text exposition of this instance's metrics (the backlog gauges are read now). */
export async function metricsResponse(deps: Deps): Promise<Response> {
  const { contentType, body } = await deps.metrics.render();
  return new Response(body, { status: 200, headers: { "content-type": contentType } });
}

/**
 * `GET /metrics` on the API port, behind `guard` (the admin key). Not part of the API contract
 * (openapi.json): it is for the operator's Prometheus, and LESSONKIT_METRICS_PORT moves it off the
 * API port altogether.
 */
export function register(app: App, guard: MiddlewareHandler) {
  app.get("/metrics", guard, (c: Context) => metricsResponse(c.get("deps")));
}
