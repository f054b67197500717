import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** First response to each `Idempotency-Key`, per caller, replayed for retries of the same request. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    status: integer("status"),
    responseBody: text("response_body"),
    createdAt: integer("created_at").notNull(),
  },
  // created_at: the tick forgets keys older than a day without reading the others.
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index("idempotency_keys_created").on(t.createdAt)],
);
