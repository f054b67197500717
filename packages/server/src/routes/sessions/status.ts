import { createRoute } from "@hono/zod-openapi";
import { getSessionStatus } from "../../domain/sessions/status";
import { authenticateParticipant } from "../../middleware/auth";
import { grantCors } from "../../middleware/cors";
import type { App } from "../env";
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

export function serveAhead(app: App) {
  app.get("/v1/sessions/:bookingId", async (c) => {
    grantCors(c);
    await authenticateParticipant(c);
    return c.json(await getSessionStatus(c.get("participantCtx")), 200);
  });
}
