import { createRoute, z } from "@hono/zod-openapi";
import { moveTestClock, readTestClock } from "../../domain/sandbox/clock";
import { paySandboxBooking } from "../../domain/sandbox/pay";
import { DueWorkSchema } from "../admin/routes";
import type { App } from "../context";
import { BookingSchema, errorResponses, IdParam, json, jsonWriteErrorResponses } from "../schemas";

const PayBody = z
  .object({ outcome: z.enum(["succeed", "fail"]).default("succeed") })
  .strict()
  .openapi("SandboxPayRequest");

const pay = createRoute({
  method: "post",
  path: "/v1/sandbox/bookings/{id}/pay",
  tags: ["Sandbox"],
  summary: "Pay for a booking as the student would (sandbox tenants)",
  security: [{ SecretKey: [] }],
  request: {
    params: IdParam("id", "bk_…"),
    body: { required: false, content: { "application/json": { schema: PayBody } } },
  },
  responses: { 200: json(BookingSchema, "The booking after the payment attempt"), ...jsonWriteErrorResponses },
});

const ClockBody = z
  .object({
    advance_seconds: z
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ example: 86400, description: "Move the clock forward by this many seconds" }),
    to: z.string().optional().openapi({
      format: "date-time",
      example: "2030-01-02T09:55:00Z",
      description: "Move the clock to this time (ISO 8601 with an offset); never earlier than the tenant's now",
    }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.advance_seconds === undefined && body.to === undefined) {
      ctx.addIssue({ code: "custom", path: ["advance_seconds"], message: "Give advance_seconds or to" });
    } else if (body.advance_seconds !== undefined && body.to !== undefined) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "Give advance_seconds or to, not both" });
    }
  })
  .openapi("AdvanceClockRequest", { description: "Exactly one of `advance_seconds` and `to`" });

const TestClockSchema = z
  .object({
    now: z.string().openapi({ format: "date-time", description: "The tenant's current time" }),
    offset_seconds: z.number().int().openapi({ description: "How far the tenant's clock is ahead of the server's" }),
    movable: z.boolean().openapi({
      description: "Whether POST /v1/sandbox/clock may move it (sandbox and test-mode Stripe tenants)",
    }),
  })
  .openapi("TestClockReading");

const readClock = createRoute({
  method: "get",
  path: "/v1/sandbox/clock",
  tags: ["Sandbox"],
  summary: "Read your clock: the time your bookings, windows and releases are measured against",
  security: [{ SecretKey: [] }],
  responses: { 200: json(TestClockSchema, "The tenant's time and test-clock offset"), ...errorResponses },
});

const clock = createRoute({
  method: "post",
  path: "/v1/sandbox/clock",
  tags: ["Sandbox"],
  summary: "Move your sandbox clock forward (by seconds, or to a time) and run the due work",
  security: [{ SecretKey: [] }],
  request: { body: { required: true, content: { "application/json": { schema: ClockBody } } } },
  responses: {
    200: json(
      z
        .object({
          now: z.string().openapi({ format: "date-time", description: "The tenant's new time" }),
          offset_seconds: z.number().int(),
          due_work: DueWorkSchema,
        })
        .openapi("TestClock"),
      "The tenant's new time and what ran",
    ),
    ...jsonWriteErrorResponses,
  },
});

export function register(app: App) {
  app.openapi(pay, async (c) => {
    const body = c.req.valid("json") as { outcome?: "succeed" | "fail" } | undefined;
    return c.json(
      await paySandboxBooking(c.get("tenantCtx"), c.req.valid("param").id, body?.outcome ?? "succeed"),
      200,
    );
  });
  app.openapi(readClock, (c) => c.json(readTestClock(c.get("tenantCtx")), 200));
  app.openapi(clock, async (c) => {
    const { advance_seconds, to } = c.req.valid("json");
    // The schema lets exactly one of the two through.
    const move = to === undefined ? { seconds: advance_seconds! } : { to };
    return c.json(await moveTestClock(c.get("tenantCtx"), move), 200);
  });
}
