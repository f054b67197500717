import { createRoute } from "@hono/zod-openapi";
import { presentBooking } from "../../domain/bookings/present";
import { loadBooking } from "../../domain/bookings/store";
import type { App } from "../context";
import { BookingSchema, errorResponses, IdParam, json } from "../schemas";

const route = createRoute({
  method: "get",
  path: "/v1/bookings/{id}",
  tags: ["Bookings"],
  summary: "Retrieve a booking",
  security: [{ SecretKey: [] }],
  request: { params: IdParam("id", "bk_…") },
  responses: { 200: json(BookingSchema, "The booking"), ...errorResponses },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { deps, tenant } = c.get("tenantCtx");
    const { booking, escrow } = await loadBooking(deps.db, tenant.id, c.req.valid("param").id);
    return c.json(presentBooking(booking, escrow), 200);
  });
}
