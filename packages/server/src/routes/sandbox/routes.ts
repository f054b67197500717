import { createRoute, z } from "@hono/zod-openapi";
import { advanceTestClock } from "../../domain/sandbox/clock";
import { paySandboxBooking } from "../../domain/sandbox/pay";
import { DueWorkSchema } from "../admin/routes";
import type { App } from "../context";
import { BookingSchema, IdParam, json, jsonWriteErrorResponses } from "../schemas";

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
  .object({ advance_seconds: z.number().int().positive().openapi({ example: 86400 }) })
  .strict()
  .openapi("AdvanceClockRequest");

const clock = createRoute({
  method: "post",
  path: "/v1/sandbox/clock",
  tags: ["Sandbox"],
  summary: "Move your sandbox clock forward and run the due work",
  security: [{ SecretKey: [] }],
  request: { body: { required: true, content: { "application/json": { schema: ClockBody } } } },
  responses: {
    200: json(
      z
        .object({
          now: z.string().openapi({ format: "date-time" }),
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
  app.openapi(clock, async (c) =>
    c.json(await advanceTestClock(c.get("tenantCtx"), c.req.valid("json").advance_seconds), 200),
  );
}
