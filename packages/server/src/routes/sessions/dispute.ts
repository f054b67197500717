import { createRoute, z } from "@hono/zod-openapi";
import { disputeSession } from "../../domain/sessions/dispute";
import type { App } from "../context";
import { EscrowSchema, json, jsonBody, jsonWriteErrorResponses } from "../schemas";
import { sessionParams } from "./status";

export const DisputeBody = z
  .object({ reason: z.string().min(1).max(2000) })
  .strict()
  .openapi("DisputeRequest");

const route = createRoute({
  method: "post",
  path: "/v1/sessions/{bookingId}/dispute",
  tags: ["Sessions"],
  summary: "The student disputes the lesson; the release is frozen until the platform resolves it",
  security: [{ ParticipantToken: [] }],
  request: { params: sessionParams, body: jsonBody(DisputeBody) },
  responses: { 200: json(EscrowSchema, "The disputed escrow"), ...jsonWriteErrorResponses },
});

export function register(app: App) {
  app.openapi(route, async (c) =>
    c.json(await disputeSession(c.get("participantCtx"), c.req.valid("json").reason), 200),
  );
}
