import type { OperationRow } from "../../db/schema";
import { PaymentProviderError } from "../../ports/payments";
import type { Tx } from "../../ports/storage";
import { presentEscrow } from "../bookings/present";
import { type Deps, tenantNow } from "../context";
import { recordEscrowError } from "../escrow/movements";
import { updateEscrow } from "../escrow/status";
import { emitEvent } from "../events/emit";
import { postLedger } from "../ledger/post";
import {
  type ClaimedOperation,
  currentEscrow,
  describeFailure,
  failureOutcome,
  finishOperation,
  type Outcome,
  refusedAsExceeding,
} from "./outcome";
import { presentOperation } from "./present";
import { openOperations, requestOperation } from "./store";

/**
 * Transfer reversals: the tutor's share of a refund after release, taken back from the tutor's
 * transfer. One the provider refuses as more than is left on the transfer is checked against the
 * transfer's reversed total first: what someone reversed elsewhere (the provider's dashboard) is
 * recorded as reversed, and only the rest is asked for again.
 */
export async function attemptReversal(deps: Deps, claim: ClaimedOperation): Promise<Outcome> {
  const { operation, escrow, tenant } = claim;
  const provider = deps.payments.forTenant(tenant);
  const transferId = escrow.transferId;
  try {
    if (!provider.reverseTransfer || !transferId) {
      throw new PaymentProviderError("This provider cannot reverse transfers", "reversal_unsupported", false);
    }
    const { reversalId } = await provider.reverseTransfer({
      tenant,
      escrowId: escrow.id,
      transferId,
      amount: operation.amount,
      idempotencyKey: operation.idempotencyKey,
    });
    return { type: "succeeded", providerId: reversalId };
  } catch (error) {
    if (refusedAsExceeding(error) && provider.reversedTotal && transferId) {
      try {
        const providerTotal = await provider.reversedTotal({ tenant, transferId });
        return { type: "exceeds", error: describeFailure(error), providerTotal };
      } catch {
        // Without the provider's total nothing can be accounted for: an ordinary refusal.
      }
    }
    return failureOutcome(error);
  }
}

export async function recordReversal(deps: Deps, tx: Tx, claim: ClaimedOperation, providerId: string) {
  const at = tenantNow(deps, claim.tenant);
  const operation = await finishOperation(tx, claim, "succeeded", {
    providerId,
    errorCode: null,
    errorMessage: null,
    updatedAt: at,
  });
  if (!operation) return null;
  const escrow = await currentEscrow(tx, operation.escrowId);
  await updateEscrow(tx, escrow, {
    reversedAmount: escrow.reversedAmount + operation.amount,
    lastErrorCode: null,
    lastErrorMessage: null,
    updatedAt: at,
  });
  return operation;
}

/**
 * A reversal not made. No answer: in flight, retried with the same key. Refused as more than is
 * left: what was reversed elsewhere is recorded, the rest asked for under a new key. Refused
 * otherwise (the tutor's balance cannot cover it): final; the tutor keeps that money, the platform's
 * revenue bears the refund, and `escrow.reversal_failed` tells the integrator.
 */
export async function recordReversalNotMade(
  deps: Deps,
  tx: Tx,
  claim: ClaimedOperation,
  outcome: Exclude<Outcome, { type: "succeeded" }>,
): Promise<OperationRow | null> {
  const at = tenantNow(deps, claim.tenant);
  const retry = outcome.type === "unknown" || outcome.type === "blocked";
  let escrow = await currentEscrow(tx, claim.escrow.id);
  let elsewhere = 0;
  if (outcome.type === "exceeds") {
    const inFlight = (await openOperations(tx, escrow.id, "transfer_reversal")).filter(
      (op) => op.id !== claim.operation.id && op.status === "in_flight",
    );
    const known = escrow.reversedAmount + inFlight.reduce((sum, op) => sum + op.amount, 0);
    elsewhere = Math.min(claim.operation.amount, Math.max(0, outcome.providerTotal - known));
  }
  const message =
    elsewhere > 0
      ? `${outcome.error.message} (${elsewhere} of it had been reversed at the provider already and is recorded as reversed)`
      : outcome.error.message;
  const operation = await finishOperation(tx, claim, retry ? "in_flight" : "failed", {
    errorCode: outcome.error.code,
    errorMessage: message,
    dueAt: at,
    updatedAt: at,
  });
  if (!operation) return null;
  const error = { code: outcome.error.code, message };
  if (retry) {
    await recordEscrowError(tx, escrow, error, at);
    return operation;
  }
  if (elsewhere > 0) {
    escrow = await updateEscrow(tx, escrow, { reversedAmount: escrow.reversedAmount + elsewhere, updatedAt: at });
    await emitEvent(tx, {
      tenantId: escrow.tenantId,
      type: "escrow.transfer_reversed",
      bookingId: escrow.bookingId,
      data: { escrow: presentEscrow(escrow), reversal: { amount: elsewhere, transfer_id: escrow.transferId } },
      at,
    });
    const rest = operation.amount - elsewhere;
    if (rest > 0) {
      await requestOperation(tx, escrow, { kind: "transfer_reversal", amount: rest, reason: operation.reason }, at);
    }
    await recordEscrowError(tx, escrow, error, at);
    return operation;
  }
  // Refused: the tutor keeps the amount; the platform's revenue bore the refund instead.
  await postLedger(
    tx,
    escrow,
    "reversal_refused",
    { tutor_released: operation.amount, platform_revenue: -operation.amount },
    at,
  );
  escrow = await recordEscrowError(tx, escrow, error, at);
  await emitEvent(tx, {
    tenantId: escrow.tenantId,
    type: "escrow.reversal_failed",
    bookingId: escrow.bookingId,
    data: {
      escrow: presentEscrow(escrow),
      reversal: { amount: operation.amount, transfer_id: escrow.transferId, code: error.code, message: error.message },
      operation: presentOperation(operation),
    },
    at,
  });
  return operation;
}
