import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** A tenant's receiver of signed events (Standard Webhooks). */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    tenantId: text("tenant_id").notNull(),
    url: text("url").notNull(),
    description: text("description"),
    /** Event types to send; null sends every type. */
    eventTypes: text("event_types", { mode: "json" }).$type<string[] | null>(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    disabledReason: text("disabled_reason"),
    /** `whsec_…`, sealed with a key derived from LESSONKIT_SECRET. */
    secretSealed: text("secret_sealed").notNull(),
    /** After a rotation the old secret keeps signing alongside the new one until this time (server clock). */
    previousSecretSealed: text("previous_secret_sealed"),
    previousSecretExpiresAt: integer("previous_secret_expires_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("webhook_endpoints_id").on(t.id), index("webhook_endpoints_tenant").on(t.tenantId, t.seq)],
);

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;

/** One event to one endpoint: retried on its schedule until it succeeds or is given up. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    tenantId: text("tenant_id").notNull(),
    eventId: text("event_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull(),
    attemptCount: integer("attempt_count").notNull().default(0),
    /** When the next attempt is due, in the tenant's clock (so a sandbox test clock drives retries). */
    nextAttemptAt: integer("next_attempt_at"),
    /** When the first attempt of the current series was made; retries are timed from it. */
    firstAttemptAt: integer("first_attempt_at"),
    claimToken: text("claim_token"),
    claimExpiresAt: integer("claim_expires_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    completedAt: integer("completed_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_id").on(t.id),
    uniqueIndex("webhook_deliveries_event_endpoint").on(t.eventId, t.endpointId),
    index("webhook_deliveries_due").on(t.status, t.nextAttemptAt),
  ],
);

/** Every attempt, for the integrator's delivery log. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    deliveryId: text("delivery_id").notNull(),
    tenantId: text("tenant_id").notNull(),
    attemptedAt: integer("attempted_at").notNull(),
    statusCode: integer("status_code"),
    durationMs: integer("duration_ms").notNull(),
    responseExcerpt: text("response_excerpt"),
    error: text("error"),
  },
  (t) => [index("webhook_attempts_delivery").on(t.deliveryId)],
);
