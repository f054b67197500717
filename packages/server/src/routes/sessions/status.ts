import { createRoute } from "@hono/zod-openapi";
import type { Deps } from "../../domain/context";
import { getSessionStatus } from "../../domain/sessions/status";
import { newRequestId } from "../../lib/ids";
import { authenticateParticipant } from "../../middleware/auth";
import { EXPOSE_HEADERS, grantCors } from "../../middleware/cors";
import type { RequestLog } from "../../middleware/request-log";
import type { App } from "../context";
import { errorResponse, toApiError } from "../errors";
import { errorResponses, IdParam, json, SessionSchema } from "../schemas";

export const sessionParams = IdParam("bookingId", "bk_…");

const route = createRoute({
  method: "get",
  path: "/v1/sessions/{bookingId}",
  tags: ["Sessions"],
  summary: "Session status for the token's participant",
  security: [{ ParticipantToken: [] }],
  request: { params: sessionParams },
  responses: { 200: json(SessionSchema, "The session"), ...errorResponses },
});

/**
 * The route every participant's screen polls. Its handler is mounted ahead of the middleware chain
 * (`serveAhead`, called early in app.ts): it runs the same participant check and CORS grant itself,
 * and skips only what a GET skips anyway (body limit, Idempotency-Key). It is documented like the
 * others (`register`, in the usual order) but served without the schema validator: `bookingId` is
 * pinned by the participant check to the id the token was signed for.
 */
export function register(app: App) {
  app.openAPIRegistry.registerPath(route);
}

/** The pattern this route is logged and counted under, like every other route. */
const ROUTE = "/v1/sessions/:bookingId";

export function serveAhead(app: App, deps: Deps, requestLog: RequestLog) {
  app.get(ROUTE, async (c) => {
    const started = performance.now();
    const requestId = newRequestId();
    c.set("requestId", requestId);
    c.set("deps", deps);
    let body: string;
    try {
      await authenticateParticipant(c);
      body = JSON.stringify(await getSessionStatus(c.get("participantCtx")));
    } catch (error) {
      // The same error path as app.onError, with the same headers, and the same request line.
      const apiError = toApiError(error);
      if (apiError.status >= 500) requestLog.unexpected(error, requestId);
      c.header("Request-Id", requestId);
      grantCors(c);
      requestLog.record("GET", ROUTE, apiError.status, requestId, c.get("tenant")?.id, started);
      return errorResponse(c, apiError);
    }
    requestLog.record("GET", ROUTE, 200, requestId, c.get("participantCtx").tenant.id, started);
    // A plain header object rather than Hono's Headers: the Node adapter writes it as it is.
    return new Response(body, {
      status: 200,
      headers: {
        "content-type": "application/json",
        "request-id": requestId,
        "access-control-allow-origin": "*",
        "access-control-expose-headers": EXPOSE_HEADERS,
      },
    });
  });
}
