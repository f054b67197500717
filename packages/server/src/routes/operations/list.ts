import { createRoute, z } from "@hono/zod-openapi";
import { OPERATION_KINDS, OPERATION_STATUSES } from "../../db/schema";
import { listOperations } from "../../domain/operations/list";
import type { App } from "../context";
import { errorResponses, json, MoneyOperationSchema, PaginationQuery, pageOf } from "../schemas";

const route = createRoute({
  method: "get",
  path: "/v1/operations",
  tags: ["Escrows"],
  summary: "List money operations (transfers, refunds, transfer reversals), newest first",
  description:
    "Every movement of money LessonKit makes or intends at the payment provider. Filter by `status=in_flight` or `status=failed` to find money that is stuck.",
  security: [{ SecretKey: [] }],
  request: {
    query: PaginationQuery.extend({
      status: z.enum(OPERATION_STATUSES).optional(),
      kind: z.enum(OPERATION_KINDS).optional(),
      escrow_id: z.string().min(1).optional(),
    }),
  },
  responses: {
    200: json(pageOf(MoneyOperationSchema, "MoneyOperationList"), "A page of money operations"),
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => c.json(await listOperations(c.get("tenantCtx"), c.req.valid("query")), 200));
}
