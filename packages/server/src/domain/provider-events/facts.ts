import type { Tx } from "../../ports/storage";
import type { Tenant } from "../context";

/**
 * What a payment provider told us (a Stripe webhook, translated at the edge). The domain applies
 * each fact once, and every fact is cumulative or conditional (amounts refunded, charged back or
 * reversed so far, each kind counted apart; transitions from a given state) so that any delivery
 * order, with any number of redeliveries, ends in the same state.
 */
export type ProviderFact =
  | { kind: "payment_succeeded"; paymentId: string; chargeId: string | null }
  | { kind: "payment_failed"; paymentId: string; code: string; message: string }
  | { kind: "payment_canceled"; paymentId: string }
  | { kind: "charge_refunded"; paymentId: string; chargeId: string; amountRefunded: number }
  | { kind: "dispute_opened"; paymentId: string | null; chargeId: string; disputeId: string; reason: string }
  | {
      kind: "dispute_closed";
      paymentId: string | null;
      chargeId: string;
      disputeId: string;
      reason: string;
      outcome: "won" | "lost";
      amount: number;
    }
  | { kind: "transfer_reversed"; transferId: string; amountReversed: number }
  | { kind: "account_updated"; accountId: string; payoutsEnabled: boolean };

export interface ProviderEventInput {
  id: string;
  type: string;
  /** The provider's time of the event (epoch ms). */
  createdAt: number;
  fact: ProviderFact | null;
}

export type ProviderEventOutcome = "applied" | "duplicate" | `ignored:${string}`;

/** What a handler knows of the event it applies. */
export interface FactContext {
  tx: Tx;
  tenant: Tenant;
  /** The tenant's time now. */
  at: number;
  /** The server's time now (leases). */
  serverNow: number;
  event: { id: string; createdAt: number };
}
