import { createRoute, z } from "@hono/zod-openapi";
import { runDueWork } from "../../domain/due/run";
import { createTenant, presentTenant } from "../../domain/tenants/store";
import type { App } from "../context";
import {
  AgoraSettingsInputSchema,
  json,
  jsonBody,
  jsonWriteErrorResponses,
  PolicyInputSchema,
  ProviderRateInputSchema,
  StripeSettingsInputSchema,
  TenantSchema,
  writeErrorResponses,
} from "../schemas";

const CreateTenantBody = z
  .object({
    name: z.string().min(1).max(200),
    payment_provider: z.enum(["sandbox", "stripe"]),
    policy: PolicyInputSchema.optional(),
    agora: AgoraSettingsInputSchema.optional(),
    stripe: StripeSettingsInputSchema.optional(),
    provider_requests_per_second: ProviderRateInputSchema.optional(),
  })
  .strict()
  .openapi("CreateTenantRequest");

const createTenantRoute = createRoute({
  method: "post",
  path: "/v1/admin/tenants",
  tags: ["Admin"],
  summary: "Create a tenant (a tutoring platform); its secret key is returned this once",
  security: [{ AdminKey: [] }],
  request: { body: jsonBody(CreateTenantBody) },
  responses: {
    200: json(
      z.object({ tenant: TenantSchema, secret_key: z.string() }).openapi("CreatedTenant"),
      "The tenant and its secret key",
    ),
    ...jsonWriteErrorResponses,
  },
});

export const DueWorkSchema = z
  .object({
    expired: z.number().int(),
    no_shows: z.number().int(),
    auto_completed: z.number().int(),
    refunds: z.number().int(),
    refund_failures: z.number().int(),
    released: z.number().int(),
    release_failures: z.number().int(),
    reversals: z.number().int().openapi({ description: "Transfer reversals made (refunds after release)" }),
    reversal_failures: z.number().int(),
  })
  .openapi("DueWorkSummary");

const tick = createRoute({
  method: "post",
  path: "/v1/admin/tick",
  tags: ["Admin"],
  summary: "Run all due work now (expiry, no-shows, auto-complete, refunds, releases)",
  security: [{ AdminKey: [] }],
  responses: { 200: json(DueWorkSchema, "What the tick did"), ...writeErrorResponses },
});

export function register(app: App) {
  app.openapi(createTenantRoute, async (c) => {
    const { tenant, secretKey } = await createTenant(c.get("deps"), c.req.valid("json"));
    return c.json({ tenant: presentTenant(tenant), secret_key: secretKey }, 200);
  });
  app.openapi(tick, async (c) => c.json(await runDueWork(c.get("deps")), 200));
}
