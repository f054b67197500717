import { createRoute, z } from "@hono/zod-openapi";
import { EVENT_TYPES } from "../../domain/events/emit";
import { listEvents } from "../../domain/events/list";
import { getEventWithDeliveries, redeliverEvent } from "../../domain/webhooks/deliveries";
import type { App } from "../context";
import {
  EventSchema,
  errorResponses,
  IdParam,
  json,
  jsonWriteErrorResponses,
  PaginationQuery,
  pageOf,
} from "../schemas";

const list = createRoute({
  method: "get",
  path: "/v1/events",
  tags: ["Events"],
  summary: "List events, newest first",
  security: [{ SecretKey: [] }],
  request: {
    query: PaginationQuery.extend({ type: z.enum(EVENT_TYPES).optional(), booking_id: z.string().min(1).optional() }),
  },
  responses: { 200: json(pageOf(EventSchema, "EventList"), "A page of events"), ...errorResponses },
});

const AttemptSchema = z.object({
  attempted_at: z.string().openapi({ format: "date-time" }),
  status_code: z.number().int().nullable(),
  duration_ms: z.number().int(),
  response_excerpt: z.string().nullable(),
  error: z.string().nullable(),
});

const DeliverySchema = z
  .object({
    id: z.string(),
    endpoint_id: z.string(),
    status: z.enum(["pending", "succeeded", "failed"]),
    attempt_count: z.number().int(),
    next_attempt_at: z.string().nullable(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    completed_at: z.string().nullable(),
    attempts: z.array(AttemptSchema),
  })
  .openapi("WebhookDelivery");

const EventWithDeliveriesSchema = EventSchema.extend({ deliveries: z.array(DeliverySchema) }).openapi(
  "EventWithDeliveries",
);

const get = createRoute({
  method: "get",
  path: "/v1/events/{id}",
  tags: ["Events"],
  summary: "Retrieve an event with its webhook deliveries and their attempts",
  security: [{ SecretKey: [] }],
  request: { params: IdParam("id", "evt_…") },
  responses: { 200: json(EventWithDeliveriesSchema, "The event"), ...errorResponses },
});

const RedeliverBody = z
  .object({
    endpoint_id: z
      .string()
      .min(1)
      .optional()
      .openapi({ description: "Only this endpoint (default: every enabled one)" }),
  })
  .strict()
  .openapi("RedeliverEventRequest");

const redeliver = createRoute({
  method: "post",
  path: "/v1/events/{id}/redeliver",
  tags: ["Events"],
  summary: "Deliver the event again now (same webhook-id)",
  security: [{ SecretKey: [] }],
  request: {
    params: IdParam("id", "evt_…"),
    body: { required: false, content: { "application/json": { schema: RedeliverBody } } },
  },
  responses: { 200: json(EventWithDeliveriesSchema, "The event and its deliveries"), ...jsonWriteErrorResponses },
});

export function register(app: App) {
  app.openapi(list, async (c) => c.json(await listEvents(c.get("tenantCtx"), c.req.valid("query")), 200));
  app.openapi(get, async (c) => c.json(await getEventWithDeliveries(c.get("tenantCtx"), c.req.valid("param").id), 200));
  app.openapi(redeliver, async (c) => {
    const body = c.req.valid("json") as { endpoint_id?: string } | undefined;
    return c.json(await redeliverEvent(c.get("tenantCtx"), c.req.valid("param").id, body?.endpoint_id), 200);
  });
}
