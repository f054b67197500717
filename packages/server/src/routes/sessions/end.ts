import { createRoute } from "@hono/zod-openapi";
import { endSession } from "../../domain/sessions/end";
import type { App } from "../context";
import { json, SessionSchema, writeErrorResponses } from "../schemas";
import { sessionParams } from "./status";

const route = createRoute({
  method: "post",
  path: "/v1/sessions/{bookingId}/end",
  tags: ["Sessions"],
  summary: "End the session; the tutor is paid after the release delay unless the student disputes",
  security: [{ ParticipantToken: [] }],
  request: { params: sessionParams },
  responses: { 200: json(SessionSchema, "The ended session"), ...writeErrorResponses },
});

export function register(app: App) {
  app.openapi(route, async (c) => c.json(await endSession(c.get("participantCtx")), 200));
}
