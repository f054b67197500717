import { and, eq, inArray } from "drizzle-orm";
import { forChange, perRow } from "../../db/queries";
import { type EscrowRow, escrows, moneyOperations, type OperationRow, type OperationStatus } from "../../db/schema";
import { PaymentProviderError } from "../../ports/payments";
import type { Tx } from "../../ports/storage";
import { type Deps, type Tenant, tenantNow } from "../context";

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
function refusedAsExceeding(error: unknown): boolean {
  return (
    error instanceof PaymentProviderError &&
    !error.retryable &&
    (error.code === "amount_too_large" || error.code === "charge_already_refunded")
  );
}

/**
 * What a failed call came to. A refusal as more than is left comes with the provider's totals
 * (`readTotals`, when the provider can tell), so the record can account for what was moved elsewhere;
 * without them it is an ordinary refusal.
 */
export async function failedCall(
  error: unknown,
  readTotals: (() => Promise<{ total: number; amount?: number }>) | null,
): Promise<Outcome> {
  if (refusedAsExceeding(error) && readTotals) {
    try {
      const totals = await readTotals();
      return {
        type: "exceeds",
        error: describeFailure(error),
        providerTotal: totals.total,
        ...(totals.amount === undefined ? {} : { providerAmount: totals.amount }),
      };
    } catch {
      // Without the provider's totals nothing can be accounted for.
    }
  }
  return failureOutcome(error);
}

/**
 * Finishes an operation the provider made, in the recording transaction, and reads its escrow as it
 * is now; null when the run no longer holds the lease (nothing may then be recorded).
 */
export async function finishMade(deps: Deps, tx: Tx, claim: ClaimedOperation, providerId: string) {
  const at = tenantNow(deps, claim.tenant);
  const operation = await finishOperation(tx, claim, "succeeded", {
    providerId,
    errorCode: null,
    errorMessage: null,
    updatedAt: at,
  });
  if (!operation) return null;
  return { operation, escrow: await currentEscrow(tx, operation.escrowId), at };
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

/**
 * finishOperation for many succeeded operations at once (the tick's chunk of transfers), in one
 * UPDATE … RETURNING: each gets its provider id and its tenant's time (perRow: CASE on its id), and
 * only those still held under their run's lease are recorded.
 */
export async function finishSucceeded(
  tx: Tx,
  items: { claim: ClaimedOperation; providerId: string; at: number }[],
): Promise<OperationRow[]> {
  const recorded: OperationRow[] = [];
  const byToken = new Map<string, typeof items>();
  for (const item of items) {
    const token = item.claim.operation.leaseToken ?? "";
    byToken.set(token, [...(byToken.get(token) ?? []), item]);
  }
  for (const [token, group] of byToken) {
    const each = (value: (item: (typeof group)[number]) => string | number) =>
      perRow(
        moneyOperations.id,
        group.map((item) => [item.claim.operation.id, value(item)]),
      );
    const rows = await tx
      .update(moneyOperations)
      .set({
        status: "succeeded",
        leaseToken: null,
        leaseExpiresAt: null,
        providerId: each((item) => item.providerId),
        errorCode: null,
        errorMessage: null,
        updatedAt: each((item) => item.at),
        completedAt: each((item) => item.at),
      })
      .where(
        and(
          inArray(
            moneyOperations.id,
            group.map((item) => item.claim.operation.id),
          ),
          eq(moneyOperations.status, "in_flight"),
          eq(moneyOperations.leaseToken, token),
        ),
      )
      .returning();
    recorded.push(...rows);
  }
  return recorded;
}

/** The escrow as it is now, inside the recording transaction. */
export async function currentEscrow(tx: Tx, escrowId: string): Promise<EscrowRow> {
  const [row] = await forChange(tx, tx.select().from(escrows).where(eq(escrows.id, escrowId)));
  if (!row) throw new Error(`Escrow ${escrowId} vanished while its money moved`);
  return row;
}
