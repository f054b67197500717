import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const LEDGER_ACCOUNTS = [
  "payer",
  "tutor_pending",
  "tutor_disputed",
  "tutor_released",
  "platform_pending",
  "platform_revenue",
  "refunded",
] as const;
export type LedgerAccount = (typeof LEDGER_ACCOUNTS)[number];

/**
 * Append-only double-entry ledger. Every movement is a set of rows that sums to zero, written in
 * the same transaction as the escrow change that caused it. It is the source of truth: the running
 * totals below are kept from it (domain/ledger/post.ts) and checked against it (domain/ledger/reconcile.ts).
 */
export const ledgerEntries = sqliteTable(
  "ledger_entries",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    tenantId: text("tenant_id").notNull(),
    escrowId: text("escrow_id").notNull(),
    bookingId: text("booking_id").notNull(),
    tutorId: text("tutor_id").notNull(),
    currency: text("currency").notNull(),
    account: text("account", { enum: LEDGER_ACCOUNTS }).notNull(),
    amount: integer("amount").notNull(),
    /** What moved the money: capture, refund, release, dispute, dispute_resolved. */
    kind: text("kind").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("ledger_escrow").on(t.escrowId), index("ledger_tenant_tutor").on(t.tenantId, t.tutorId, t.currency)],
);

/**
 * Running totals of the tutor accounts, per tenant, tutor and currency: what a balance request reads
 * (one row, however many lessons the tutor has given). Updated by the one function that appends to
 * the ledger, in the same transaction; `lessonkit reconcile` / `POST /v1/admin/reconcile` recompute
 * them from the ledger and report any difference.
 */
export const tutorBalances = sqliteTable(
  "tutor_balances",
  {
    tenantId: text("tenant_id").notNull(),
    tutorId: text("tutor_id").notNull(),
    currency: text("currency").notNull(),
    pending: integer("pending").notNull().default(0),
    disputed: integer("disputed").notNull().default(0),
    released: integer("released").notNull().default(0),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.tutorId, t.currency] })],
);
