import { and, eq, sql } from "drizzle-orm";
import { runPrepared } from "../../db/queries";
import { bookings, type Role } from "../../db/schema";
import { hmacBase64Url, safeEqual } from "../../lib/crypto";
import type { Deps, TenantContext } from "../context";
import { Conflict, Invalid, NotFound, Unauthenticated } from "../errors";
import { HOUR, MINUTE, resolvePolicy } from "../policy";
import type { ParticipantClaims } from "./claims";

const PREFIX = "lk_pt_";
const DEFAULT_TTL_SECONDS = 4 * 3600;

export type { ParticipantClaims };

/**
 * Mints a participant token: signed, bound to tenant + booking + role + user, and never valid past
 * the latest moment the escrow can be released: the scheduled end plus the overtime grace (when an
 * open session is auto-completed) plus the release delay. Until then the student can still rate or
 * dispute; after that there is nothing a participant can do.
 */
export async function mintParticipantToken(
  { deps, tenant, now }: TenantContext,
  bookingId: string,
  input: { role: Role; ttl_seconds?: number | undefined },
) {
  const [booking] = await runPrepared(
    deps.db,
    "booking_participants",
    (db) =>
      db
        .select({
          policy: bookings.policy,
          endsAt: bookings.endsAt,
          studentId: bookings.studentId,
          tutorId: bookings.tutorId,
        })
        .from(bookings)
        .where(and(eq(bookings.tenantId, sql.placeholder("tenantId")), eq(bookings.id, sql.placeholder("bookingId")))),
    { tenantId: tenant.id, bookingId },
  );
  if (!booking) throw NotFound("booking", bookingId, "id");
  const policy = resolvePolicy(booking.policy);
  const accessEndsAt =
    booking.endsAt + policy.overtime_grace_minutes * MINUTE + Math.max(policy.release_delay_hours, 1) * HOUR;
  if (now >= accessEndsAt) {
    throw Conflict("participant_access_ended", "This booking's session is over; participant access has ended");
  }
  const ttl = input.ttl_seconds ?? DEFAULT_TTL_SECONDS;
  if (ttl < 60) throw Invalid("ttl_too_short", "ttl_seconds must be at least 60", "ttl_seconds");
  const expiresAt = Math.min(now + ttl * 1000, accessEndsAt);
  const claims: ParticipantClaims = {
    tenantId: tenant.id,
    bookingId,
    role: input.role,
    userId: input.role === "student" ? booking.studentId : booking.tutorId,
    expiresAt,
  };
  return {
    token: signParticipantToken(deps, claims),
    expires_at: new Date(expiresAt).toISOString(),
    booking_id: bookingId,
    role: input.role,
    user_id: claims.userId,
  };
}

export function signParticipantToken(deps: Pick<Deps, "keys">, claims: ParticipantClaims): string {
  const payload = Buffer.from(
    JSON.stringify({
      v: 1,
      tn: claims.tenantId,
      bk: claims.bookingId,
      r: claims.role,
      u: claims.userId,
      exp: claims.expiresAt,
    }),
  ).toString("base64url");
  return `${PREFIX}${payload}.${hmacBase64Url(deps.keys.participantTokens, payload)}`;
}

/**
 * Checks the signature and shape; expiry is checked by the caller against the tenant's clock.
 * A token that checked out once is remembered (only valid ones: a forged token costs an HMAC each
 * time and never fills the memo).
 */
export function readParticipantToken(deps: Pick<Deps, "keys" | "snapshots">, token: string): ParticipantClaims {
  const claims = deps.snapshots.verifiedTokens.get(token, () => Object.freeze(verifyParticipantToken(deps, token)));
  return { ...claims };
}

function verifyParticipantToken(deps: Pick<Deps, "keys">, token: string): ParticipantClaims {
  const invalid = () => Unauthenticated("invalid_participant_token", "The participant token is not valid");
  if (!token.startsWith(PREFIX)) throw invalid();
  const [payload, signature, extra] = token.slice(PREFIX.length).split(".");
  if (!payload || !signature || extra !== undefined) throw invalid();
  if (!safeEqual(signature, hmacBase64Url(deps.keys.participantTokens, payload))) throw invalid();
  let raw: { v?: unknown; tn?: unknown; bk?: unknown; r?: unknown; u?: unknown; exp?: unknown };
  try {
    raw = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (
    raw.v !== 1 ||
    typeof raw.tn !== "string" ||
    typeof raw.bk !== "string" ||
    (raw.r !== "student" && raw.r !== "tutor") ||
    typeof raw.u !== "string" ||
    typeof raw.exp !== "number"
  ) {
    throw invalid();
  }
  return { tenantId: raw.tn, bookingId: raw.bk, role: raw.r, userId: raw.u, expiresAt: raw.exp };
}
