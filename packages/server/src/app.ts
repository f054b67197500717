import { OpenAPIHono } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { migrationsCurrent } from "./adapters/storage";
import type { Deps } from "./domain/context";
import { newRequestId } from "./lib/ids";
import { type Logger, silentLogger } from "./lib/logger";
import { requireAdmin, requireParticipant, requireTenant } from "./middleware/auth";
import { requestBody } from "./middleware/body";
import { participantCors } from "./middleware/cors";
import { idempotency } from "./middleware/idempotency";
import { RequestLog } from "./middleware/request-log";
import * as admin from "./routes/admin/routes";
import * as cancelBooking from "./routes/bookings/cancel";
import * as createBooking from "./routes/bookings/create";
import * as getBooking from "./routes/bookings/get";
import * as listBookings from "./routes/bookings/list";
import * as participantTokens from "./routes/bookings/participant-tokens";
import type { App, AppEnv } from "./routes/context";
import { ApiError, errorResponse, refuseNul, toApiError, validationError } from "./routes/errors";
import * as escrowDispute from "./routes/escrows/dispute";
import * as getEscrow from "./routes/escrows/get";
import * as listEscrows from "./routes/escrows/list";
import * as escrowResolve from "./routes/escrows/resolve";
import * as events from "./routes/events/list";
import * as listOperations from "./routes/operations/list";
import * as sandbox from "./routes/sandbox/routes";
import * as sessionDispute from "./routes/sessions/dispute";
import * as sessionEnd from "./routes/sessions/end";
import * as sessionNotes from "./routes/sessions/notes";
import * as sessionRating from "./routes/sessions/rating";
import * as sessionStart from "./routes/sessions/start";
import * as sessionStatus from "./routes/sessions/status";
import * as stripeWebhooks from "./routes/stripe/webhooks";
import * as metrics from "./routes/system/metrics";
import * as system from "./routes/system/routes";
import * as tenant from "./routes/tenant/routes";
import * as tutorBalance from "./routes/tutors/balance";
import * as webhookEndpoints from "./routes/webhook-endpoints/routes";

export interface AppOptions {
  adminKey: string;
  /** One line per request, and unexpected errors (5xx) with their stack; nothing is logged without one. */
  logger?: Logger;
  /** What /readyz asks besides the database: shutdown, migrations (the libsql migrations table by default). */
  readiness?: Partial<system.Readiness>;
  /** Serve `GET /metrics` here behind the admin key (default); false when LESSONKIT_METRICS_PORT serves it. */
  metrics?: boolean;
}

const ROUTES = [
  admin,
  tenant,
  createBooking,
  listBookings,
  getBooking,
  cancelBooking,
  participantTokens,
  getEscrow,
  listEscrows,
  escrowDispute,
  escrowResolve,
  listOperations,
  tutorBalance,
  events,
  webhookEndpoints,
  sandbox,
  sessionStatus,
  sessionStart,
  sessionEnd,
  sessionNotes,
  sessionRating,
  sessionDispute,
  stripeWebhooks,
];

/** Builds the HTTP API around injected dependencies; nothing global, so tests build as many as they like. */
export function createApp(deps: Deps, options: AppOptions): App {
  const requestLog = new RequestLog(options.logger ?? silentLogger(), deps?.metrics);
  const app: App = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      // The validator passes the input as `data` too (untyped here): it tells a missing field apart.
      if (!result.success) throw validationError(result.error, (result as { data?: unknown }).data);
      refuseNul(result.data);
    },
  });

  // The status poll, every participant's screen several times a minute, answers before the whole
  // chain: it makes its own request id and does the same participant check and CORS grant
  // (routes/sessions/status.ts).
  sessionStatus.serveAhead(app, deps, requestLog);

  app.use(
    "*",
    // Not async: chaining on next()'s promise saves a frame on every request.
    createMiddleware<AppEnv>((c, next) => {
      const started = performance.now();
      const requestId = newRequestId();
      c.set("requestId", requestId);
      c.set("deps", deps);
      // Set before the handler runs, so the response is built with it rather than copied to add it.
      c.header("Request-Id", requestId);
      // Errors are turned into responses (app.onError) before this resolves: the status is final.
      return next().then(() => requestLog.recordFromContext(c, started));
    }),
  );
  // CORS first, so that even a refusal (413 included) is readable by the page that sent it.
  app.use("/v1/sessions/*", participantCors);
  // Before any refusal can happen: bounds the body, and reads off the wire whatever a refusal left
  // unread so the next request on the connection is answered (middleware/body.ts).
  app.use("*", requestBody);

  app.use("/v1/admin/*", requireAdmin(options.adminKey));
  app.use("/v1/sessions/:bookingId", requireParticipant);
  app.use("/v1/sessions/:bookingId/*", requireParticipant);
  for (const path of [
    "/v1/bookings",
    "/v1/bookings/*",
    "/v1/escrows",
    "/v1/escrows/*",
    "/v1/operations",
    "/v1/tutors/*",
    "/v1/events",
    "/v1/events/*",
    "/v1/tenant",
    "/v1/webhook-endpoints",
    "/v1/webhook-endpoints/*",
    "/v1/sandbox/*",
  ]) {
    app.use(path, requireTenant);
  }
  app.use("/v1/*", idempotency);

  system.register(app, {
    shuttingDown: options.readiness?.shuttingDown ?? (() => false),
    migrationsCurrent: options.readiness?.migrationsCurrent ?? (() => migrationsCurrent(deps.db)),
  });
  if (options.metrics !== false) metrics.register(app, requireAdmin(options.adminKey));
  for (const route of ROUTES) route.register(app);

  app.notFound((c) =>
    errorResponse(c, new ApiError(404, "not_found_error", "route_not_found", `No route ${c.req.method} ${c.req.path}`)),
  );
  app.onError((error, c) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) requestLog.unexpected(error, c.get("requestId") ?? "unknown");
    return errorResponse(c, apiError);
  });
  return app;
}
