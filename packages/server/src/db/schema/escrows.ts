import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bookings } from "./bookings";
import { tenants } from "./tenants";

export const ESCROW_STATUSES = [
  "awaiting_payment",
  "held",
  "release_scheduled",
  "released",
  "refunded",
  "disputed",
  "canceled",
] as const;
export type EscrowStatus = (typeof ESCROW_STATUSES)[number];

/** A dispute opened by a participant (the student), by the platform through the API, or by the provider (a chargeback). */
export const DISPUTE_SOURCES = ["participant", "platform", "provider"] as const;
export type DisputeSource = (typeof DISPUTE_SOURCES)[number];

/** The money of one booking. Amounts are integer minor units; the ledger is the source of truth. */
export const escrows = sqliteTable(
  "escrows",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    bookingId: text("booking_id")
      .notNull()
      .references(() => bookings.id),
    tutorId: text("tutor_id").notNull(),
    status: text("status", { enum: ESCROW_STATUSES }).notNull(),
    provider: text("provider", { enum: ["sandbox", "stripe"] }).notNull(),
    currency: text("currency").notNull(),
    amount: integer("amount").notNull(),
    platformFee: integer("platform_fee").notNull(),
    tutorAmount: integer("tutor_amount").notNull(),
    refundedAmount: integer("refunded_amount").notNull().default(0),
    releasedAmount: integer("released_amount").notNull().default(0),
    payoutAmount: integer("payout_amount"),
    releaseAt: integer("release_at"),
    heldAt: integer("held_at"),
    releasedAt: integer("released_at"),
    paymentId: text("payment_id"),
    paymentClientSecret: text("payment_client_secret"),
    chargeId: text("charge_id"),
    transferId: text("transfer_id"),
    /** Of `refunded_amount`, what the card network took back through lost chargebacks (never in Stripe's `amount_refunded`). */
    chargedBackAmount: integer("charged_back_amount").notNull().default(0),
    /** How much of the tutor's transfer has been reversed at the provider, by us or anyone else. */
    reversedAmount: integer("reversed_amount").notNull().default(0),
    /** Who froze the escrow (or, for a provider dispute on released money, who opened one). */
    disputeSource: text("dispute_source", { enum: DISPUTE_SOURCES }),
    disputeReason: text("dispute_reason"),
    disputedAt: integer("disputed_at"),
    /** The provider's dispute (chargeback) on this escrow's charge, while one is open or was lost. */
    providerDisputeId: text("provider_dispute_id"),
    /** Why the last attempt to move this escrow's money failed: the provider's code and its message. */
    lastErrorCode: text("last_error_code"),
    lastErrorMessage: text("last_error_message"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("escrows_id").on(t.id),
    uniqueIndex("escrows_booking_id").on(t.bookingId),
    index("escrows_tenant_seq").on(t.tenantId, t.seq),
    index("escrows_tenant_status_seq").on(t.tenantId, t.status, t.seq),
    index("escrows_tenant_tutor_seq").on(t.tenantId, t.tutorId, t.seq),
    index("escrows_status_release_at").on(t.status, t.releaseAt),
    index("escrows_payment_id").on(t.paymentId),
    index("escrows_charge_id").on(t.chargeId),
    index("escrows_transfer_id").on(t.transferId),
  ],
);

export type EscrowRow = typeof escrows.$inferSelect;
