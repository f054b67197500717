import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants";

export const BOOKING_STATUSES = [
  "pending_payment",
  "confirmed",
  "in_progress",
  "completed",
  "canceled",
  "no_show",
] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
export type Role = "student" | "tutor";

/**
 * A booked lesson and its live session. All times are epoch milliseconds in the tenant's clock.
 * The policy that applied at booking time is copied onto the booking so later policy changes never
 * rewrite the terms of an existing lesson; the deadlines derived from it are columns the tick can index.
 */
export const bookings = sqliteTable(
  "bookings",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    externalId: text("external_id").notNull(),
    status: text("status", { enum: BOOKING_STATUSES }).notNull(),
    studentId: text("student_id").notNull(),
    studentName: text("student_name"),
    tutorId: text("tutor_id").notNull(),
    tutorName: text("tutor_name"),
    tutorStripeAccount: text("tutor_stripe_account"),
    subject: text("subject"),
    timezone: text("timezone"),
    scheduledStart: integer("scheduled_start").notNull(),
    durationMinutes: integer("duration_minutes").notNull(),
    endsAt: integer("ends_at").notNull(),
    policy: text("policy", { mode: "json" }).notNull(),
    paymentExpiresAt: integer("payment_expires_at").notNull(),
    joinOpensAt: integer("join_opens_at").notNull(),
    noShowAt: integer("no_show_at").notNull(),
    autoCompleteAt: integer("auto_complete_at").notNull(),
    startedAt: integer("started_at"),
    startedBy: text("started_by", { enum: ["student", "tutor"] }),
    studentJoinedAt: integer("student_joined_at"),
    tutorJoinedAt: integer("tutor_joined_at"),
    endedAt: integer("ended_at"),
    endedBy: text("ended_by", { enum: ["student", "tutor", "system"] }),
    canceledAt: integer("canceled_at"),
    canceledBy: text("canceled_by", { enum: ["student", "tutor", "platform", "system"] }),
    cancelReason: text("cancel_reason"),
    noShowSide: text("no_show_side", { enum: ["student", "tutor", "both"] }),
    notes: text("notes"),
    notesUpdatedAt: integer("notes_updated_at"),
    ratingStars: integer("rating_stars"),
    ratingComment: text("rating_comment"),
    ratedAt: integer("rated_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("bookings_id").on(t.id),
    uniqueIndex("bookings_tenant_external_id").on(t.tenantId, t.externalId),
    index("bookings_tenant_seq").on(t.tenantId, t.seq),
    // The list's filters, each walked newest first (GET /v1/bookings?status=|tutor_id=|student_id=).
    index("bookings_tenant_status_seq").on(t.tenantId, t.status, t.seq),
    index("bookings_tenant_tutor_seq").on(t.tenantId, t.tutorId, t.seq),
    index("bookings_tenant_student_seq").on(t.tenantId, t.studentId, t.seq),
    index("bookings_status_payment_expires").on(t.status, t.paymentExpiresAt),
    index("bookings_status_no_show").on(t.status, t.noShowAt),
    index("bookings_status_auto_complete").on(t.status, t.autoCompleteAt),
  ],
);

export type BookingRow = typeof bookings.$inferSelect;
