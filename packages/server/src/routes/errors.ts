import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { DomainError, type DomainErrorKind } from "../domain/errors";
import { PaymentProviderError } from "../ports/payments";

/**
 * The one error path. Every error response has the shape
 * `{ "error": { "type", "code", "message", "param"?, "request_id" } }` and never a stack trace.
 */
export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "conflict_error"
  | "idempotency_error"
  | "rate_limit_error"
  | "provider_error"
  | "api_error";

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

const KIND: Record<DomainErrorKind, { status: ContentfulStatusCode; type: ErrorType }> = {
  invalid: { status: 422, type: "invalid_request_error" },
  unauthenticated: { status: 401, type: "authentication_error" },
  forbidden: { status: 403, type: "permission_error" },
  not_found: { status: 404, type: "not_found_error" },
  conflict: { status: 409, type: "conflict_error" },
  upstream: { status: 502, type: "provider_error" },
};

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof DomainError) {
    const { status, type } = KIND[error.kind];
    return new ApiError(status, type, error.code, error.message, error.param);
  }
  if (error instanceof PaymentProviderError) {
    // The provider's own code (e.g. Stripe's `amount_too_small`) reaches the integrator unchanged.
    if (error.retryable) return new ApiError(502, "provider_error", error.code, error.message);
    if (error.code === "payment_already_made") return new ApiError(409, "conflict_error", error.code, error.message);
    return new ApiError(422, "invalid_request_error", error.code, error.message);
  }
  if (error instanceof HTTPException) {
    if (error.status === 400)
      return new ApiError(400, "invalid_request_error", "invalid_json", "The request body is not valid JSON");
    if (error.status === 415) {
      return new ApiError(
        415 as ContentfulStatusCode,
        "invalid_request_error",
        "unsupported_media_type",
        "Send the body as application/json",
      );
    }
    if (error.status === 413)
      return new ApiError(413, "invalid_request_error", "body_too_large", "The request body is too large");
    return new ApiError(
      error.status as ContentfulStatusCode,
      "invalid_request_error",
      "bad_request",
      error.message || "Bad request",
    );
  }
  return new ApiError(500, "api_error", "internal_error", "Something went wrong on our side; it has been logged");
}

export function errorResponse(c: Context, error: ApiError) {
  const requestId = (c.get("requestId" as never) as string | undefined) ?? "unknown";
  return c.json(
    {
      error: {
        type: error.type,
        code: error.code,
        message: error.message,
        ...(error.param ? { param: error.param } : {}),
        request_id: requestId,
      },
    },
    error.status,
  );
}

/** The value at `path` inside `input`, or `present` when it cannot be told (a non-object on the way). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return "present";
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Turns the first schema issue into a 400 naming the parameter; `input` is what was validated. */
export function validationError(error: ZodError, input?: unknown): ApiError {
  const issue = error.issues[0];
  const param = issue?.path.map(String).join(".") || undefined;
  if (!issue) return new ApiError(400, "invalid_request_error", "parameter_invalid", "The request is invalid");
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const full = param ? `${param}.${key}` : key;
    return new ApiError(400, "invalid_request_error", "parameter_unknown", `Unknown parameter: ${full}`, full);
  }
  // A missing enum answers "invalid option", not "received undefined": look at the input too.
  const missing =
    (issue.code === "invalid_type" && /received undefined/.test(issue.message)) ||
    (input !== undefined && issue.path.length > 0 && valueAt(input, issue.path) === undefined);
  if (missing)
    return new ApiError(
      400,
      "invalid_request_error",
      "parameter_missing",
      `Missing required parameter: ${param}`,
      param,
    );
  return new ApiError(
    400,
    "invalid_request_error",
    "parameter_invalid",
    `Invalid ${param ?? "request"}: ${issue.message}`,
    param,
  );
}

/** Where in `input` a string (or an object key) holds U+0000, as a parameter path; null when nowhere. */
function nulAt(input: unknown, path: string[] = []): string[] | null {
  if (typeof input === "string") return input.includes("\u0000") ? path : null;
  if (input === null || typeof input !== "object") return null;
  for (const [key, value] of Object.entries(input)) {
    if (key.includes("\u0000")) return [...path, key];
    const found = nulAt(value, [...path, key]);
    if (found) return found;
  }
  return null;
}

/**
 * Refuses text holding the NUL character (U+0000) anywhere in validated input: no field has a use
 * for it, and PostgreSQL cannot store it in text, so both databases refuse it the same way.
 */
export function refuseNul(input: unknown): void {
  const path = nulAt(input);
  if (!path) return;
  const param = path.join(".") || undefined;
  throw new ApiError(
    400,
    "invalid_request_error",
    "parameter_invalid",
    `Invalid ${param ?? "request"}: must not contain the NUL character (U+0000)`,
    param,
  );
}
