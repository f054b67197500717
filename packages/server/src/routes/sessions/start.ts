import { createRoute } from "@hono/zod-openapi";
import { enterSession } from "../../domain/sessions/enter";
import type { App } from "../context";
import { json, SessionWithVideoSchema, writeErrorResponses } from "../schemas";
import { sessionParams } from "./status";

const start = createRoute({
  method: "post",
  path: "/v1/sessions/{bookingId}/start",
  tags: ["Sessions"],
  summary: "Start the session (from join_opens_at); on a running session this joins",
  security: [{ ParticipantToken: [] }],
  request: { params: sessionParams },
  responses: {
    200: json(SessionWithVideoSchema, "The session and this participant's video credentials"),
    ...writeErrorResponses,
  },
});

const join = createRoute({
  method: "post",
  path: "/v1/sessions/{bookingId}/join",
  tags: ["Sessions"],
  summary: "Join a running session",
  security: [{ ParticipantToken: [] }],
  request: { params: sessionParams },
  responses: {
    200: json(SessionWithVideoSchema, "The session and this participant's video credentials"),
    ...writeErrorResponses,
  },
});

export function register(app: App) {
  app.openapi(start, async (c) => c.json(await enterSession(c.get("participantCtx"), "start"), 200));
  app.openapi(join, async (c) => c.json(await enterSession(c.get("participantCtx"), "join"), 200));
}
