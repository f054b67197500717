import { and, eq } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { idempotencyKeys } from "../db/schema";
import { sha256Hex } from "../lib/crypto";
import type { AppEnv } from "../routes/context";
import { ApiError } from "../routes/errors";

const MAX_KEY_LENGTH = 255;

/**
 * `Idempotency-Key` on a POST: the first response is stored and replayed for every retry with the
 * same key and body; the same key with another body is a 409. Keys are scoped to the caller.
 * Responses that did no work (validation 400/415/422s, 5xx) are not stored, so a fixed retry can proceed.
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("Idempotency-Key");
  if (c.req.method !== "POST" || key === undefined) return next();
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new ApiError(
      400,
      "invalid_request_error",
      "idempotency_key_invalid",
      `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters`,
    );
  }
  const deps = c.get("deps");
  const scope = c.get("callerScope");
  // Unauthenticated routes (and unknown paths) have no caller to scope a key to.
  if (!scope) return next();
  const requestHash = sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);
  const where = and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key));

  const inserted = await deps.db
    .insert(idempotencyKeys)
    .values({ scope, key, requestHash, createdAt: deps.clock.now() })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (inserted.length === 0) {
    const [previous] = await deps.db.select().from(idempotencyKeys).where(where);
    if (!previous)
      throw new ApiError(409, "idempotency_error", "idempotency_request_in_progress", "Retry this request");
    if (previous.requestHash !== requestHash) {
      throw new ApiError(
        409,
        "idempotency_error",
        "idempotency_key_reused",
        "This Idempotency-Key was used with a different request",
      );
    }
    if (previous.status === null || previous.responseBody === null) {
      throw new ApiError(
        409,
        "idempotency_error",
        "idempotency_request_in_progress",
        "A request with this Idempotency-Key is still being processed",
      );
    }
    // Through the context, so the headers set before this middleware (Request-Id, CORS) come too.
    return c.body(previous.responseBody, previous.status as ContentfulStatusCode, {
      "content-type": "application/json",
      "idempotent-replayed": "true",
    });
  }

  await next();
  const status = c.res.status;
  // Nothing was done for these (bad input, wrong credentials, throttled, our fault): a corrected
  // retry with the same key must run rather than replay the refusal.
  if (status >= 500 || [400, 401, 413, 415, 422, 429].includes(status)) {
    await deps.db.delete(idempotencyKeys).where(where);
    return;
  }
  const body = await c.res.clone().text();
  await deps.db.update(idempotencyKeys).set({ status, responseBody: body }).where(where);
});
