import { and, eq } from "drizzle-orm";
import { type EscrowRow, escrows, payouts } from "../../db/schema";
import { newId } from "../../lib/ids";
import { PaymentProviderError } from "../../ports/payments";
import type { Tx } from "../../ports/storage";
import { type Deps, type Tenant, tenantNow } from "../context";
import { Conflict } from "../errors";
import { claimPendingRefund } from "./claims";
import { applyRefund } from "./movements";

/**
 * Records, inside the caller's transaction, that `amount` must go back to the student, together
 * with any other change to the escrow (`patch`). The provider is called afterwards by
 * `settlePendingRefund`; the idempotency key is fixed now, so every retry asks for the same refund.
 */
export async function scheduleRefund(
  tx: Tx,
  escrow: EscrowRow,
  amount: number,
  reason: string,
  at: number,
  patch: Partial<EscrowRow> = {},
): Promise<EscrowRow> {
  if (escrow.pendingRefundAmount !== null) {
    throw Conflict("refund_in_progress", "A refund of this escrow is already being made");
  }
  const refund =
    amount > 0
      ? {
          pendingRefundAmount: amount,
          pendingRefundKey: `refund:${escrow.id}:${escrow.refundedAmount}+${amount}`,
          pendingRefundReason: reason,
        }
      : {};
  const [row] = await tx
    .update(escrows)
    .set({ ...patch, ...refund, updatedAt: at })
    .where(eq(escrows.id, escrow.id))
    .returning();
  if (!row) throw new Error(`Escrow ${escrow.id} vanished while scheduling a refund`);
  return row;
}

export type RefundOutcome = "refunded" | "nothing_pending" | "failed";

/**
 * Makes the escrow's pending refund at the provider and records it (ledger, amounts, event) in one
 * transaction. Safe to run twice at once or after a crash: the lease keeps two runs from calling
 * the provider together, the idempotency key makes a repeated call the same refund, and the
 * pending key is checked again at commit so it is recorded once.
 */
export async function settlePendingRefund(deps: Deps, tenant: Tenant, escrowId: string): Promise<RefundOutcome> {
  const claimed = await claimPendingRefund(deps.db, escrowId, deps.clock.now(), deps.releaseLeaseMs);
  if (!claimed || claimed.pendingRefundAmount === null || claimed.pendingRefundKey === null) return "nothing_pending";
  const key = claimed.pendingRefundKey;
  let refundId: string;
  try {
    ({ refundId } = await deps.payments.forTenant(tenant).refund({
      tenant,
      escrowId,
      paymentId: claimed.paymentId,
      chargeId: claimed.chargeId,
      amount: claimed.pendingRefundAmount,
      currency: claimed.currency,
      idempotencyKey: key,
    }));
  } catch (error) {
    const reconciled = refundedElsewhere(error) ? await absorbRefundsMadeElsewhere(deps, tenant, claimed) : null;
    if (reconciled) return reconciled;
    await releaseClaim(deps, escrowId, claimed.claimToken, describeFailure(error));
    return "failed";
  }
  const at = tenantNow(deps, tenant);
  return deps.db.transaction(async (tx) => {
    const [escrow] = await tx.select().from(escrows).where(eq(escrows.id, escrowId));
    if (!escrow || escrow.pendingRefundKey !== key || escrow.pendingRefundAmount === null) return "nothing_pending";
    const refunded = await applyRefund(
      tx,
      escrow,
      escrow.pendingRefundAmount,
      at,
      escrow.pendingRefundReason ?? "refund",
    );
    await tx
      .update(escrows)
      .set({
        pendingRefundAmount: null,
        pendingRefundKey: null,
        pendingRefundReason: null,
        claimToken: null,
        claimKind: null,
        claimExpiresAt: null,
        lastError: null,
      })
      .where(eq(escrows.id, escrowId));
    await tx
      .insert(payouts)
      .values({
        id: newId("ref"),
        tenantId: escrow.tenantId,
        escrowId,
        kind: "refund",
        idempotencyKey: key,
        providerId: refundId,
        amount: escrow.pendingRefundAmount,
        currency: refunded.currency,
        createdAt: at,
      })
      .onConflictDoNothing();
    return "refunded";
  });
}

/** The provider refused because the money is no longer there to refund: someone refunded it already. */
function refundedElsewhere(error: unknown): boolean {
  return (
    error instanceof PaymentProviderError &&
    !error.retryable &&
    (error.code === "charge_already_refunded" || error.code === "amount_too_large")
  );
}

/**
 * Our pending refund was refused because the payment was (partly) refunded outside LessonKit, e.g.
 * in the Stripe dashboard while ours was pending. What the provider refunded beyond what we have
 * recorded went to the student all the same: it counts toward our refund (recorded now, from the
 * provider's total), and only the rest stays pending under a new key. Returns null when nothing
 * can be accounted for that way, so the refusal is recorded as usual.
 */
async function absorbRefundsMadeElsewhere(
  deps: Deps,
  tenant: Tenant,
  claimed: EscrowRow,
): Promise<RefundOutcome | null> {
  const provider = deps.payments.forTenant(tenant);
  if (!provider.refundedTotal) return null;
  let total: number;
  try {
    total = await provider.refundedTotal({ tenant, chargeId: claimed.chargeId, paymentId: claimed.paymentId });
  } catch {
    return null;
  }
  const at = tenantNow(deps, tenant);
  return deps.db.transaction(async (tx) => {
    const [escrow] = await tx
      .select()
      .from(escrows)
      .where(and(eq(escrows.id, claimed.id), eq(escrows.claimToken, claimed.claimToken ?? "")));
    if (!escrow || escrow.pendingRefundAmount === null || escrow.pendingRefundKey !== claimed.pendingRefundKey) {
      return null;
    }
    const absorbed = Math.min(escrow.pendingRefundAmount, Math.max(0, total - escrow.refundedAmount));
    if (absorbed === 0) return null;
    const reason = escrow.pendingRefundReason ?? "refund";
    const refunded = await applyRefund(tx, escrow, absorbed, at, reason);
    const remaining = escrow.pendingRefundAmount - absorbed;
    await tx
      .update(escrows)
      .set({
        pendingRefundAmount: remaining > 0 ? remaining : null,
        pendingRefundKey: remaining > 0 ? `refund:${escrow.id}:${refunded.refundedAmount}+${remaining}` : null,
        pendingRefundReason: remaining > 0 ? reason : null,
        claimToken: null,
        claimKind: null,
        claimExpiresAt: null,
        lastError:
          remaining > 0
            ? `refund_made_elsewhere: ${absorbed} of this refund had already been refunded at the provider; the remaining ${remaining} is retried`
            : null,
      })
      .where(eq(escrows.id, escrow.id));
    return remaining > 0 ? "failed" : "refunded";
  });
}

/** Frees this run's claim; if its lease ran out and another run holds the escrow now, changes nothing. */
async function releaseClaim(deps: Deps, escrowId: string, token: string | null, lastError: string) {
  await deps.db
    .update(escrows)
    .set({ claimToken: null, claimKind: null, claimExpiresAt: null, lastError })
    .where(and(eq(escrows.id, escrowId), eq(escrows.claimToken, token ?? "")));
}

export function describeFailure(error: unknown): string {
  if (error instanceof PaymentProviderError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
