import { isIP } from "node:net";
import { and, desc, eq, lt } from "drizzle-orm";
import { webhookEndpoints } from "../../db/schema";
import { seal, unseal } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import type { Deps, TenantContext } from "../context";
import { Invalid, NotFound } from "../errors";
import type { EventType } from "../events/emit";
import { type PageRequest, resolveCursor, toPage } from "../lists/page";
import { forbiddenAddressReason } from "./address";
import { newWebhookSecret } from "./sign";

type EndpointRow = typeof webhookEndpoints.$inferSelect;

/** How long a rotated-out secret keeps signing next to the new one. */
export const SECRET_OVERLAP_MS = 24 * 3600_000;

export function presentEndpoint(row: EndpointRow) {
  return {
    id: row.id,
    object: "webhook_endpoint" as const,
    url: row.url,
    description: row.description,
    event_types: row.eventTypes as EventType[] | null,
    enabled: row.enabled,
    disabled_reason: row.disabledReason,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
  };
}

/**
 * An endpoint URL must be https (plain http only to loopback in development mode) and must not
 * point at a private, loopback or link-local address, directly or through DNS.
 */
export async function checkEndpointUrl(deps: Deps, raw: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw Invalid("invalid_url", "url must be an absolute URL", "url");
  }
  const dev = deps.mode === "development";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (url.username || url.password) throw Invalid("invalid_url", "url must not contain credentials", "url");
  if (url.protocol !== "https:" && !(url.protocol === "http:" && dev)) {
    throw Invalid("url_not_https", "Webhook URLs must use https", "url");
  }
  const addresses = isIP(host) ? [host] : await deps.webhookTransport.lookup(host).catch(() => null);
  if (!addresses || addresses.length === 0) throw Invalid("url_unresolvable", `Cannot resolve ${host}`, "url");
  for (const address of addresses) {
    const reason = forbiddenAddressReason(address, { allowLoopback: dev });
    if (reason) throw Invalid("url_forbidden_address", `${host} resolves to ${address}, a ${reason}`, "url");
  }
  if (url.protocol === "http:" && !addresses.every((a) => forbiddenAddressReason(a, { allowLoopback: false }))) {
    throw Invalid("url_not_https", "Plain http is only allowed to loopback receivers in development mode", "url");
  }
  return url.toString();
}

export interface EndpointInput {
  url: string;
  description?: string | undefined;
  event_types?: EventType[] | null | undefined;
  enabled?: boolean | undefined;
}

export async function createEndpoint({ deps, tenant, now }: TenantContext, input: EndpointInput) {
  const url = await checkEndpointUrl(deps, input.url);
  const secret = newWebhookSecret();
  const [row] = await deps.db
    .insert(webhookEndpoints)
    .values({
      id: newId("we"),
      tenantId: tenant.id,
      url,
      description: input.description ?? null,
      eventTypes: input.event_types?.length ? [...new Set(input.event_types)] : null,
      enabled: input.enabled ?? true,
      secretSealed: seal(deps.keys.secrets, secret),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new Error("endpoint insert returned nothing");
  return { ...presentEndpoint(row), secret };
}

async function loadEndpoint(deps: Deps, tenantId: string, id: string): Promise<EndpointRow> {
  const [row] = await deps.db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)));
  if (!row) throw NotFound("webhook endpoint", id, "id");
  return row;
}

export async function getEndpoint({ deps, tenant }: TenantContext, id: string) {
  return presentEndpoint(await loadEndpoint(deps, tenant.id, id));
}

export async function listEndpoints({ deps, tenant }: TenantContext, input: PageRequest) {
  const cursor = await resolveCursor(
    input,
    async (id) => (await loadEndpoint(deps, tenant.id, id).catch(() => undefined))?.seq,
    "webhook endpoint",
  );
  const rows = await deps.db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.tenantId, tenant.id),
        cursor !== undefined ? lt(webhookEndpoints.seq, cursor) : undefined,
      ),
    )
    .orderBy(desc(webhookEndpoints.seq))
    .limit(input.limit + 1);
  return toPage(rows.map(presentEndpoint), input.limit);
}

export async function updateEndpoint({ deps, tenant, now }: TenantContext, id: string, input: Partial<EndpointInput>) {
  await loadEndpoint(deps, tenant.id, id);
  const patch: Partial<EndpointRow> = { updatedAt: now };
  if (input.url !== undefined) patch.url = await checkEndpointUrl(deps, input.url);
  if (input.description !== undefined) patch.description = input.description;
  if (input.event_types !== undefined)
    patch.eventTypes = input.event_types?.length ? [...new Set(input.event_types)] : null;
  if (input.enabled !== undefined) {
    patch.enabled = input.enabled;
    patch.disabledReason = input.enabled ? null : "disabled_by_tenant";
  }
  const [row] = await deps.db
    .update(webhookEndpoints)
    .set(patch)
    .where(and(eq(webhookEndpoints.tenantId, tenant.id), eq(webhookEndpoints.id, id)))
    .returning();
  if (!row) throw NotFound("webhook endpoint", id, "id");
  return presentEndpoint(row);
}

export async function deleteEndpoint({ deps, tenant }: TenantContext, id: string) {
  await loadEndpoint(deps, tenant.id, id);
  await deps.db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenant.id), eq(webhookEndpoints.id, id)));
  return { id, object: "webhook_endpoint" as const, deleted: true as const };
}

/** A new secret; the old one keeps signing next to it for 24 hours so receivers can switch over. */
export async function rotateEndpointSecret({ deps, tenant, now }: TenantContext, id: string) {
  const current = await loadEndpoint(deps, tenant.id, id);
  const secret = newWebhookSecret();
  const [row] = await deps.db
    .update(webhookEndpoints)
    .set({
      secretSealed: seal(deps.keys.secrets, secret),
      previousSecretSealed: current.secretSealed,
      previousSecretExpiresAt: deps.clock.now() + SECRET_OVERLAP_MS,
      updatedAt: now,
    })
    .where(and(eq(webhookEndpoints.tenantId, tenant.id), eq(webhookEndpoints.id, id)))
    .returning();
  if (!row) throw NotFound("webhook endpoint", id, "id");
  return { ...presentEndpoint(row), secret };
}

/** The secrets that sign a delivery now: the current one, plus the previous during the overlap. */
export function signingSecrets(deps: Deps, row: EndpointRow): string[] {
  const secrets = [unseal(deps.keys.secrets, row.secretSealed)];
  if (row.previousSecretSealed && (row.previousSecretExpiresAt ?? 0) > deps.clock.now()) {
    secrets.push(unseal(deps.keys.secrets, row.previousSecretSealed));
  }
  return secrets;
}
