import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * One row per money movement made at a payment provider. The unique key is the guard that keeps a
 * movement from happening twice even after the provider has forgotten its idempotency key.
 */
export const payouts = sqliteTable(
  "payouts",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    escrowId: text("escrow_id").notNull(),
    kind: text("kind", { enum: ["release", "refund", "reversal"] }).notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    providerId: text("provider_id").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("payouts_idempotency_key").on(t.idempotencyKey)],
);
