import { and, eq, isNotNull } from "drizzle-orm";
import { type EscrowRow, escrows, payouts } from "../../db/schema";
import { newId, randomToken } from "../../lib/ids";
import { PaymentProviderError } from "../../ports/payments";
import type { Tx } from "../../ports/storage";
import { presentEscrow } from "../bookings/present";
import { type Deps, type Tenant, tenantNow } from "../context";
import { emitEvent } from "../events/emit";
import { escrowBalances, postLedger } from "../ledger/post";
import { claimIsFree, escrowsWithPending } from "./claims";
import { describeFailure } from "./refund";

/**
 * A refund made after the tutor was paid (a refund in the provider's dashboard, a lost chargeback):
 * the student got `amount` back from the platform's balance, so it leaves `released`, taken from
 * the tutor's share first (then the platform's fee), and what came from the tutor's share is taken
 * back from the tutor with a transfer reversal. The reversal is recorded as pending with its
 * idempotency key now, and made at the provider by settlePendingReversal after the commit.
 */
export async function refundAfterRelease(
  tx: Tx,
  escrow: EscrowRow,
  amount: number,
  at: number,
  reason: string,
): Promise<EscrowRow> {
  const balances = await escrowBalances(tx, escrow.id);
  const fromTutor = Math.min(amount, Math.max(0, balances.tutor_released));
  const fromPlatform = amount - fromTutor;
  await postLedger(
    tx,
    escrow,
    "refund_after_release",
    { tutor_released: -fromTutor, platform_revenue: -fromPlatform, refunded: amount },
    at,
  );
  const refundedAmount = escrow.refundedAmount + amount;
  // A reversal already pending keeps its key and amount (it may have been made at the provider with
  // its answer lost, so that same call is what must be repeated); what is added here waits behind it
  // and gets a key of its own when it is recorded (settlePendingReversal).
  const reversal =
    fromTutor > 0 && escrow.transferId
      ? escrow.pendingReversalKey !== null && escrow.pendingReversalAmount !== null
        ? { pendingReversalAmount: escrow.pendingReversalAmount + fromTutor }
        : {
            pendingReversalAmount: fromTutor,
            pendingReversalKey: `reversal:${escrow.id}:${escrow.reversedAmount}+${fromTutor}`,
          }
      : {};
  const [updated] = await tx
    .update(escrows)
    .set({
      refundedAmount,
      releasedAmount: escrow.releasedAmount - amount,
      status: refundedAmount >= escrow.amount ? "refunded" : escrow.status,
      ...reversal,
      updatedAt: at,
    })
    .where(eq(escrows.id, escrow.id))
    .returning();
  if (!updated) throw new Error(`Escrow ${escrow.id} vanished during a refund after release`);
  await emitEvent(tx, {
    tenantId: escrow.tenantId,
    type: "escrow.refunded",
    bookingId: escrow.bookingId,
    data: {
      escrow: presentEscrow(updated),
      refund: { amount, reason, after_release: true, transfer_reversal_amount: fromTutor },
    },
    at,
  });
  return updated;
}

export type ReversalOutcome = "reversed" | "nothing_pending" | "retry_later" | "refused";

/**
 * Makes the escrow's pending transfer reversal at the provider, under a lease, with its idempotency
 * key. A refusal is final: the tutor keeps that money, so the ledger moves it back to the tutor (the
 * platform bore the refund), the escrow says why and `escrow.reversal_failed` tells the integrator.
 * A retryable failure frees the lease and the tick tries again with the same key.
 */
export async function settlePendingReversal(deps: Deps, tenant: Tenant, escrowId: string): Promise<ReversalOutcome> {
  const serverNow = deps.clock.now();
  const [claimed] = await deps.db
    .update(escrows)
    .set({ claimToken: randomToken(16), claimKind: "reversal", claimExpiresAt: serverNow + deps.releaseLeaseMs })
    .where(and(eq(escrows.id, escrowId), isNotNull(escrows.pendingReversalAmount), claimIsFree(serverNow)))
    .returning();
  if (!claimed || claimed.pendingReversalAmount === null || claimed.pendingReversalKey === null) {
    return "nothing_pending";
  }
  const key = claimed.pendingReversalKey;
  const amount = keyAmount(key, claimed.pendingReversalAmount);
  const provider = deps.payments.forTenant(tenant);
  let reversalId: string | null = null;
  let failure: unknown = null;
  try {
    if (!provider.reverseTransfer || !claimed.transferId) {
      throw new PaymentProviderError("This provider cannot reverse transfers", "reversal_unsupported", false);
    }
    ({ reversalId } = await provider.reverseTransfer({
      tenant,
      escrowId,
      transferId: claimed.transferId,
      amount,
      idempotencyKey: key,
    }));
  } catch (error) {
    failure = error;
  }
  const at = tenantNow(deps, tenant);
  const clearClaim = { claimToken: null, claimKind: null, claimExpiresAt: null };
  if (failure !== null && !(failure instanceof PaymentProviderError && !failure.retryable)) {
    await deps.db
      .update(escrows)
      .set({ ...clearClaim, lastError: `transfer_reversal_pending: ${describeFailure(failure)}` })
      .where(and(eq(escrows.id, escrowId), eq(escrows.claimToken, claimed.claimToken ?? "")));
    return "retry_later";
  }
  let more = false;
  const outcome = await deps.db.transaction(async (tx): Promise<ReversalOutcome> => {
    const [escrow] = await tx.select().from(escrows).where(eq(escrows.id, escrowId));
    if (!escrow || escrow.pendingReversalKey !== key || escrow.pendingReversalAmount === null) return "nothing_pending";
    // More was added behind this call while it was pending: it stays pending, under a key of its own.
    const remaining = escrow.pendingReversalAmount - amount;
    more = remaining > 0;
    const done = more
      ? { pendingReversalAmount: remaining, pendingReversalKey: `${key}+${remaining}`, ...clearClaim }
      : { pendingReversalAmount: null, pendingReversalKey: null, ...clearClaim };
    if (reversalId !== null) {
      await tx
        .update(escrows)
        .set({ ...done, reversedAmount: escrow.reversedAmount + amount, lastError: null, updatedAt: at })
        .where(eq(escrows.id, escrowId));
      await tx
        .insert(payouts)
        .values({
          id: newId("rev"),
          tenantId: escrow.tenantId,
          escrowId,
          kind: "reversal",
          idempotencyKey: key,
          providerId: reversalId,
          amount,
          currency: escrow.currency,
          createdAt: at,
        })
        .onConflictDoNothing();
      return "reversed";
    }
    // Refused: the tutor keeps `amount`; the platform's revenue bore the refund instead.
    await postLedger(tx, escrow, "reversal_refused", { tutor_released: amount, platform_revenue: -amount }, at);
    const reason = `transfer_reversal_failed: ${describeFailure(failure)}`;
    const [updated] = await tx
      .update(escrows)
      .set({ ...done, lastError: reason, updatedAt: at })
      .where(eq(escrows.id, escrowId))
      .returning();
    const code = failure instanceof PaymentProviderError ? failure.code : "unknown";
    await emitEvent(tx, {
      tenantId: escrow.tenantId,
      type: "escrow.reversal_failed",
      bookingId: escrow.bookingId,
      data: {
        escrow: presentEscrow(updated ?? escrow),
        reversal: { amount, transfer_id: escrow.transferId, code, message: reason },
      },
      at,
    });
    return "refused";
  });
  if (more) await settlePendingReversal(deps, tenant, escrowId);
  return outcome;
}

/** The amount one pending reversal key stands for (its last `+n`); anything pending beyond it waits. */
function keyAmount(key: string, pending: number): number {
  const amount = Number(key.slice(key.lastIndexOf("+") + 1));
  return Number.isInteger(amount) && amount > 0 && amount <= pending ? amount : pending;
}

/** The tick's share: reversals left pending by a crash or a provider outage. */
export async function finishPendingReversals(deps: Deps, tenantId?: string): Promise<number> {
  const rows = await escrowsWithPending(deps.db, "reversal", deps.clock.now(), tenantId);
  let settled = 0;
  for (const row of rows) {
    const outcome = await settlePendingReversal(deps, row.tenant, row.escrowId);
    if (outcome === "reversed" || outcome === "refused") settled++;
  }
  return settled;
}
