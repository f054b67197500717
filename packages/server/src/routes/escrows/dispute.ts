import { createRoute } from "@hono/zod-openapi";
import { openDispute } from "../../domain/escrow/dispute";
import type { App } from "../context";
import { EscrowSchema, IdParam, json, jsonBody, jsonWriteErrorResponses } from "../schemas";
import { DisputeBody } from "../sessions/dispute";

const route = createRoute({
  method: "post",
  path: "/v1/escrows/{id}/dispute",
  tags: ["Escrows"],
  summary: "Open a dispute on behalf of the student; freezes the release",
  security: [{ SecretKey: [] }],
  request: { params: IdParam("id", "esc_…"), body: jsonBody(DisputeBody) },
  responses: { 200: json(EscrowSchema, "The disputed escrow"), ...jsonWriteErrorResponses },
});

export function register(app: App) {
  app.openapi(route, async (c) =>
    c.json(
      await openDispute(
        c.get("tenantCtx"),
        { escrowId: c.req.valid("param").id },
        { reason: c.req.valid("json").reason, source: "platform" },
      ),
      200,
    ),
  );
}
