import { createRoute } from "@hono/zod-openapi";
import { getSessionStatus } from "../../domain/sessions/status";
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
 * The route every participant's screen polls. It is documented like the others but served without
 * the schema validator: `bookingId` has already been checked by the participant middleware, which
 * refuses any id but the one the token was signed for, and validating it again was a sixth of a
 * poll's time.
 */
export function register(app: App) {
  app.openAPIRegistry.registerPath(route);
  app.get("/v1/sessions/:bookingId", async (c) => c.json(await getSessionStatus(c.get("participantCtx")), 200));
}
