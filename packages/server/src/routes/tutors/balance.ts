import { createRoute, z } from "@hono/zod-openapi";
import { tutorBalance } from "../../domain/ledger/balance";
import type { App } from "../context";
import { errorResponses, IdParam, json } from "../schemas";

const BalanceSchema = z
  .object({
    tutor_id: z.string(),
    balances: z.array(
      z.object({
        currency: z.string(),
        pending: z.number().int().openapi({ description: "Held for the tutor, not yet released" }),
        disputed: z.number().int().openapi({ description: "Frozen by an open dispute" }),
        released: z.number().int().openapi({ description: "Paid out to the tutor" }),
      }),
    ),
  })
  .openapi("TutorBalance");

const route = createRoute({
  method: "get",
  path: "/v1/tutors/{tutorId}/balance",
  tags: ["Tutors"],
  summary: "A tutor's balances per currency, derived from the ledger",
  security: [{ SecretKey: [] }],
  request: { params: IdParam("tutorId", "tutor_42") },
  responses: { 200: json(BalanceSchema, "The balances"), ...errorResponses },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { deps, tenant } = c.get("tenantCtx");
    const tutorId = c.req.valid("param").tutorId;
    return c.json({ tutor_id: tutorId, balances: await tutorBalance(deps.db, tenant.id, tutorId) }, 200);
  });
}
