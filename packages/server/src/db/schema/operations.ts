import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { escrows } from "./escrows";
import { tenants } from "./tenants";

/** What moves at the provider: the tutor's payout, money back to the student, a payout taken back. */
export const OPERATION_KINDS = ["transfer", "refund", "transfer_reversal"] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

/**
 * `pending`: decided, never sent (it may still be canceled). `in_flight`: claimed by an executor, or
 * sent without a definitive answer: money may be moving, so it is only ever retried with its own key.
 * `succeeded` / `failed` (the provider refused; nothing moved) / `canceled` (no longer needed): final.
 */
export const OPERATION_STATUSES = ["pending", "in_flight", "succeeded", "failed", "canceled"] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];
export const OPEN_OPERATION_STATUSES = ["pending", "in_flight"] as const satisfies readonly OperationStatus[];

/**
 * A transfer not final yet, as the predicate of the partial unique index on `escrow_id` that lets an
 * escrow have one at a time (the tutor is paid once), and of the insert's `on conflict` that skips a
 * second one (store.ts). Written as text with literals: both engines match an `on conflict` target to
 * a partial index only when its predicate implies the index's, which they cannot prove of a bound
 * parameter. Refunds and transfer reversals may have several open at once by design (a second refund
 * while the first one's outcome is unknown), so the guard is the transfer's alone.
 */
export const OPEN_TRANSFER = sql.raw(`"kind" = 'transfer' and "status" in ('pending', 'in_flight')`);

/**
 * Money operations: one row per movement of money we intend at the payment provider. Written as an
 * intent in the same transaction as the state change that needs it; executed by the tick's executor
 * under a lease, outside any transaction, with its idempotency key; its outcome recorded only while
 * the lease is held. The unique key is also the guard that keeps a movement from being recorded twice
 * after the provider has forgotten the key.
 */
export const moneyOperations = sqliteTable(
  "money_operations",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    escrowId: text("escrow_id")
      .notNull()
      .references(() => escrows.id),
    bookingId: text("booking_id").notNull(),
    kind: text("kind", { enum: OPERATION_KINDS }).notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    /** Why the money moves (`canceled_by_student`, `no_show:both`, `dispute_resolved`, `release`, …). */
    reason: text("reason").notNull(),
    /** Sent with every provider call of this operation, and never with another. */
    idempotencyKey: text("idempotency_key").notNull(),
    status: text("status", { enum: OPERATION_STATUSES }).notNull(),
    /** When the next attempt may start, in the tenant's clock. */
    dueAt: integer("due_at").notNull(),
    /** The executor run holding the operation, and until when (server clock). */
    leaseToken: text("lease_token"),
    leaseExpiresAt: integer("lease_expires_at"),
    /** How many times an executor took the operation up. */
    attempts: integer("attempts").notNull().default(0),
    /** The provider's object: `tr_…`, `re_…`, `trr_…`. */
    providerId: text("provider_id"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    completedAt: integer("completed_at"),
  },
  (t) => [
    uniqueIndex("money_operations_id").on(t.id),
    uniqueIndex("money_operations_idempotency_key").on(t.idempotencyKey),
    index("money_operations_tenant_seq").on(t.tenantId, t.seq),
    index("money_operations_tenant_status_seq").on(t.tenantId, t.status, t.seq),
    index("money_operations_tenant_kind_seq").on(t.tenantId, t.kind, t.seq),
    index("money_operations_tenant_escrow_seq").on(t.tenantId, t.escrowId, t.seq),
    index("money_operations_escrow").on(t.escrowId, t.kind, t.status),
    index("money_operations_status_due").on(t.status, t.dueAt),
    uniqueIndex("money_operations_open_transfer").on(t.escrowId).where(OPEN_TRANSFER),
  ],
);

export type OperationRow = typeof moneyOperations.$inferSelect;
