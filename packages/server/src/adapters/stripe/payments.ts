import type {
  CancelPaymentInput,
  CreatePaymentInput,
  CreatePaymentResult,
  PaymentProvider,
  PaymentTenant,
  RefundInput,
  ReverseTransferInput,
  TransferInput,
} from "../../ports/payments";
import { PaymentProviderError } from "../../ports/payments";
import type { StripeClients } from "./client";

/**
 * Stripe Connect with separate charges and transfers: the student pays the platform account
 * (a PaymentIntent whose transfer_group is the booking), the tutor is paid by a transfer funded by
 * that charge (source_transaction), refunds after release take the tutor's share back with a
 * transfer reversal. Every call carries the idempotency key the domain derived from the escrow.
 */
export class StripePayments implements PaymentProvider {
  readonly name = "stripe" as const;

  constructor(private readonly stripe: StripeClients) {}

  async createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult> {
    const intent = await this.stripe.call(input.tenant, (stripe) =>
      stripe.paymentIntents.create(
        {
          amount: input.amount,
          currency: input.currency,
          transfer_group: input.bookingId,
          automatic_payment_methods: { enabled: true },
          metadata: {
            lessonkit_tenant_id: input.tenant.id,
            lessonkit_booking_id: input.bookingId,
            lessonkit_escrow_id: input.escrowId,
          },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { paymentId: intent.id, clientSecret: intent.client_secret };
  }

  async cancelPayment(input: CancelPaymentInput): Promise<void> {
    const paymentId = input.paymentId;
    if (!paymentId) return;
    try {
      await this.stripe.call(input.tenant, (stripe) =>
        stripe.paymentIntents.cancel(
          paymentId,
          { cancellation_reason: "abandoned" },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
    } catch (error) {
      if (!(error instanceof PaymentProviderError) || error.code !== "payment_intent_unexpected_state") throw error;
      // Already canceled is what we wanted; anything else (it succeeded meanwhile) must not be voided.
      const intent = await this.stripe.call(input.tenant, (stripe) => stripe.paymentIntents.retrieve(paymentId));
      if (intent.status !== "canceled") {
        throw new PaymentProviderError(
          `The payment is already ${intent.status} at Stripe and cannot be voided`,
          "payment_already_made",
          false,
        );
      }
    }
  }

  async refund(input: RefundInput): Promise<{ refundId: string }> {
    const target = input.chargeId
      ? { charge: input.chargeId }
      : input.paymentId
        ? { payment_intent: input.paymentId }
        : null;
    if (!target) throw new PaymentProviderError("The escrow has no Stripe payment to refund", "payment_missing", false);
    const refund = await this.stripe.call(input.tenant, (stripe) =>
      stripe.refunds.create(
        { ...target, amount: input.amount, metadata: { lessonkit_escrow_id: input.escrowId } },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { refundId: refund.id };
  }

  async refundedTotal(input: Pick<RefundInput, "tenant" | "chargeId" | "paymentId">): Promise<number> {
    if (input.chargeId) {
      const chargeId = input.chargeId;
      const charge = await this.stripe.call(input.tenant, (stripe) => stripe.charges.retrieve(chargeId));
      return charge.amount_refunded;
    }
    if (!input.paymentId) throw new PaymentProviderError("The escrow has no Stripe payment", "payment_missing", false);
    const paymentId = input.paymentId;
    const intent = await this.stripe.call(input.tenant, (stripe) =>
      stripe.paymentIntents.retrieve(paymentId, { expand: ["latest_charge"] }),
    );
    const charge = intent.latest_charge;
    return charge && typeof charge === "object" ? charge.amount_refunded : 0;
  }

  async transfer(input: TransferInput): Promise<{ transferId: string }> {
    if (!input.destination) {
      throw new PaymentProviderError("The tutor has no connected Stripe account", "tutor_account_missing", false);
    }
    const destination = input.destination;
    const transfer = await this.stripe.call(input.tenant, (stripe) =>
      stripe.transfers.create(
        {
          amount: input.amount,
          currency: input.currency,
          destination,
          transfer_group: input.bookingId,
          ...(input.chargeId ? { source_transaction: input.chargeId } : {}),
          metadata: {
            lessonkit_tenant_id: input.tenant.id,
            lessonkit_booking_id: input.bookingId,
            lessonkit_escrow_id: input.escrowId,
          },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { transferId: transfer.id };
  }

  /**
   * The transfer an earlier attempt of this release made, if any: looked up in the booking's
   * transfer group by the escrow id in its metadata. The idempotency key alone covers a retry
   * within Stripe's 24 hours; this covers one made later (a server down for a day after a crash).
   */
  async findTransfer(input: TransferInput): Promise<{ transferId: string; amount: number } | null> {
    const page = await this.stripe.call(input.tenant, (stripe) =>
      stripe.transfers.list({ transfer_group: input.bookingId, limit: 100 }),
    );
    const match = page.data.find((transfer) => transfer.metadata?.lessonkit_escrow_id === input.escrowId);
    return match ? { transferId: match.id, amount: match.amount } : null;
  }

  async reverseTransfer(input: ReverseTransferInput): Promise<{ reversalId: string }> {
    const reversal = await this.stripe.call(input.tenant, (stripe) =>
      stripe.transfers.createReversal(
        input.transferId,
        { amount: input.amount, metadata: { lessonkit_escrow_id: input.escrowId } },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { reversalId: reversal.id };
  }

  async transferTotals(input: { tenant: PaymentTenant; transferId: string }) {
    const transfer = await this.stripe.call(input.tenant, (stripe) => stripe.transfers.retrieve(input.transferId));
    return { amount: transfer.amount, reversed: transfer.amount_reversed };
  }

  async payoutsEnabled(tenant: PaymentTenant, accountId: string): Promise<boolean> {
    const account = await this.stripe.call(tenant, (stripe) => stripe.accounts.retrieve(accountId));
    return account.payouts_enabled === true;
  }
}
