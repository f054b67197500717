import type { EscrowRow, OperationRow } from "../../db/schema";
import type { Tx } from "../../ports/storage";
import { type Deps, tenantNow } from "../context";
import { applyRefund, recordEscrowError } from "../escrow/movements";
import { heldAmount } from "../escrow/status";
import { type ClaimedOperation, currentEscrow, failedCall, finishMade, finishOperation, type Outcome } from "./outcome";
import { openOperations, requestOperation } from "./store";

/**
 * Refunds: money back to the student from what the escrow still holds. A refund the provider refuses
 * as more than is left on the charge is checked against the charge's refunded total: what was refunded
 * elsewhere (the provider's dashboard) went back to the student all the same and counts toward ours.
 */
export async function attemptRefund(deps: Deps, claim: ClaimedOperation): Promise<Outcome> {
  const { operation, escrow, tenant } = claim;
  const provider = deps.payments.forTenant(tenant);
  try {
    const { refundId } = await provider.refund({
      tenant,
      escrowId: escrow.id,
      paymentId: escrow.paymentId,
      chargeId: escrow.chargeId,
      amount: operation.amount,
      currency: operation.currency,
      idempotencyKey: operation.idempotencyKey,
    });
    return { type: "succeeded", providerId: refundId };
  } catch (error) {
    const refundedTotal = provider.refundedTotal?.bind(provider);
    return failedCall(
      error,
      refundedTotal
        ? async () => ({
            total: await refundedTotal({ tenant, chargeId: escrow.chargeId, paymentId: escrow.paymentId }),
          })
        : null,
    );
  }
}

/** Records a refund the provider made: the money leaves the escrow, once. */
export async function recordRefund(deps: Deps, tx: Tx, claim: ClaimedOperation, providerId: string) {
  const made = await finishMade(deps, tx, claim, providerId);
  if (!made) return null;
  const { operation, escrow, at } = made;
  const refunded = await applyRefund(tx, escrow, operation.amount, at, { reason: operation.reason, operation });
  await recordEscrowError(tx, refunded, null, at);
  return operation;
}

/**
 * A refund not made. No answer: in flight, retried with the same key. Refused: failed, and what the
 * student is still owed is asked for again under a new key (the provider would replay the refusal for
 * the old one), capped to what the escrow still holds; when the refusal was "more than is left", what
 * the provider refunded beyond our records is first recorded as refunded toward it.
 */
export async function recordRefundNotMade(
  deps: Deps,
  tx: Tx,
  claim: ClaimedOperation,
  outcome: Exclude<Outcome, { type: "succeeded" }>,
): Promise<OperationRow | null> {
  const at = tenantNow(deps, claim.tenant);
  const retry = outcome.type === "unknown" || outcome.type === "blocked";
  let escrow = await currentEscrow(tx, claim.escrow.id);
  const others = (await openOperations(tx, escrow.id, "refund")).filter((op) => op.id !== claim.operation.id);
  let absorbed = 0;
  if (outcome.type === "exceeds") {
    const known =
      escrow.refundedAmount - escrow.chargedBackAmount + total(others.filter((op) => op.status === "in_flight"));
    absorbed = Math.min(claim.operation.amount, Math.max(0, outcome.providerTotal - known), heldAmount(escrow));
  }
  const message =
    absorbed > 0
      ? `${outcome.error.message} (${absorbed} of it had been refunded at the provider already and is recorded as refunded)`
      : outcome.error.message;
  // All of it refunded elsewhere: the operation is no longer needed (canceled), and nothing failed.
  const status = retry ? "in_flight" : absorbed === claim.operation.amount ? "canceled" : "failed";
  const operation = await finishOperation(tx, claim, status, {
    errorCode: outcome.error.code,
    errorMessage: message,
    dueAt: at,
    updatedAt: at,
  });
  if (!operation) return null;
  if (absorbed > 0) escrow = await applyRefund(tx, escrow, absorbed, at, { reason: operation.reason });
  const remainder =
    status === "failed" ? await requestRemainder(tx, escrow, operation, operation.amount - absorbed, others, at) : null;
  const settled = status === "canceled" || (status === "failed" && !remainder && absorbed > 0);
  await recordEscrowError(tx, escrow, settled ? null : { code: outcome.error.code, message }, at);
  return operation;
}

/** What a refused refund still owes the student, capped to what the escrow holds beyond other refunds. */
async function requestRemainder(
  tx: Tx,
  escrow: EscrowRow,
  failed: OperationRow,
  owed: number,
  others: OperationRow[],
  at: number,
): Promise<OperationRow | null> {
  const amount = Math.min(owed, heldAmount(escrow) - total(others));
  return amount > 0 ? requestOperation(tx, escrow, { kind: "refund", amount, reason: failed.reason }, at) : null;
}

const total = (operations: OperationRow[]) => operations.reduce((sum, operation) => sum + operation.amount, 0);
