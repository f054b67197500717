import { createRoute, z } from "@hono/zod-openapi";
import { cancelBooking } from "../../domain/bookings/cancel";
import type { App } from "../context";
import { BookingSchema, IdParam, json, jsonBody, jsonWriteErrorResponses, providerErrorResponses } from "../schemas";

const Body = z
  .object({
    by: z.enum(["student", "tutor", "platform"]).openapi({ description: "Who canceled; decides the refund" }),
    reason: z.string().min(1).max(500).optional(),
  })
  .strict()
  .openapi("CancelBookingRequest");

const route = createRoute({
  method: "post",
  path: "/v1/bookings/{id}/cancel",
  tags: ["Bookings"],
  summary: "Cancel a booking before its session starts",
  description:
    "Unpaid: the payment is voided. Paid: full refund, unless the student cancels within free_cancel_hours of the start (then late_cancel_refund_percent).",
  security: [{ SecretKey: [] }],
  request: { params: IdParam("id", "bk_…"), body: jsonBody(Body) },
  responses: {
    200: json(BookingSchema, "The canceled booking"),
    ...jsonWriteErrorResponses,
    ...providerErrorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) =>
    c.json(await cancelBooking(c.get("tenantCtx"), c.req.valid("param").id, c.req.valid("json")), 200),
  );
}
