import { createHmac } from "node:crypto";
import type { BookingRow, Role } from "../../db/schema";
import { unseal } from "../../lib/crypto";
import type { VideoCredentials, VideoSettings } from "../../ports/video";
import type { Deps, Tenant } from "../context";
import { Conflict } from "../errors";
import { videoExpiresAt } from "./rules";

/** An opaque channel name per booking (Agora allows up to 64 bytes of [A-Za-z0-9_-] among others). */
export function channelFor(deps: Pick<Deps, "keys">, booking: Pick<BookingRow, "tenantId" | "id">): string {
  return `lk_${createHmac("sha256", deps.keys.video).update(`channel:${booking.tenantId}:${booking.id}`).digest("base64url").slice(0, 32)}`;
}

/** A stable, non-zero uid per participant of a booking; the two roles never share one. */
export function uidFor(deps: Pick<Deps, "keys">, booking: Pick<BookingRow, "id">, role: Role): number {
  const derive = (r: Role) => {
    const uid =
      createHmac("sha256", deps.keys.video).update(`uid:${booking.id}:${r}`).digest().readUInt32BE(0) & 0x7fffffff;
    return uid === 0 ? 1 : uid;
  };
  const uid = derive(role);
  if (role === "tutor" && uid === derive("student")) return uid === 1 ? 2 : uid - 1;
  return uid;
}

export function videoSettingsFor(deps: Deps, tenant: Tenant): VideoSettings {
  if (tenant.agoraAppId && tenant.agoraAppCertificateSealed) {
    return { appId: tenant.agoraAppId, appCertificate: unseal(deps.keys.secrets, tenant.agoraAppCertificateSealed) };
  }
  if (deps.agoraFallback) return deps.agoraFallback;
  throw Conflict(
    "video_not_configured",
    "No Agora settings: set them on the tenant (PATCH /v1/tenant) or set AGORA_APP_ID and AGORA_APP_CERTIFICATE",
  );
}

export function issueVideo(
  deps: Deps,
  tenant: Tenant,
  booking: BookingRow,
  role: Role,
  tenantNowMs: number,
): VideoCredentials {
  return deps.video.issue({
    settings: videoSettingsFor(deps, tenant),
    channel: channelFor(deps, booking),
    uid: uidFor(deps, booking, role),
    expiresAt: videoExpiresAt(booking),
    tenantNow: tenantNowMs,
    serverNow: deps.clock.now(),
  });
}
