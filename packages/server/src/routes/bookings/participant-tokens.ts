import { createRoute, z } from "@hono/zod-openapi";
import { mintParticipantToken } from "../../domain/participants/token";
import type { App } from "../context";
import { IdParam, json, jsonBody, jsonWriteErrorResponses, RoleSchema } from "../schemas";

const Body = z
  .object({
    role: RoleSchema,
    ttl_seconds: z
      .number()
      .int()
      .min(60)
      .max(30 * 24 * 3600)
      .optional()
      .openapi({ description: "Default 4 hours" }),
  })
  .strict()
  .openapi("CreateParticipantTokenRequest");

const TokenSchema = z
  .object({
    token: z.string().openapi({ example: "lk_pt_…" }),
    expires_at: z.string().openapi({ format: "date-time" }),
    booking_id: z.string(),
    role: RoleSchema,
    user_id: z.string(),
  })
  .openapi("ParticipantToken");

const route = createRoute({
  method: "post",
  path: "/v1/bookings/{id}/participant-tokens",
  tags: ["Bookings"],
  summary: "Mint a participant token for the student or the tutor",
  description:
    "The token opens /v1/sessions/{booking_id} for one role. It expires after ttl_seconds, and never later than the scheduled end plus the release delay.",
  security: [{ SecretKey: [] }],
  request: { params: IdParam("id", "bk_…"), body: jsonBody(Body) },
  responses: { 200: json(TokenSchema, "A participant token"), ...jsonWriteErrorResponses },
});

export function register(app: App) {
  app.openapi(route, async (c) =>
    c.json(await mintParticipantToken(c.get("tenantCtx"), c.req.valid("param").id, c.req.valid("json")), 200),
  );
}
