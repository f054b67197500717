import { createRoute } from "@hono/zod-openapi";
import { presentEscrow } from "../../domain/bookings/present";
import { loadEscrow } from "../../domain/bookings/store";
import { operationsOfEscrow } from "../../domain/operations/list";
import type { App } from "../context";
import { EscrowWithOperationsSchema, errorResponses, IdParam, json } from "../schemas";

const route = createRoute({
  method: "get",
  path: "/v1/escrows/{id}",
  tags: ["Escrows"],
  summary: "Retrieve an escrow, with its money operations",
  security: [{ SecretKey: [] }],
  request: { params: IdParam("id", "esc_…") },
  responses: { 200: json(EscrowWithOperationsSchema, "The escrow"), ...errorResponses },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { deps, tenant } = c.get("tenantCtx");
    const { escrow } = await loadEscrow(deps.db, tenant.id, c.req.valid("param").id);
    return c.json({ ...presentEscrow(escrow), operations: await operationsOfEscrow(deps.db, escrow.id) }, 200);
  });
}
