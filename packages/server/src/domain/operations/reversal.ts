import type { EscrowRow, OperationRow } from "../../db/schema";
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
 * transfer itself first: a reversal someone made elsewhere (the provider's dashboard) is recorded as
 * its own event would have recorded it, and what is left on the transfer is asked for again; only
 * what nothing is left to cover stays with the tutor. So the books end the same whichever arrived
 * first, the dashboard reversal's event or our refund.
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
    if (refusedAsExceeding(error) && provider.transferTotals && transferId) {
      try {
        const totals = await provider.transferTotals({ tenant, transferId });
        return {
          type: "exceeds",
          error: describeFailure(error),
          providerTotal: totals.reversed,
          providerAmount: totals.amount,
        };
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
 * left: the reversals made elsewhere are recorded (the platform got that money back from the tutor),
 * what is still left on the transfer is asked for under a new key, and any shortfall is the tutor's
 * to keep. Refused otherwise (the tutor's balance cannot cover it): final; the tutor keeps that
 * money, the platform's revenue bears the refund, and `escrow.reversal_failed` tells the integrator.
 */
export async function recordReversalNotMade(
  deps: Deps,
  tx: Tx,
  claim: ClaimedOperation,
  outcome: Exclude<Outcome, { type: "succeeded" }>,
): Promise<OperationRow | null> {
  const at = tenantNow(deps, claim.tenant);
  const retry = outcome.type === "unknown" || outcome.type === "blocked";
  const escrow = await currentEscrow(tx, claim.escrow.id);
  const others = (await openOperations(tx, escrow.id, "transfer_reversal")).filter(
    (op) => op.id !== claim.operation.id,
  );
  const reconciled =
    outcome.type === "exceeds" && outcome.providerAmount !== undefined
      ? reconcile(escrow.reversedAmount, claim.operation.amount, others, {
          reversed: outcome.providerTotal,
          amount: outcome.providerAmount,
        })
      : null;
  const operation = await finishOperation(tx, claim, retry ? "in_flight" : "failed", {
    errorCode: outcome.error.code,
    errorMessage: reconciled ? `${outcome.error.message} (${reconciled.describe})` : outcome.error.message,
    dueAt: at,
    updatedAt: at,
  });
  if (!operation) return null;
  const error = { code: outcome.error.code, message: operation.errorMessage ?? outcome.error.message };
  if (retry) {
    await recordEscrowError(tx, escrow, error, at);
    return operation;
  }
  if (!reconciled || reconciled.elsewhere === 0) {
    // Nothing explains it: the tutor keeps what could not be taken back (all of it, if refused outright).
    const kept = reconciled ? reconciled.shortfall : operation.amount;
    let current = kept > 0 ? await tutorKeeps(tx, escrow, operation, kept, error, at) : escrow;
    if (reconciled && reconciled.again > 0) {
      current = await requestAgain(tx, current, operation, reconciled.again, at);
    }
    await recordEscrowError(tx, current, error, at);
    return operation;
  }
  // Reversed elsewhere first: in order, its event would have come before our refund, which would then
  // have taken that much less from the tutor's share and that much more from the platform's.
  let current = escrow;
  if (reconciled.shortfall > 0) {
    await postLedger(
      tx,
      current,
      "reversal_reconciled",
      { tutor_released: reconciled.shortfall, platform_revenue: -reconciled.shortfall },
      at,
    );
  }
  current = await reversedElsewhere(tx, current, reconciled.elsewhere, at);
  if (reconciled.again > 0) current = await requestAgain(tx, current, operation, reconciled.again, at);
  await recordEscrowError(tx, current, reconciled.again > 0 ? error : null, at);
  return operation;
}

async function requestAgain(tx: Tx, escrow: EscrowRow, failed: OperationRow, amount: number, at: number) {
  await requestOperation(tx, escrow, { kind: "transfer_reversal", amount, reason: failed.reason }, at);
  return escrow;
}

/**
 * Splits a reversal refused as too large, from the transfer as the provider has it: reversed
 * `elsewhere` beyond what we know of (and beyond our own calls that may have gone through), asked for
 * `again` (what is left on the transfer, less what our other reversals not yet sent will take), and
 * the `shortfall` nothing is left to cover.
 */
function reconcile(
  knownReversed: number,
  wanted: number,
  others: OperationRow[],
  transfer: { reversed: number; amount: number },
) {
  const sum = (ops: OperationRow[]) => ops.reduce((total, op) => total + op.amount, 0);
  const inFlight = sum(others.filter((op) => op.status === "in_flight"));
  const notSent = sum(others.filter((op) => op.status === "pending"));
  const elsewhere = Math.max(0, transfer.reversed - knownReversed - inFlight);
  const again = Math.min(wanted, Math.max(0, transfer.amount - transfer.reversed - notSent));
  const shortfall = wanted - again;
  return {
    elsewhere,
    again,
    shortfall,
    describe: `${elsewhere} of the transfer had been reversed elsewhere; ${again} is asked for again`,
  };
}

/** Someone reversed part of the tutor's transfer outside LessonKit: the platform has that money back. */
async function reversedElsewhere(tx: Tx, escrow: EscrowRow, amount: number, at: number) {
  await postLedger(tx, escrow, "transfer_reversed", { tutor_released: -amount, platform_revenue: amount }, at);
  const updated = await updateEscrow(tx, escrow, { reversedAmount: escrow.reversedAmount + amount, updatedAt: at });
  await emitEvent(tx, {
    tenantId: escrow.tenantId,
    type: "escrow.transfer_reversed",
    bookingId: escrow.bookingId,
    data: { escrow: presentEscrow(updated), reversal: { amount, transfer_id: escrow.transferId } },
    at,
  });
  return updated;
}

/** The tutor keeps `amount` the reversal could not take back; the platform's revenue bore the refund. */
async function tutorKeeps(
  tx: Tx,
  escrow: EscrowRow,
  operation: OperationRow,
  amount: number,
  error: { code: string; message: string },
  at: number,
) {
  await postLedger(tx, escrow, "reversal_refused", { tutor_released: amount, platform_revenue: -amount }, at);
  const updated = await recordEscrowError(tx, escrow, error, at);
  await emitEvent(tx, {
    tenantId: updated.tenantId,
    type: "escrow.reversal_failed",
    bookingId: updated.bookingId,
    data: {
      escrow: presentEscrow(updated),
      reversal: { amount, transfer_id: updated.transferId, code: error.code, message: error.message },
      operation: presentOperation(operation),
    },
    at,
  });
  return updated;
}
