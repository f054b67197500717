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

export function register(app: App) {
  app.openapi(route, async (c) => c.json(await getSessionStatus(c.get("participantCtx")), 200));
}
