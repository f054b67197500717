import { createRoute, z } from "@hono/zod-openapi";
import { createBooking } from "../../domain/bookings/create";
import type { App } from "../context";
import { BookingSchema, json, jsonBody, jsonWriteErrorResponses, providerErrorResponses } from "../schemas";

const id = z.string().min(1).max(255);
const name = z.string().min(1).max(200).optional();

export const CreateBookingBody = z
  .object({
    external_id: z
      .string()
      .min(1)
      .max(255)
      .openapi({ description: "Your id for this lesson; unique per tenant", example: "lesson_1234" }),
    student: z.object({ id, name }).strict(),
    tutor: z
      .object({
        id,
        name,
        stripe_account: z
          .string()
          .regex(/^acct_[A-Za-z0-9]+$/, "must be a Stripe connected account id (acct_…)")
          .optional(),
      })
      .strict(),
    subject: z.string().min(1).max(200).optional(),
    scheduled_start: z.string().openapi({
      format: "date-time",
      example: "2030-01-01T10:00:00Z",
      description:
        "ISO 8601 with an offset; after now and at most 365 days ahead on the tenant's clock (`scheduled_start_in_past`, `scheduled_start_too_far`)",
    }),
    duration_minutes: z.number().int().min(5).max(720),
    amount: z.number().int().positive().openapi({ description: "Integer minor units (cents)", example: 5000 }),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, "must be a three-letter ISO 4217 code")
      .openapi({ example: "usd" }),
    platform_fee: z.number().int().min(0).optional().openapi({
      description: "Minor units kept by the platform, at most `amount`; equal to it leaves the tutor nothing",
      example: 1000,
    }),
    timezone: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: "IANA zone, for display", example: "Europe/Berlin" }),
  })
  .strict()
  .openapi("CreateBookingRequest");

const route = createRoute({
  method: "post",
  path: "/v1/bookings",
  tags: ["Bookings"],
  summary: "Book a lesson",
  description: "Creates the booking, its escrow and the provider payment whose client secret your front end confirms.",
  security: [{ SecretKey: [] }],
  request: { body: jsonBody(CreateBookingBody) },
  responses: {
    200: json(BookingSchema, "The booking, pending payment"),
    ...jsonWriteErrorResponses,
    ...providerErrorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => c.json(await createBooking(c.get("tenantCtx"), c.req.valid("json")), 200));
}
