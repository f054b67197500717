import { z } from "@hono/zod-openapi";
import { BOOKING_STATUSES, DISPUTE_SOURCES, ESCROW_STATUSES, OPERATION_KINDS, OPERATION_STATUSES } from "../db/schema";
import { EVENT_TYPES } from "../domain/events/emit";
import { DEFAULT_POLICY } from "../domain/policy";
import { MAX_PROVIDER_RATE } from "../domain/tenants/provider-budget";

/**
 * Wire schemas: the single source of truth for the HTTP contract. /openapi.json is generated from
 * these and the SDK's types are generated from that file.
 */

const isoDateTime = z.string().openapi({ format: "date-time", example: "2030-01-01T09:00:00.000Z" });
const nullableIso = isoDateTime.nullable();
export const RoleSchema = z.enum(["student", "tutor"]).openapi("Role");

export const ErrorSchema = z
  .object({
    error: z.object({
      type: z.string().openapi({ example: "conflict_error" }),
      code: z.string().openapi({ example: "join_window_not_open" }),
      message: z.string(),
      param: z.string().optional(),
      request_id: z.string(),
    }),
  })
  .openapi("Error");

export const PolicySchema = z
  .object({
    payment_window_minutes: z.number().int(),
    join_window_minutes: z.number().int(),
    late_join_minutes: z.number().int().nullable(),
    no_show_minutes: z.number().int(),
    overtime_grace_minutes: z.number().int(),
    release_delay_hours: z.number().int(),
    free_cancel_hours: z.number().int(),
    late_cancel_refund_percent: z.number().int(),
    student_no_show: z.enum(["release", "refund"]),
    tutor_no_show: z.enum(["refund", "release"]),
  })
  .openapi("Policy", { example: DEFAULT_POLICY });

export const PolicyInputSchema = z
  .object({
    payment_window_minutes: z.number().int().min(1).max(10_080),
    join_window_minutes: z.number().int().min(0).max(1440),
    late_join_minutes: z.number().int().min(0).max(1440).nullable(),
    no_show_minutes: z.number().int().min(1).max(1440),
    overtime_grace_minutes: z.number().int().min(0).max(1440),
    release_delay_hours: z.number().int().min(0).max(2160),
    free_cancel_hours: z.number().int().min(0).max(2160),
    late_cancel_refund_percent: z.number().int().min(0).max(100),
    student_no_show: z.enum(["release", "refund"]),
    tutor_no_show: z.enum(["refund", "release"]),
  })
  .partial()
  .strict()
  .openapi("PolicyInput");

const hex32 = z.string().regex(/^[0-9a-fA-F]{32}$/, "must be 32 hexadecimal characters");
export const AgoraSettingsInputSchema = z
  .object({ app_id: hex32, app_certificate: hex32 })
  .strict()
  .openapi("AgoraSettingsInput");

export const StripeSettingsInputSchema = z
  .object({
    secret_key: z.string().openapi({ example: "sk_test_…", description: "Your platform's Stripe secret key" }),
    webhook_secret: z
      .string()
      .openapi({ example: "whsec_…", description: "Signing secret of the endpoint for your account's events" }),
    connect_webhook_secret: z.string().optional().openapi({
      example: "whsec_…",
      description: "Signing secret of the Connect endpoint (connected accounts' events)",
    }),
  })
  .strict()
  .openapi("StripeSettingsInput");

export const ProviderRateInputSchema = z.number().int().min(1).max(MAX_PROVIDER_RATE).nullable().openapi({
  description:
    "Stripe calls per second LessonKit may make for you (per process); null returns to the default below Stripe's limit for your key's mode",
  example: 20,
});

export const TenantSchema = z
  .object({
    id: z.string().openapi({ example: "tn_3kTq9…" }),
    object: z.literal("tenant"),
    name: z.string(),
    payment_provider: z.enum(["sandbox", "stripe"]),
    policy: PolicySchema,
    agora: z.object({ app_id: z.string(), app_certificate_set: z.boolean() }).nullable(),
    stripe: z
      .object({
        configured: z.boolean(),
        livemode: z.boolean(),
        requests_per_second: z.number().openapi({
          description:
            "The budget LessonKit paces this tenant's Stripe calls to (per process): yours, or 24 for a test-mode key and 95 live",
        }),
        requests_per_second_set: z.boolean().openapi({ description: "Whether you set the budget yourself" }),
      })
      .nullable()
      .openapi({ description: "Whether Stripe settings are set; the keys themselves are never returned" }),
    secret_key_hint: z.string(),
    test_clock: z.object({ offset_seconds: z.number().int() }).nullable(),
    created_at: isoDateTime,
    updated_at: isoDateTime,
  })
  .openapi("Tenant");

export const ProviderErrorSchema = z
  .object({
    code: z.string().openapi({ example: "payouts_not_enabled", description: "The provider's code (or LessonKit's)" }),
    message: z.string(),
  })
  .openapi("ProviderError");

export const EscrowSchema = z
  .object({
    id: z.string().openapi({ example: "esc_…" }),
    object: z.literal("escrow"),
    booking_id: z.string(),
    tutor_id: z.string(),
    status: z.enum(ESCROW_STATUSES),
    currency: z.string().openapi({ example: "usd" }),
    amount: z.number().int(),
    platform_fee: z.number().int(),
    tutor_amount: z.number().int(),
    held_amount: z.number().int(),
    refunded_amount: z.number().int(),
    released_amount: z
      .number()
      .int()
      .openapi({ description: "Released out of escrow: tutor payout plus platform fee" }),
    payout_amount: z.number().int().nullable().openapi({ description: "What the tutor was paid at release" }),
    charged_back_amount: z
      .number()
      .int()
      .openapi({ description: "Of refunded_amount, what went back through lost chargebacks" }),
    reversed_amount: z
      .number()
      .int()
      .openapi({ description: "Taken back from the tutor's transfer at the provider (by LessonKit or anyone)" }),
    release_at: nullableIso,
    released_at: nullableIso,
    transfer_id: z.string().nullable(),
    dispute: z
      .object({
        source: z.enum(DISPUTE_SOURCES).openapi({
          description:
            "participant: the student through a session; platform: your API call; provider: a chargeback at Stripe",
        }),
        reason: z.string().nullable(),
        opened_by: z.enum(["student", "platform"]),
        opened_at: isoDateTime,
        provider_dispute_id: z.string().nullable(),
      })
      .nullable()
      .openapi("EscrowDispute"),
    last_error: ProviderErrorSchema.nullable().openapi({
      description: "Why the last attempt to move this escrow's money failed; null once it moved",
    }),
    created_at: isoDateTime,
  })
  .openapi("Escrow");

export const MoneyOperationSchema = z
  .object({
    id: z.string().openapi({ example: "op_…" }),
    object: z.literal("money_operation"),
    escrow_id: z.string(),
    booking_id: z.string(),
    kind: z.enum(OPERATION_KINDS).openapi({
      description:
        "transfer: the tutor's payout; refund: back to the student; transfer_reversal: taken back from the tutor",
    }),
    status: z.enum(OPERATION_STATUSES).openapi({
      description:
        "pending: decided, not sent; in_flight: being made, or sent without a definitive answer (retried with the same key); succeeded; failed: refused by the provider; canceled: no longer needed",
    }),
    amount: z.number().int(),
    currency: z.string(),
    reason: z.string().openapi({ example: "canceled_by_student" }),
    idempotency_key: z.string().openapi({ description: "Sent to the provider with every attempt of this operation" }),
    attempts: z.number().int(),
    provider_id: z
      .string()
      .nullable()
      .openapi({ example: "tr_…", description: "The provider's transfer, refund or reversal" }),
    last_error: ProviderErrorSchema.nullable(),
    next_attempt_at: nullableIso.openapi({ description: "While pending or in flight: the earliest next attempt" }),
    created_at: isoDateTime,
    updated_at: isoDateTime,
    completed_at: nullableIso,
  })
  .openapi("MoneyOperation");

export const EscrowWithOperationsSchema = EscrowSchema.extend({
  operations: z
    .array(MoneyOperationSchema)
    .openapi({ description: "Every money operation of the escrow, oldest first" }),
}).openapi("EscrowWithOperations");

const PersonSchema = z.object({ id: z.string(), name: z.string().nullable() });

export const BookingSchema = z
  .object({
    id: z.string().openapi({ example: "bk_…" }),
    object: z.literal("booking"),
    external_id: z.string(),
    status: z.enum(BOOKING_STATUSES),
    student: PersonSchema,
    tutor: PersonSchema.extend({ stripe_account: z.string().nullable() }),
    subject: z.string().nullable(),
    timezone: z.string().nullable(),
    scheduled_start: isoDateTime,
    ends_at: isoDateTime,
    duration_minutes: z.number().int(),
    join_opens_at: isoDateTime,
    session: z.object({
      started_at: nullableIso,
      started_by: RoleSchema.nullable(),
      student_joined_at: nullableIso,
      tutor_joined_at: nullableIso,
      ended_at: nullableIso,
      ended_by: z.enum(["student", "tutor", "system"]).nullable(),
      no_show_side: z.enum(["student", "tutor", "both"]).nullable(),
    }),
    cancellation: z
      .object({
        canceled_at: isoDateTime,
        canceled_by: z.enum(["student", "tutor", "platform", "system"]).nullable(),
        reason: z.string().nullable(),
      })
      .nullable(),
    rating: z.object({ stars: z.number().int(), comment: z.string().nullable(), rated_at: isoDateTime }).nullable(),
    escrow: EscrowSchema,
    payment: z.object({
      provider: z.enum(["sandbox", "stripe"]),
      client_secret: z.string().nullable(),
      expires_at: nullableIso,
    }),
    created_at: isoDateTime,
    updated_at: isoDateTime,
  })
  .openapi("Booking");

export const SessionSchema = z
  .object({
    booking_id: z.string(),
    role: RoleSchema,
    status: z.enum(BOOKING_STATUSES).openapi({
      description: "The booking's stored state, as on GET /v1/bookings/{id}; it changes only when something happens",
    }),
    phase: z.enum(["upcoming", "joinable", "in_progress", "ended", "canceled", "no_show"]).openapi({
      description:
        "What the session screen should show now: `status` read against the tenant's clock (a confirmed booking is `upcoming` before join_opens_at, `joinable` from then, `no_show` once the time to start has passed, before the tick settles it)",
    }),
    subject: z.string().nullable(),
    timezone: z.string().nullable(),
    scheduled_start: isoDateTime,
    ends_at: isoDateTime,
    duration_minutes: z.number().int(),
    join_opens_at: isoDateTime,
    no_show_at: isoDateTime.openapi({
      description:
        "The no-show deadline (scheduled start + no_show_minutes): a side that has not joined by then is a no-show, and the other may end the session",
    }),
    auto_complete_at: isoDateTime.openapi({
      description:
        "When a session left running becomes due for automatic completion (scheduled end + overtime_grace_minutes; the next run of due work completes it); video credentials expire then too",
    }),
    started_at: nullableIso,
    started_by: RoleSchema.nullable(),
    ended_at: nullableIso,
    ended_by: z.enum(["student", "tutor", "system"]).nullable(),
    no_show_side: z.enum(["student", "tutor", "both"]).nullable(),
    server_time: isoDateTime,
    can_start: z.boolean().openapi({
      description:
        "This participant may start the session now: it is paid, the join window is open and nobody has started it yet",
    }),
    can_join: z.boolean().openapi({
      description: "The session runs and this participant may join it now, or rejoin for fresh video credentials",
    }),
    can_end: z.boolean().openapi({
      description: "This participant joined and may end the session now (not while the other side may still join)",
    }),
    participants: z.object({
      student: z.object({ name: z.string().nullable(), joined_at: nullableIso }),
      tutor: z.object({ name: z.string().nullable(), joined_at: nullableIso }),
    }),
    notes: z.string().nullable().openapi({ description: "The tutor's notes (only shown to the tutor)" }),
    rating: z.object({ stars: z.number().int(), comment: z.string().nullable(), rated_at: isoDateTime }).nullable(),
    escrow: z.object({
      status: z.enum(ESCROW_STATUSES),
      release_at: nullableIso,
      currency: z.string(),
      amount: z.number().int(),
      tutor_amount: z.number().int(),
    }),
  })
  .openapi("Session");

export const VideoSchema = z
  .object({
    provider: z.literal("agora"),
    app_id: z.string(),
    channel: z.string(),
    uid: z.number().int(),
    token: z.string(),
    expires_at: isoDateTime,
  })
  .openapi("VideoCredentials");

export const SessionWithVideoSchema = SessionSchema.extend({ video: VideoSchema }).openapi("SessionWithVideo");

export const EventSchema = z
  .object({
    id: z.string().openapi({ example: "evt_…" }),
    object: z.literal("event"),
    type: z.enum(EVENT_TYPES),
    created_at: isoDateTime,
    booking_id: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi("Event");

export function pageOf<T extends z.ZodTypeAny>(item: T, name: string) {
  return z.object({ data: z.array(item), has_more: z.boolean(), next_cursor: z.string().nullable() }).openapi(name);
}

export const PaginationQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ param: { name: "limit", in: "query" }, example: 20 }),
  starting_after: z
    .string()
    .min(1)
    .optional()
    .openapi({ param: { name: "starting_after", in: "query" } }),
});

export const IdParam = <K extends string>(name: K, example: string) =>
  z.object({
    [name]: z
      .string()
      .min(1)
      .max(255)
      .openapi({ param: { name, in: "path" }, example }),
  } as Record<K, z.ZodString>);

/** Error responses every authenticated route may return. */
const errorBody = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});

/** What every route can answer besides its success (a 500 `internal_error` is a bug, not a contract). */
export const errorResponses = {
  400: errorBody("Invalid request"),
  401: errorBody("Missing or invalid credentials"),
  403: errorBody("Not allowed for these credentials"),
  404: errorBody("Not found"),
  409: errorBody("Conflicts with the resource's state"),
  422: errorBody("Semantically invalid"),
} as const;

/** A route any request body can be sent to (every method but GET and HEAD): also 413. */
export const writeErrorResponses = {
  ...errorResponses,
  413: errorBody("The request body is larger than 256 KB (`body_too_large`)"),
} as const;

/** A route with a JSON body schema: also 415 when the body is sent as another media type. */
export const jsonWriteErrorResponses = {
  ...writeErrorResponses,
  415: errorBody("The body is not sent as application/json (`unsupported_media_type`)"),
} as const;

/** A route that calls the payment provider while it answers: 502 when the provider fails or cannot be reached. */
export const providerErrorResponses = {
  502: errorBody(
    "The payment provider failed or could not be reached (`provider_error`); retry with the same Idempotency-Key",
  ),
} as const;

export const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const jsonBody = <T extends z.ZodTypeAny>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});
