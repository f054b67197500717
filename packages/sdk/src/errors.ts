/** Error `type`s the SDK itself produces when no API error body is available. */
export type ClientErrorType = "connection_error" | "timeout_error" | "api_error";

/**
 * The one error the SDK throws for a failed call. API errors carry the server's
 * `{ error: { type, code, message, param?, request_id } }` fields; a network failure has
 * `type: "connection_error"` and a timeout `type: "timeout_error"`, both with `status: 0`.
 */
export class LessonKitError extends Error {
  override readonly name = "LessonKitError";
  /** `invalid_request_error`, `authentication_error`, `conflict_error`, … or a ClientErrorType. */
  readonly type: string;
  /** Machine-readable reason, e.g. `join_window_not_open`, `already_rated`, `network_error`. */
  readonly code: string;
  /**
   * HTTP status, or 0 when no response arrived. The API's own are listed in `ApiErrorStatus`; a
   * proxy in between can answer others, so this stays a number.
   */
  readonly status: number;
  /** The server's request id (body `request_id` or the `Request-Id` header), when there was a response. */
  readonly requestId: string | undefined;
  /** The request field the error is about, when the server named one. */
  readonly param: string | undefined;

  constructor(init: {
    type: string;
    code: string;
    status: number;
    message: string;
    requestId?: string | undefined;
    param?: string | undefined;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.type = init.type;
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.param = init.param;
  }
}

export function isLessonKitError(value: unknown): value is LessonKitError {
  return value instanceof LessonKitError;
}
