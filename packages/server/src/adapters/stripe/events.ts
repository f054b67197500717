import Stripe from "stripe";
import type { ProviderFact } from "../../domain/provider-events/facts";

type Expandable = string | { id: string } | null | undefined;
const idOf = (value: Expandable): string | null =>
  value == null ? null : typeof value === "string" ? value : value.id;

/**
 * Verifies a Stripe webhook with stripe-node against each of the tenant's signing secrets (the
 * account endpoint's, then the Connect endpoint's) at our clock's time; throws when none matches,
 * the timestamp is older than five minutes, or the body was altered.
 */
export function verifyStripeEvent(rawBody: string, signature: string, secrets: string[], nowMs: number): Stripe.Event {
  let failure: unknown = new Error("No signing secret configured");
  for (const secret of secrets) {
    try {
      return Stripe.webhooks.constructEvent(rawBody, signature, secret, undefined, undefined, nowMs);
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

/** The fact a Stripe event states, for the domain; null for event types LessonKit does not act on. */
export function toProviderFact(event: Stripe.Event): ProviderFact | null {
  switch (event.type) {
    case "payment_intent.succeeded": {
      const intent = event.data.object;
      return { kind: "payment_succeeded", paymentId: intent.id, chargeId: idOf(intent.latest_charge) };
    }
    case "payment_intent.payment_failed": {
      const intent = event.data.object;
      const error = intent.last_payment_error;
      return {
        kind: "payment_failed",
        paymentId: intent.id,
        code: error?.decline_code ?? error?.code ?? "payment_failed",
        message: error?.message ?? "The payment failed",
      };
    }
    case "payment_intent.canceled":
      return { kind: "payment_canceled", paymentId: event.data.object.id };
    case "charge.refunded": {
      const charge = event.data.object;
      const paymentId = idOf(charge.payment_intent);
      if (!paymentId) return null;
      return { kind: "charge_refunded", paymentId, chargeId: charge.id, amountRefunded: charge.amount_refunded };
    }
    case "charge.dispute.created": {
      const dispute = event.data.object;
      const chargeId = idOf(dispute.charge);
      if (!chargeId) return null;
      return {
        kind: "dispute_opened",
        paymentId: idOf(dispute.payment_intent),
        chargeId,
        disputeId: dispute.id,
        reason: dispute.reason,
      };
    }
    case "charge.dispute.closed": {
      const dispute = event.data.object;
      const chargeId = idOf(dispute.charge);
      if (!chargeId) return null;
      return {
        kind: "dispute_closed",
        paymentId: idOf(dispute.payment_intent),
        chargeId,
        disputeId: dispute.id,
        reason: dispute.reason,
        outcome: dispute.status === "lost" ? "lost" : "won",
        amount: dispute.amount,
      };
    }
    case "transfer.reversed": {
      const transfer = event.data.object;
      return { kind: "transfer_reversed", transferId: transfer.id, amountReversed: transfer.amount_reversed };
    }
    case "account.updated": {
      const account = event.data.object;
      return { kind: "account_updated", accountId: account.id, payoutsEnabled: account.payouts_enabled === true };
    }
    default:
      return null;
  }
}
