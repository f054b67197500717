import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { runPrepared } from "../../db/queries";
import { tenants } from "../../db/schema";
import { seal, sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import type { Queryable } from "../../ports/storage";
import type { Deps, Tenant } from "../context";
import { Invalid, NotFound } from "../errors";
import { type Policy, policySchema, resolvePolicy } from "../policy";
import { stripeRate } from "./provider-budget";
import { isLiveKey, type StripeSettings, sealStripeSettings } from "./stripe-settings";

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
    stripeLivemode: row.stripeLivemode,
    providerRateLimit: row.providerRateLimit,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function loadTenant(db: Queryable, tenantId: string): Promise<Tenant> {
  const [row] = await runPrepared(
    db,
    "tenant_by_id",
    (db) =>
      db
        .select()
        .from(tenants)
        .where(eq(tenants.id, sql.placeholder("id"))),
    { id: tenantId },
  );
  if (!row) throw NotFound("tenant", tenantId);
  return toTenant(row);
}

/** loadTenant from a snapshot (Deps.snapshots): for participant reads, never for a change. */
export function readTenant(deps: Deps, tenantId: string): Tenant | Promise<Tenant> {
  return deps.snapshots.tenants.get(tenantId, () => loadTenant(deps.db, tenantId));
}

/** Finds the tenant a secret key belongs to (keys are stored only as SHA-256 hashes). */
export async function findTenantBySecretKey(db: Queryable, secretKey: string): Promise<Tenant | null> {
  const [row] = await runPrepared(
    db,
    "tenant_by_secret_key",
    (db) =>
      db
        .select()
        .from(tenants)
        .where(eq(tenants.secretKeyHash, sql.placeholder("hash"))),
    { hash: sha256Hex(secretKey) },
  );
  return row ? toTenant(row) : null;
}

export interface CreateTenantInput {
  name: string;
  payment_provider: "sandbox" | "stripe";
  policy?: Partial<Policy> | undefined;
  agora?: { app_id: string; app_certificate: string } | undefined;
  stripe?: StripeSettings | undefined;
  provider_requests_per_second?: number | null | undefined;
}

/** Creates a tenant and returns it with its secret key, which is shown this once and never stored. */
export async function createTenant(
  deps: Deps,
  input: CreateTenantInput,
): Promise<{ tenant: Tenant; secretKey: string }> {
  // Fails with payment_provider_unavailable when this server has no adapter for the provider.
  deps.payments.forTenant({ id: "new", paymentProvider: input.payment_provider });
  if (input.payment_provider === "stripe" && !input.stripe) throw stripeSettingsRequired();
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
      ...stripeColumns(deps, input.stripe),
      providerRateLimit: input.provider_requests_per_second ?? null,
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
  stripe?: StripeSettings | null | undefined;
  provider_requests_per_second?: number | null | undefined;
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
  if (input.stripe === null && tenant.paymentProvider === "stripe") throw stripeSettingsRequired();
  if (input.stripe !== undefined) Object.assign(patch, stripeColumns(deps, input.stripe));
  if (input.provider_requests_per_second !== undefined) patch.providerRateLimit = input.provider_requests_per_second;
  const [row] = await deps.db.update(tenants).set(patch).where(eq(tenants.id, tenant.id)).returning();
  if (!row) throw NotFound("tenant", tenant.id);
  return toTenant(row);
}

/** Who may move their clock (POST /v1/sandbox/clock): sandbox tenants and test-mode Stripe tenants, never live money. */
export function hasTestClock(tenant: Pick<Tenant, "paymentProvider" | "stripeLivemode">): boolean {
  return tenant.paymentProvider === "sandbox" || tenant.stripeLivemode === false;
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
    stripe: tenant.stripeSealed
      ? {
          configured: true,
          livemode: tenant.stripeLivemode === true,
          requests_per_second: stripeRate(tenant),
          requests_per_second_set: tenant.providerRateLimit !== null,
        }
      : null,
    secret_key_hint: tenant.secretKeyHint,
    test_clock: hasTestClock(tenant) ? { offset_seconds: Math.round(tenant.clockOffsetMs / 1000) } : null,
    created_at: new Date(tenant.createdAt).toISOString(),
    updated_at: new Date(tenant.updatedAt).toISOString(),
  };
}

function stripeSettingsRequired() {
  return Invalid(
    "stripe_settings_required",
    "A Stripe tenant needs its Stripe settings (stripe.secret_key, stripe.webhook_secret)",
    "stripe",
  );
}

/** Sealed Stripe settings and their (non-secret) mode; null clears them. */
function stripeColumns(deps: Deps, input: StripeSettings | null | undefined) {
  if (!input) return { stripeSealed: null, stripeLivemode: null };
  return { stripeSealed: sealStripeSettings(deps.keys.secrets, input), stripeLivemode: isLiveKey(input.secret_key) };
}
