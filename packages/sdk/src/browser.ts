// The browser-safe entry: SessionClient and its types, with ky as the only dependency.
export { type ClientErrorType, isLessonKitError, LessonKitError } from "./errors";
export type { CallOptions, TransportOptions } from "./http";
export { SessionClient, type SessionClientOptions, type StatusListener, type WatchOptions } from "./session";
export type {
  ApiErrorBody,
  Escrow,
  Rating,
  Role,
  SessionNotes,
  SessionPhase,
  SessionStatus,
  SessionWithVideo,
  VideoCredentials,
} from "./types";
