import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The outbox: every event is written in the same transaction as the change that caused it.
 * `available_at` is when it becomes visible and deliverable (later than `created_at` for
 * scheduled events such as session.join_window_opened).
 */
export const events = sqliteTable(
  "events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    tenantId: text("tenant_id").notNull(),
    type: text("type").notNull(),
    bookingId: text("booking_id"),
    data: text("data", { mode: "json" }).notNull(),
    createdAt: integer("created_at").notNull(),
    availableAt: integer("available_at").notNull(),
  },
  (t) => [
    index("events_tenant_seq").on(t.tenantId, t.seq),
    index("events_tenant_type_seq").on(t.tenantId, t.type, t.seq),
    index("events_booking").on(t.bookingId, t.seq),
  ],
);
