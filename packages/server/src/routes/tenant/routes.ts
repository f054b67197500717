import { createRoute, z } from "@hono/zod-openapi";
import { presentTenant, updateTenant } from "../../domain/tenants/store";
import type { App } from "../context";
import {
  AgoraSettingsInputSchema,
  errorResponses,
  json,
  jsonBody,
  jsonWriteErrorResponses,
  PolicyInputSchema,
  ProviderRateInputSchema,
  StripeSettingsInputSchema,
  TenantSchema,
} from "../schemas";

const get = createRoute({
  method: "get",
  path: "/v1/tenant",
  tags: ["Tenant"],
  summary: "Your tenant: name, policy, provider settings (secrets are never returned)",
  security: [{ SecretKey: [] }],
  responses: { 200: json(TenantSchema, "The tenant"), ...errorResponses },
});

const UpdateBody = z
  .object({
    name: z.string().min(1).max(200).optional(),
    policy: PolicyInputSchema.optional().openapi({
      description: "Merged into the current policy; applies to bookings made from now on",
    }),
    agora: AgoraSettingsInputSchema.nullable()
      .optional()
      .openapi({ description: "null removes them (the server's defaults apply)" }),
    stripe: StripeSettingsInputSchema.nullable()
      .optional()
      .openapi({ description: "Stripe settings (stored encrypted, never returned); null removes them" }),
    provider_requests_per_second: ProviderRateInputSchema.optional(),
  })
  .strict()
  .openapi("UpdateTenantRequest");

const patch = createRoute({
  method: "patch",
  path: "/v1/tenant",
  tags: ["Tenant"],
  summary: "Update name, policy, Agora or Stripe settings",
  security: [{ SecretKey: [] }],
  request: { body: jsonBody(UpdateBody) },
  responses: { 200: json(TenantSchema, "The updated tenant"), ...jsonWriteErrorResponses },
});

export function register(app: App) {
  app.openapi(get, (c) => c.json(presentTenant(c.get("tenant")), 200));
  app.openapi(patch, async (c) => {
    const { deps, tenant } = c.get("tenantCtx");
    return c.json(presentTenant(await updateTenant(deps, tenant, c.req.valid("json"))), 200);
  });
}
