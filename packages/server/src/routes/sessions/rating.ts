import { createRoute, z } from "@hono/zod-openapi";
import { MAX_COMMENT_LENGTH, rateSession } from "../../domain/sessions/rate";
import type { App } from "../context";
import { json, jsonBody, jsonWriteErrorResponses } from "../schemas";
import { sessionParams } from "./status";

const Body = z
  .object({ stars: z.number().int().min(1).max(5), comment: z.string().max(MAX_COMMENT_LENGTH).optional() })
  .strict()
  .openapi("RateSessionRequest");
const RatingSchema = z
  .object({
    booking_id: z.string(),
    stars: z.number().int(),
    comment: z.string().nullable(),
    rated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Rating");

const route = createRoute({
  method: "post",
  path: "/v1/sessions/{bookingId}/rating",
  tags: ["Sessions"],
  summary: "The student rates the completed session, once",
  security: [{ ParticipantToken: [] }],
  request: { params: sessionParams, body: jsonBody(Body) },
  responses: { 200: json(RatingSchema, "The rating"), ...jsonWriteErrorResponses },
});

export function register(app: App) {
  app.openapi(route, async (c) => c.json(await rateSession(c.get("participantCtx"), c.req.valid("json")), 200));
}
