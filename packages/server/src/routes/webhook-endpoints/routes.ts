import { createRoute, z } from "@hono/zod-openapi";
import { EVENT_TYPES } from "../../domain/events/emit";
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  updateEndpoint,
} from "../../domain/webhooks/endpoints";
import type { App } from "../context";
import {
  errorResponses,
  IdParam,
  json,
  jsonBody,
  jsonWriteErrorResponses,
  PaginationQuery,
  pageOf,
  writeErrorResponses,
} from "../schemas";

const EndpointSchema = z
  .object({
    id: z.string().openapi({ example: "we_…" }),
    object: z.literal("webhook_endpoint"),
    url: z.string(),
    description: z.string().nullable(),
    event_types: z.array(z.enum(EVENT_TYPES)).nullable().openapi({ description: "null: every event type" }),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("WebhookEndpoint");

const EndpointWithSecretSchema = EndpointSchema.extend({
  secret: z.string().openapi({ description: "whsec_…: shown only now; verify signatures with it", example: "whsec_…" }),
}).openapi("WebhookEndpointWithSecret");

const url = z.string().min(1).max(2048).openapi({ example: "https://platform.example.com/lessonkit/webhooks" });
const eventTypes = z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).nullable();
const description = z.string().max(500);

const CreateBody = z
  .object({
    url,
    description: description.optional(),
    event_types: eventTypes.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi("CreateWebhookEndpointRequest");
const UpdateBody = z
  .object({
    url: url.optional(),
    description: description.optional(),
    event_types: eventTypes.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi("UpdateWebhookEndpointRequest");

const idParams = IdParam("id", "we_…");
const security = [{ SecretKey: [] }];
const tags = ["Webhook endpoints"];

const create = createRoute({
  method: "post",
  path: "/v1/webhook-endpoints",
  tags,
  summary: "Add an endpoint; its signing secret is returned this once",
  security,
  request: { body: jsonBody(CreateBody) },
  responses: { 200: json(EndpointWithSecretSchema, "The endpoint and its secret"), ...jsonWriteErrorResponses },
});
const list = createRoute({
  method: "get",
  path: "/v1/webhook-endpoints",
  tags,
  summary: "List endpoints",
  security,
  request: { query: PaginationQuery },
  responses: { 200: json(pageOf(EndpointSchema, "WebhookEndpointList"), "A page of endpoints"), ...errorResponses },
});
const get = createRoute({
  method: "get",
  path: "/v1/webhook-endpoints/{id}",
  tags,
  summary: "Retrieve an endpoint",
  security,
  request: { params: idParams },
  responses: { 200: json(EndpointSchema, "The endpoint"), ...errorResponses },
});
const update = createRoute({
  method: "patch",
  path: "/v1/webhook-endpoints/{id}",
  tags,
  summary: "Change the URL, the event filter, or enable/disable",
  security,
  request: { params: idParams, body: jsonBody(UpdateBody) },
  responses: { 200: json(EndpointSchema, "The endpoint"), ...jsonWriteErrorResponses },
});
const remove = createRoute({
  method: "delete",
  path: "/v1/webhook-endpoints/{id}",
  tags,
  summary: "Delete an endpoint",
  security,
  request: { params: idParams },
  responses: {
    200: json(z.object({ id: z.string(), object: z.literal("webhook_endpoint"), deleted: z.literal(true) }), "Deleted"),
    ...writeErrorResponses,
  },
});
const rotate = createRoute({
  method: "post",
  path: "/v1/webhook-endpoints/{id}/rotate-secret",
  tags,
  summary: "Rotate the signing secret; the old one keeps signing alongside for 24 hours",
  security,
  request: { params: idParams },
  responses: { 200: json(EndpointWithSecretSchema, "The endpoint and its new secret"), ...writeErrorResponses },
});

export function register(app: App) {
  app.openapi(create, async (c) => c.json(await createEndpoint(c.get("tenantCtx"), c.req.valid("json")), 200));
  app.openapi(list, async (c) => c.json(await listEndpoints(c.get("tenantCtx"), c.req.valid("query")), 200));
  app.openapi(get, async (c) => c.json(await getEndpoint(c.get("tenantCtx"), c.req.valid("param").id), 200));
  app.openapi(update, async (c) =>
    c.json(await updateEndpoint(c.get("tenantCtx"), c.req.valid("param").id, c.req.valid("json")), 200),
  );
  app.openapi(remove, async (c) => c.json(await deleteEndpoint(c.get("tenantCtx"), c.req.valid("param").id), 200));
  app.openapi(rotate, async (c) =>
    c.json(await rotateEndpointSecret(c.get("tenantCtx"), c.req.valid("param").id), 200),
  );
}
