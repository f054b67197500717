import { createRoute, z } from "@hono/zod-openapi";
import { EVENT_TYPES } from "../../domain/events/emit";
import { getEvent, listEvents } from "../../domain/events/list";
import type { App } from "../env";
import { EventSchema, errorResponses, IdParam, json, PaginationQuery, pageOf } from "../schemas";

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

const get = createRoute({
  method: "get",
  path: "/v1/events/{id}",
  tags: ["Events"],
  summary: "Retrieve an event",
  security: [{ SecretKey: [] }],
  request: { params: IdParam("id", "evt_…") },
  responses: { 200: json(EventSchema, "The event"), ...errorResponses },
});

export function register(app: App) {
  app.openapi(list, async (c) => c.json(await listEvents(c.get("tenantCtx"), c.req.valid("query")), 200));
  app.openapi(get, async (c) => c.json(await getEvent(c.get("tenantCtx"), c.req.valid("param").id), 200));
}
