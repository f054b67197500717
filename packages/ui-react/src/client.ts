/**
 * What the components need from a session client: the methods of the SDK's `SessionClient`,
 * typed structurally so any object with them works (the real client, a test double, or a
 * platform's own wrapper). Wire types come from the SDK, which generates them from the server's spec.
 */
import type { SessionClient } from "@lessonkit/sdk";

export type {
  Role,
  SessionPhase,
  SessionStatus,
  SessionWithVideo,
  VideoCredentials,
} from "@lessonkit/sdk";

export type SessionClientLike = Pick<
  SessionClient,
  "status" | "start" | "join" | "end" | "saveNotes" | "rate" | "dispute" | "serverOffset" | "watch"
>;
