/**
 * What the components need from a session client: the methods of the SDK's `SessionClient`,
 * typed structurally so any object with them works (the real client, a test double, or a
 * platform's own wrapper). Wire types come from the SDK, which generates them from the server's spec.
 */
import type { SessionClient } from "@lessonkit/sdk";

export type {
  Escrow,
  Role,
  SessionPhase,
  SessionStatus,
  SessionWithVideo,
  VideoCredentials,
} from "@lessonkit/sdk";

export type SessionClientLike = Pick<
  SessionClient,
  "status" | "start" | "join" | "end" | "saveNotes" | "rate" | "dispute" | "serverOffset" | "watch" | "setToken"
>;

/**
 * Returns a fresh participant token for the same booking and role (typically from the platform's
 * backend), called once the API answered 401 `participant_token_expired`.
 */
export type TokenRefresher = (error: unknown) => string | Promise<string>;

/** The API refused the participant token because it expired (a `LessonKitError` with that code). */
export function isTokenExpired(error: unknown): boolean {
  return (
    typeof error === "object" && error !== null && (error as { code?: unknown }).code === "participant_token_expired"
  );
}

/** A client that can take a fresh token; a component without one stops at an expired token. */
export type RefreshableClient = Partial<Pick<SessionClientLike, "setToken">>;
