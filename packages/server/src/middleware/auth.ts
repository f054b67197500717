import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { bookingSnapshot } from "../domain/bookings/store";
import { type Tenant, tenantNow } from "../domain/context";
import { readParticipantToken } from "../domain/participants/token";
import { findTenantBySecretKey, loadTenant, readTenant } from "../domain/tenants/store";
import { safeEqual } from "../lib/crypto";
import type { AppEnv } from "../routes/context";
import { ApiError } from "../routes/errors";

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

const missingKey = () =>
  new ApiError(
    401,
    "authentication_error",
    "missing_api_key",
    "Send your secret key as 'Authorization: Bearer lk_sk_…'",
  );

/** Tenant routes: the secret key in `Authorization: Bearer lk_sk_…`. */
export const requireTenant = createMiddleware<AppEnv>(async (c, next) => {
  // `/v1/bookings/*` also matches `/v1/bookings`: the key is checked (and the tenant read) once.
  if (c.get("tenantCtx")) return next();
  const key = bearer(c.req.header("Authorization"));
  if (!key) throw missingKey();
  if (key.startsWith("lk_pt_")) {
    throw new ApiError(
      403,
      "permission_error",
      "participant_token_not_allowed",
      "Participant tokens only work on /v1/sessions/{booking_id} routes",
    );
  }
  const deps = c.get("deps");
  const tenant = key.startsWith("lk_sk_") ? await findTenantBySecretKey(deps.db, key) : null;
  if (!tenant) throw new ApiError(401, "authentication_error", "invalid_api_key", "The secret key is not valid");
  c.set("tenant", tenant);
  c.set("tenantCtx", { deps, tenant, now: tenantNow(deps, tenant) });
  c.set("callerScope", `tenant:${tenant.id}`);
  await next();
});

/**
 * Checks a participant token for exactly the booking in the path and sets the participant context.
 * A function as well as the middleware below, so the status poll can run it without the chain.
 */
export async function authenticateParticipant(c: Context<AppEnv>): Promise<void> {
  const token = bearer(c.req.header("Authorization"));
  if (!token) {
    throw new ApiError(
      401,
      "authentication_error",
      "missing_participant_token",
      "Send the participant token as 'Authorization: Bearer lk_pt_…'",
    );
  }
  if (token.startsWith("lk_sk_")) {
    throw new ApiError(
      403,
      "permission_error",
      "secret_key_not_allowed",
      "Session routes take a participant token, not a secret key",
    );
  }
  const deps = c.get("deps");
  const claims = readParticipantToken(deps, token);
  const bookingId = c.req.param("bookingId");
  if (claims.bookingId !== bookingId) {
    throw new ApiError(
      403,
      "permission_error",
      "token_booking_mismatch",
      "This participant token is for a different booking",
    );
  }
  let tenant: Tenant | null;
  try {
    // A snapshot serves reads; a participant's write (start, join, end, notes, rating, dispute)
    // decides with the tenant as it is now (its test clock, its video and payment settings).
    tenant =
      c.req.method === "GET" ? await readTenant(deps, claims.tenantId) : await loadTenant(deps.db, claims.tenantId);
  } catch {
    tenant = null;
  }
  if (!tenant)
    throw new ApiError(401, "authentication_error", "invalid_participant_token", "The participant token is not valid");
  const now = tenantNow(deps, tenant);
  if (now >= claims.expiresAt) {
    throw new ApiError(
      401,
      "authentication_error",
      "participant_token_expired",
      "The participant token has expired; ask the platform for a new one",
    );
  }
  // The booking must still exist for this tenant (it always should; this keeps the check explicit).
  // A write reads it in its own transaction, and answers 404 there if it is gone.
  if (c.req.method === "GET") await bookingSnapshot(deps, tenant.id, claims.bookingId);
  c.set("tenant", tenant);
  c.set("participantCtx", { deps, tenant, now, bookingId: claims.bookingId, role: claims.role, userId: claims.userId });
  c.set("callerScope", `participant:${claims.bookingId}:${claims.role}`);
}

/** Participant routes: a participant token for exactly this booking. */
export const requireParticipant = createMiddleware<AppEnv>(async (c, next) => {
  await authenticateParticipant(c);
  await next();
});

/** Operator routes: LESSONKIT_ADMIN_KEY. Tenant keys are refused outright. */
export function requireAdmin(adminKey: string) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = bearer(c.req.header("Authorization"));
    if (!key)
      throw new ApiError(
        401,
        "authentication_error",
        "missing_admin_key",
        "Send the admin key as 'Authorization: Bearer …'",
      );
    if (key.startsWith("lk_sk_") || key.startsWith("lk_pt_")) {
      throw new ApiError(403, "permission_error", "admin_key_required", "Admin routes need the operator's admin key");
    }
    if (!adminKey || !safeEqual(key, adminKey)) {
      throw new ApiError(401, "authentication_error", "invalid_admin_key", "The admin key is not valid");
    }
    c.set("callerScope", "admin");
    await next();
  });
}
