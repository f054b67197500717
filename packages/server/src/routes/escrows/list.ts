import { createRoute, z } from "@hono/zod-openapi";
import { ESCROW_STATUSES } from "../../db/schema";
import { listEscrows } from "../../domain/escrow/list";
import type { App } from "../context";
import { EscrowSchema, errorResponses, json, PaginationQuery, pageOf } from "../schemas";

const route = createRoute({
  method: "get",
  path: "/v1/escrows",
  tags: ["Escrows"],
  summary: "List escrows, newest first",
  security: [{ SecretKey: [] }],
  request: {
    query: PaginationQuery.extend({
      status: z.enum(ESCROW_STATUSES).optional(),
      tutor_id: z.string().min(1).optional(),
    }),
  },
  responses: { 200: json(pageOf(EscrowSchema, "EscrowList"), "A page of escrows"), ...errorResponses },
});

export function register(app: App) {
  app.openapi(route, async (c) => c.json(await listEscrows(c.get("tenantCtx"), c.req.valid("query")), 200));
}
