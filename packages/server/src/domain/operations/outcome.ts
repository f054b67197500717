import { and, eq } from "drizzle-orm";
import { type EscrowRow, escrows, moneyOperations, type OperationRow, type OperationStatus } from "../../db/schema";
import { PaymentProviderError } from "../../ports/payments";
import type { Tx } from "../../ports/storage";
import type { Tenant } from "../context";

export interface ProviderFailure {
  code: string;
  message: string;
}

/** An operation an executor run holds, with what it needs to make the call. */
export interface ClaimedOperation {
  operation: OperationRow;
  tenant: Tenant;
  /** The escrow as it was when the operation was claimed (records read it again). */
  escrow: EscrowRow;
  tutorAccount: string | null;
  /** It was already in flight: an earlier attempt may have reached the provider without our hearing of it. */
  resumed: boolean;
}

/** What one attempt at the provider came to. Nothing here is recorded yet. */
export type Outcome =
  /** The provider made the movement (or had made it on an earlier attempt). */
  | { type: "succeeded"; providerId: string }
  /** The provider refused: nothing moved, and asking again with this key would only replay the refusal. */
  | { type: "refused"; error: ProviderFailure }
  /** No definitive answer (a timeout, a 5xx, a lost response): money may have moved; retried with the same key. */
  | { type: "unknown"; error: ProviderFailure }
  /** Not attempted: the tutor cannot be paid out now. `report` the first time it is seen. */
  | { type: "blocked"; error: ProviderFailure; report: boolean }
  /**
   * Refused as more than is left at the provider: `providerTotal` is the provider's cumulative total
   * of this kind of movement (refunded on the charge, reversed on the transfer) and `providerAmount`
   * what it was made of (the charge, the transfer), to account for what someone else moved before
   * anything is recorded as kept.
   */
  | { type: "exceeds"; error: ProviderFailure; providerTotal: number; providerAmount?: number };

export function describeFailure(error: unknown): ProviderFailure {
  if (error instanceof PaymentProviderError) return { code: error.code, message: error.message };
  return { code: "provider_call_failed", message: error instanceof Error ? error.message : String(error) };
}

/** A definitive refusal moved no money; anything else (a crash, a timeout, a 5xx) may have. */
export function failureOutcome(error: unknown): Outcome {
  const definitive = error instanceof PaymentProviderError && !error.retryable;
  return { type: definitive ? "refused" : "unknown", error: describeFailure(error) };
}

/** The provider refused because less is left than asked for: someone moved the money already. */
export function refusedAsExceeding(error: unknown): boolean {
  return (
    error instanceof PaymentProviderError &&
    !error.retryable &&
    (error.code === "amount_too_large" || error.code === "charge_already_refunded")
  );
}

/**
 * Ends this run's hold on the operation with `patch`, only while the run still holds its lease:
 * if the lease ran out, another run owns the operation now (and may be moving the money), so
 * nothing of this attempt may be recorded. Returns the operation as recorded, or null.
 */
export async function finishOperation(
  tx: Tx,
  claim: ClaimedOperation,
  status: OperationStatus,
  patch: Partial<OperationRow> & { updatedAt: number },
): Promise<OperationRow | null> {
  const final = status === "succeeded" || status === "failed" || status === "canceled";
  const [row] = await tx
    .update(moneyOperations)
    .set({
      status,
      leaseToken: null,
      leaseExpiresAt: null,
      ...(final ? { completedAt: patch.updatedAt } : {}),
      ...patch,
    })
    .where(
      and(
        eq(moneyOperations.id, claim.operation.id),
        eq(moneyOperations.status, "in_flight"),
        eq(moneyOperations.leaseToken, claim.operation.leaseToken ?? ""),
      ),
    )
    .returning();
  return row ?? null;
}

/** The escrow as it is now, inside the recording transaction. */
export async function currentEscrow(tx: Tx, escrowId: string): Promise<EscrowRow> {
  const [row] = await tx.select().from(escrows).where(eq(escrows.id, escrowId));
  if (!row) throw new Error(`Escrow ${escrowId} vanished while its money moved`);
  return row;
}
