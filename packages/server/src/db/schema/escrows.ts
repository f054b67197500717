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
    /** Status to return to when a dispute is resolved in the tutor's favour. */
    statusBeforeDispute: text("status_before_dispute", { enum: ESCROW_STATUSES }),
    disputeReason: text("dispute_reason"),
    disputeOpenedBy: text("dispute_opened_by", { enum: ["student", "platform"] }),
    disputedAt: integer("disputed_at"),
    /** Why the last attempt to move this escrow's money failed, for operators and integrators. */
    lastError: text("last_error"),
    /**
     * A refund decided but not yet confirmed by the provider. It is recorded before the provider is
     * called, so a crash in between leaves work the next tick finishes with the same idempotency key.
     */
    pendingRefundAmount: integer("pending_refund_amount"),
    pendingRefundKey: text("pending_refund_key"),
    pendingRefundReason: text("pending_refund_reason"),
    /**
     * Lease on this escrow's provider work (a refund or the release): which run holds it and until
     * when, in the server's clock. A release claim is never cleared until the release commits or the
     * provider definitively refuses it, so a dispute cannot slip in while money may be moving.
     */
    /** The provider's dispute (chargeback) on this escrow's charge, while one is open or was lost. */
    providerDisputeId: text("provider_dispute_id"),
    /** How much of the tutor's transfer has been reversed at the provider (after a refund following release). */
    reversedAmount: integer("reversed_amount").notNull().default(0),
    /**
     * A transfer reversal decided but not yet made at the provider: recorded with its idempotency
     * key before the call, like a pending refund, so a crash in between is finished later.
     */
    pendingReversalAmount: integer("pending_reversal_amount"),
    pendingReversalKey: text("pending_reversal_key"),
    claimToken: text("claim_token"),
    claimKind: text("claim_kind", { enum: ["refund", "release", "reversal"] }),
    claimExpiresAt: integer("claim_expires_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("escrows_id").on(t.id),
    uniqueIndex("escrows_booking_id").on(t.bookingId),
    index("escrows_tenant_seq").on(t.tenantId, t.seq),
    index("escrows_status_release_at").on(t.status, t.releaseAt),
    index("escrows_payment_id").on(t.paymentId),
  ],
);

export type EscrowRow = typeof escrows.$inferSelect;
