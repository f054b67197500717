// The full entry: the backend client, the browser client and webhook verification. Nothing here
// imports a Node built-in, so it bundles for browsers, workers, Deno and edge runtimes as well.
export { LessonKitAdmin, type LessonKitAdminOptions } from "./admin";
export { type ClockMove, LessonKit, type LessonKitOptions, type ListOptions } from "./client";
export { type ClientErrorType, isLessonKitError, LessonKitError } from "./errors";
export type { components, paths } from "./generated/openapi";
export type { CallOptions, TransportOptions } from "./http";
export { PageIterator } from "./pagination";
export { SessionClient, type SessionClientOptions, type StatusListener, type WatchOptions } from "./session";
export type * from "./types";
export {
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookEvent,
  type WebhookHeaders,
  type WebhookVerificationCode,
  WebhookVerificationError,
} from "./webhooks";
