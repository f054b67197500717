import { createRoute, z } from "@hono/zod-openapi";
import { resolveDispute } from "../../domain/escrow/dispute";
import type { App } from "../context";
import { EscrowSchema, IdParam, json, jsonBody, jsonWriteErrorResponses } from "../schemas";

const Body = z
  .object({
    outcome: z.enum(["release", "refund"]),
    refund_amount: z
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ description: "For refund: minor units back to the student (default: all still held)" }),
  })
  .strict()
  .openapi("ResolveDisputeRequest");

const route = createRoute({
  method: "post",
  path: "/v1/escrows/{id}/resolve",
  tags: ["Escrows"],
  summary: "Resolve a dispute: release to the tutor, or refund the student (in part or in full)",
  security: [{ SecretKey: [] }],
  request: { params: IdParam("id", "esc_…"), body: jsonBody(Body) },
  responses: { 200: json(EscrowSchema, "The escrow after resolution"), ...jsonWriteErrorResponses },
});

export function register(app: App) {
  app.openapi(route, async (c) =>
    c.json(await resolveDispute(c.get("tenantCtx"), c.req.valid("param").id, c.req.valid("json")), 200),
  );
}
