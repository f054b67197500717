import { inArray } from "drizzle-orm";
import { escrows, type OperationRow } from "../../db/schema";
import { PaymentProviderError, type TransferInput } from "../../ports/payments";
import type { Tx } from "../../ports/storage";
import { presentEscrow } from "../bookings/present";
import { type Deps, tenantNow } from "../context";
import { recordEscrowError } from "../escrow/movements";
import { emitEvent } from "../events/emit";
import { knownPayoutsEnabled, recordAccountStatus } from "../provider-events/accounts";
import { type ClaimedOperation, describeFailure, failureOutcome, finishOperation, type Outcome } from "./outcome";
import { presentOperation } from "./present";
import { recordReleases, releaseBalances } from "./releases";

/** Transfers: the tutor's payout of a release, made at the provider, and recorded once. */

/**
 * Pays the tutor. A transfer that was already in flight is first looked up at the provider: an
 * earlier attempt may have made it without our database hearing of it, and the idempotency key alone
 * does not last (Stripe forgets keys after 24 hours). Then a tutor whose account cannot be paid out
 * is not paid now (blocked, retried every tick).
 */
export async function attemptTransfer(deps: Deps, claim: ClaimedOperation): Promise<Outcome> {
  const { operation, escrow, tenant } = claim;
  const provider = deps.payments.forTenant(tenant);
  const input: TransferInput = {
    tenant,
    escrowId: escrow.id,
    bookingId: escrow.bookingId,
    destination: claim.tutorAccount,
    chargeId: escrow.chargeId,
    amount: operation.amount,
    currency: operation.currency,
    idempotencyKey: operation.idempotencyKey,
  };
  try {
    if (claim.resumed && provider.findTransfer) {
      const earlier = await provider.findTransfer(input).catch((error: unknown) => {
        // Not knowing whether money moved is never a refusal: the operation stays in flight.
        throw new PaymentProviderError(
          `looking up an earlier transfer failed: ${describeFailure(error).message}`,
          "transfer_lookup_failed",
          true,
        );
      });
      if (earlier && earlier.amount !== operation.amount) {
        // Recording either figure would be wrong: it stays in flight, with the reason, for an operator.
        return {
          type: "unknown",
          error: {
            code: "transfer_amount_mismatch",
            message: `an earlier transfer ${earlier.transferId} of ${earlier.amount} does not match the ${operation.amount} of this release`,
          },
        };
      }
      if (earlier) return { type: "succeeded", providerId: earlier.transferId };
    }
    const blocked = await payoutsBlock(deps, claim);
    if (blocked) return blocked;
    const { transferId } = await provider.transfer(input);
    return { type: "succeeded", providerId: transferId };
  } catch (error) {
    return failureOutcome(error);
  }
}

const BLOCKED = "payouts_not_enabled";

/** A tutor whose connected account cannot be paid out (as the provider said) is not paid now. */
async function payoutsBlock(deps: Deps, claim: ClaimedOperation): Promise<Outcome | null> {
  const { tenant, tutorAccount, operation } = claim;
  const provider = deps.payments.forTenant(tenant);
  if (!tutorAccount || !provider.payoutsEnabled) return null;
  let enabled = await knownPayoutsEnabled(deps.db, tenant.id, tutorAccount);
  if (enabled === null) {
    try {
      enabled = await provider.payoutsEnabled(tenant, tutorAccount);
    } catch (error) {
      const failure = describeFailure(error);
      return { type: "blocked", error: { code: "account_status_unknown", message: failure.message }, report: false };
    }
    // As of "the beginning of time", so that any account.updated event overrides it.
    await recordAccountStatus(deps.db, tenant.id, tutorAccount, enabled, 0, tenantNow(deps, tenant));
  }
  if (enabled) return null;
  return {
    type: "blocked",
    error: {
      code: BLOCKED,
      message: `The tutor's Stripe account ${tutorAccount} cannot receive payouts yet; the release is retried on every tick`,
    },
    report: operation.errorCode !== BLOCKED,
  };
}

export interface TransferSucceeded {
  claim: ClaimedOperation;
  providerId: string;
}

/**
 * Records succeeded transfers in the caller's transaction, a whole chunk at once: the operations
 * (only those this run still holds), then each escrow `released` with its ledger rows and event.
 * Throws, rolling the chunk back, if an escrow changed in a way a release in flight forbids.
 */
export async function recordTransfers(deps: Deps, tx: Tx, chunk: TransferSucceeded[]): Promise<OperationRow[]> {
  const recorded: { operation: OperationRow; claim: ClaimedOperation; at: number }[] = [];
  for (const { claim, providerId } of chunk) {
    const at = tenantNow(deps, claim.tenant);
    const operation = await finishOperation(tx, claim, "succeeded", {
      providerId,
      errorCode: null,
      errorMessage: null,
      updatedAt: at,
    });
    if (operation) recorded.push({ operation, claim, at });
  }
  if (recorded.length === 0) return [];
  const current = await tx
    .select()
    .from(escrows)
    .where(
      inArray(
        escrows.id,
        recorded.map(({ operation }) => operation.escrowId),
      ),
    );
  const byId = new Map(current.map((escrow) => [escrow.id, escrow]));
  const balances = await releaseBalances(tx, [...byId.keys()]);
  const releases = recorded.map(({ operation, at }) => {
    const escrow = byId.get(operation.escrowId);
    const owed = balances.get(operation.escrowId)?.tutor_pending ?? 0;
    if (escrow?.status !== "release_scheduled" || owed !== operation.amount) {
      throw new Error(
        `Escrow ${operation.escrowId} changed while its transfer of ${operation.amount} was in flight (${escrow?.status}, ${owed} owed)`,
      );
    }
    return { escrow, at, transferId: operation.providerId, payout: operation.amount, operation };
  });
  await recordReleases(tx, releases, balances);
  return recorded.map(({ operation }) => operation);
}

/**
 * A transfer not made now. Blocked: back to pending (or, if an earlier attempt may have reached the
 * provider, still in flight), `escrow.release_blocked` the first time. Refused: the operation failed
 * and the next tick asks for a new one. Unknown: in flight, retried with the same key.
 */
export async function recordTransferNotMade(
  deps: Deps,
  tx: Tx,
  claim: ClaimedOperation,
  outcome: Exclude<Outcome, { type: "succeeded" }>,
): Promise<OperationRow | null> {
  const at = tenantNow(deps, claim.tenant);
  const status =
    outcome.type === "refused" || outcome.type === "exceeds"
      ? "failed"
      : outcome.type === "blocked" && !claim.resumed
        ? "pending"
        : "in_flight";
  const operation = await finishOperation(tx, claim, status, {
    errorCode: outcome.error.code,
    errorMessage: outcome.error.message,
    dueAt: at,
    updatedAt: at,
  });
  if (!operation) return null;
  const escrow = await recordEscrowError(tx, claim.escrow, outcome.error, at);
  if (outcome.type === "blocked" && outcome.report) {
    await emitEvent(tx, {
      tenantId: escrow.tenantId,
      type: "escrow.release_blocked",
      bookingId: escrow.bookingId,
      data: { escrow: presentEscrow(escrow), reason: outcome.error, operation: presentOperation(operation) },
      at,
    });
  }
  return operation;
}
