import { createRoute, z } from "@hono/zod-openapi";
import { reconcileBalances } from "../../domain/ledger/reconcile";
import { createTenant, presentTenant } from "../../domain/tenants/store";
import { tick as runTick } from "../../jobs/tick";
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

const Totals = z.object({ pending: z.number().int(), disputed: z.number().int(), released: z.number().int() });

const reconcile = createRoute({
  method: "post",
  path: "/v1/admin/reconcile",
  tags: ["Admin"],
  summary: "Recompute every tutor balance from the ledger and report where the running totals differ",
  description:
    "Balances are running totals kept in the same transaction as the ledger rows; the ledger is the source of truth. This reads the whole ledger (an operator's check, not for a hot path) and changes nothing.",
  security: [{ AdminKey: [] }],
  responses: {
    200: json(
      z
        .object({
          checked: z.number().int().openapi({ description: "Tenant, tutor and currency combinations compared" }),
          mismatches: z.array(
            z.object({
              tenant_id: z.string(),
              tutor_id: z.string(),
              currency: z.string(),
              stored: Totals.nullable().openapi({ description: "The running totals (null: none stored)" }),
              ledger: Totals.nullable().openapi({ description: "Recomputed from the ledger (null: no ledger rows)" }),
            }),
          ),
        })
        .openapi("BalanceReconciliation"),
      "The comparison; `mismatches` is empty when every running total agrees with the ledger",
    ),
    ...writeErrorResponses,
  },
});

export function register(app: App) {
  app.openapi(createTenantRoute, async (c) => {
    const { tenant, secretKey } = await createTenant(c.get("deps"), c.req.valid("json"));
    return c.json({ tenant: presentTenant(tenant), secret_key: secretKey }, 200);
  });
  app.openapi(tick, async (c) => c.json(await runTick(c.get("deps")), 200));
  app.openapi(reconcile, async (c) => c.json(await reconcileBalances(c.get("deps").db), 200));
}
