import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { tenants } from "../../db/schema";
import { seal, sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import type { Queryable } from "../../ports/storage";
import type { Deps, Tenant } from "../context";
import { NotFound } from "../errors";
import { type Policy, policySchema, resolvePolicy } from "../policy";

type TenantRow = typeof tenants.$inferSelect;

export function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    name: row.name,
    paymentProvider: row.paymentProvider,
    policy: resolvePolicy(row.policy),
    clockOffsetMs: row.clockOffsetMs,
    secretKeyHint: row.secretKeyHint,
    agoraAppId: row.agoraAppId,
    agoraAppCertificateSealed: row.agoraAppCertificateSealed,
    stripeSealed: row.stripeSealed,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function loadTenant(db: Queryable, tenantId: string): Promise<Tenant> {
  const [row] = await db.select().from(tenants).where(eq(tenants.id, tenantId));
  if (!row) throw NotFound("tenant", tenantId);
  return toTenant(row);
}

/** Finds the tenant a secret key belongs to (keys are stored only as SHA-256 hashes). */
export async function findTenantBySecretKey(db: Queryable, secretKey: string): Promise<Tenant | null> {
  const [row] = await db
    .select()
    .from(tenants)
    .where(eq(tenants.secretKeyHash, sha256Hex(secretKey)));
  return row ? toTenant(row) : null;
}

export interface CreateTenantInput {
  name: string;
  payment_provider: "sandbox" | "stripe";
  policy?: Partial<Policy> | undefined;
  agora?: { app_id: string; app_certificate: string } | undefined;
}

/** Creates a tenant and returns it with its secret key, which is shown this once and never stored. */
export async function createTenant(
  deps: Deps,
  input: CreateTenantInput,
): Promise<{ tenant: Tenant; secretKey: string }> {
  // Fails with payment_provider_unavailable when this server has no adapter for the provider.
  deps.payments.forTenant({ id: "new", paymentProvider: input.payment_provider });
  const secretKey = `lk_sk_${randomBytes(24).toString("base64url")}`;
  const now = deps.clock.now();
  const [row] = await deps.db
    .insert(tenants)
    .values({
      id: newId("tn"),
      name: input.name,
      paymentProvider: input.payment_provider,
      secretKeyHash: sha256Hex(secretKey),
      secretKeyHint: `${secretKey.slice(0, 10)}…`,
      policy: policySchema.parse(input.policy ?? {}),
      agoraAppId: input.agora?.app_id ?? null,
      agoraAppCertificateSealed: input.agora ? seal(deps.keys.secrets, input.agora.app_certificate) : null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new Error("tenant insert returned nothing");
  return { tenant: toTenant(row), secretKey };
}

export interface UpdateTenantInput {
  name?: string | undefined;
  policy?: Partial<Policy> | undefined;
  agora?: { app_id: string; app_certificate: string } | null | undefined;
}

/** Updates name, policy (merged; applies to bookings made from now on) and Agora settings. */
export async function updateTenant(deps: Deps, tenant: Tenant, input: UpdateTenantInput): Promise<Tenant> {
  const patch: Partial<TenantRow> = { updatedAt: deps.clock.now() };
  if (input.name !== undefined) patch.name = input.name;
  if (input.policy !== undefined) patch.policy = policySchema.parse({ ...tenant.policy, ...input.policy });
  if (input.agora === null) {
    patch.agoraAppId = null;
    patch.agoraAppCertificateSealed = null;
  } else if (input.agora !== undefined) {
    patch.agoraAppId = input.agora.app_id;
    patch.agoraAppCertificateSealed = seal(deps.keys.secrets, input.agora.app_certificate);
  }
  const [row] = await deps.db.update(tenants).set(patch).where(eq(tenants.id, tenant.id)).returning();
  if (!row) throw NotFound("tenant", tenant.id);
  return toTenant(row);
}

/** The public shape of a tenant: never the secret key, never a certificate or Stripe secret. */
export function presentTenant(tenant: Tenant) {
  return {
    id: tenant.id,
    object: "tenant" as const,
    name: tenant.name,
    payment_provider: tenant.paymentProvider,
    policy: tenant.policy,
    agora: tenant.agoraAppId ? { app_id: tenant.agoraAppId, app_certificate_set: true } : null,
    secret_key_hint: tenant.secretKeyHint,
    test_clock:
      tenant.paymentProvider === "sandbox" ? { offset_seconds: Math.round(tenant.clockOffsetMs / 1000) } : null,
    created_at: new Date(tenant.createdAt).toISOString(),
    updated_at: new Date(tenant.updatedAt).toISOString(),
  };
}
