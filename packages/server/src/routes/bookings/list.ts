import { createRoute, z } from "@hono/zod-openapi";
import { BOOKING_STATUSES } from "../../db/schema";
import { listBookings } from "../../domain/bookings/list";
import type { App } from "../context";
import { BookingSchema, errorResponses, json, PaginationQuery, pageOf } from "../schemas";

const route = createRoute({
  method: "get",
  path: "/v1/bookings",
  tags: ["Bookings"],
  summary: "List bookings, newest first",
  security: [{ SecretKey: [] }],
  request: {
    query: PaginationQuery.extend({
      status: z.enum(BOOKING_STATUSES).optional(),
      tutor_id: z.string().min(1).optional(),
      student_id: z.string().min(1).optional(),
    }),
  },
  responses: { 200: json(pageOf(BookingSchema, "BookingList"), "A page of bookings"), ...errorResponses },
});

export function register(app: App) {
  app.openapi(route, async (c) => c.json(await listBookings(c.get("tenantCtx"), c.req.valid("query")), 200));
}
