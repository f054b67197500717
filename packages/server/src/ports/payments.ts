/**
 * The payments port: how escrowed money moves at a provider. Every call carries an idempotency key
 * derived from the escrow, so a retry after a crash asks the provider for the same movement again
 * instead of a new one.
 */
export interface PaymentTenant {
  id: string;
  paymentProvider: "sandbox" | "stripe";
  /** The tenant's sealed Stripe settings (the Stripe adapter unseals them). */
  stripeSealed?: string | null;
  /** Whether the tenant's Stripe key is a live-mode one (its default call budget is higher). */
  stripeLivemode?: boolean | null;
  /** The tenant's own budget of provider calls per second, if it set one. */
  providerRateLimit?: number | null;
}

export interface CreatePaymentInput {
  tenant: PaymentTenant;
  bookingId: string;
  escrowId: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
}

export interface CreatePaymentResult {
  paymentId: string;
  clientSecret: string | null;
}

export interface RefundInput {
  tenant: PaymentTenant;
  escrowId: string;
  paymentId: string | null;
  chargeId: string | null;
  amount: number;
  currency: string;
  idempotencyKey: string;
}

export interface TransferInput {
  tenant: PaymentTenant;
  escrowId: string;
  bookingId: string;
  destination: string | null;
  chargeId: string | null;
  amount: number;
  currency: string;
  idempotencyKey: string;
}

export interface CancelPaymentInput {
  tenant: PaymentTenant;
  paymentId: string | null;
  idempotencyKey: string;
}

export interface ReverseTransferInput {
  tenant: PaymentTenant;
  escrowId: string;
  transferId: string;
  amount: number;
  idempotencyKey: string;
}

export interface PaymentProvider {
  readonly name: "sandbox" | "stripe";
  createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult>;
  /** Voids a payment that has not been made, so a late card confirmation cannot charge. */
  cancelPayment(input: CancelPaymentInput): Promise<void>;
  refund(input: RefundInput): Promise<{ refundId: string }>;
  /**
   * How much of the payment the provider has refunded in all, by whoever: asked when a refund of
   * ours is refused because the money was already refunded elsewhere (a dashboard refund).
   */
  refundedTotal?(input: Pick<RefundInput, "tenant" | "chargeId" | "paymentId">): Promise<number>;
  transfer(input: TransferInput): Promise<{ transferId: string }>;
  /**
   * The transfer an earlier attempt of this release made, if the provider has one: asked before a
   * release that an earlier run may have sent without recording it, since an idempotency key alone
   * does not last (Stripe forgets keys after 24 hours). Providers without it keep keys forever.
   */
  findTransfer?(input: TransferInput): Promise<{ transferId: string; amount: number } | null>;
  /**
   * A transfer as the provider has it: its amount and how much of it was reversed in all, by
   * whoever. Asked when a reversal of ours is refused as more than is left on the transfer (someone
   * reversed part of it in the dashboard).
   */
  transferTotals?(input: { tenant: PaymentTenant; transferId: string }): Promise<{ amount: number; reversed: number }>;
  /** Takes back part of a transfer from the tutor's account (a refund after release). */
  reverseTransfer?(input: ReverseTransferInput): Promise<{ reversalId: string }>;
  /** Whether the tutor's connected account can be paid out now (asked when nothing is known yet). */
  payoutsEnabled?(tenant: PaymentTenant, accountId: string): Promise<boolean>;
}

/** Picks the provider adapter that serves a tenant. */
export interface Payments {
  forTenant(tenant: PaymentTenant): PaymentProvider;
}

/** A provider refused or failed a movement; `code` is the provider's own error code. */
export class PaymentProviderError extends Error {
  override name = "PaymentProviderError";
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
