import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { eq } from "drizzle-orm";
import { tenants } from "./db/schema";
import type { Deps } from "./domain/context";
import { createTenant } from "./domain/tenants/store";

export const DEMO_TENANT_NAME = "Demo tutoring platform";

/**
 * Development only: a sandbox tenant to try the API with. Its key is kept in a local file beside
 * the database so every `npm start` can print it (a real tenant's key is shown once, never stored).
 */
export async function seedDemoTenant(
  deps: Deps,
  keyFile: string,
): Promise<{ tenantId: string; secretKey: string; created: boolean }> {
  if (existsSync(keyFile)) {
    const saved = JSON.parse(readFileSync(keyFile, "utf8")) as { tenantId: string; secretKey: string };
    const [row] = await deps.db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, saved.tenantId));
    if (row) return { ...saved, created: false };
  }
  const { tenant, secretKey } = await createTenant(deps, {
    name: DEMO_TENANT_NAME,
    payment_provider: "sandbox",
    // A development app id and certificate of Agora's format: tokens are well-formed, not usable
    // with Agora's servers. Set AGORA_APP_ID / AGORA_APP_CERTIFICATE or PATCH /v1/tenant for real video.
    agora: deps.agoraFallback
      ? undefined
      : { app_id: randomBytes(16).toString("hex"), app_certificate: randomBytes(16).toString("hex") },
  });
  mkdirSync(dirname(keyFile), { recursive: true });
  writeFileSync(keyFile, `${JSON.stringify({ tenantId: tenant.id, secretKey }, null, 2)}\n`, { mode: 0o600 });
  return { tenantId: tenant.id, secretKey, created: true };
}
