import { and, count, eq, inArray, isNull, lt, or } from "drizzle-orm";
import { skipDuplicates } from "../../db/queries";
import {
  type EscrowRow,
  moneyOperations,
  OPEN_OPERATION_STATUSES,
  OPEN_TRANSFER,
  type OperationKind,
  type OperationRow,
} from "../../db/schema";
import { newId } from "../../lib/ids";
import type { Queryable, Tx } from "../../ports/storage";

export interface OperationRequest {
  kind: OperationKind;
  amount: number;
  reason: string;
  /** When it may first be attempted (tenant clock); defaults to `at`. */
  dueAt?: number;
}

/**
 * Writes a money operation as an intent, inside the transaction of the state change that needs it.
 * Its idempotency key is fixed now and derived from the escrow and how many operations of its kind
 * the escrow had before it, so every attempt asks the provider for the same movement, and a later
 * movement of the same kind gets a key of its own.
 */
export async function requestOperation(
  tx: Tx,
  escrow: EscrowRow,
  request: OperationRequest,
  at: number,
): Promise<OperationRow> {
  const [row] = await requestOperations(tx, [{ escrow, request, at }]);
  if (!row) throw new Error(`The ${request.kind} of escrow ${escrow.id} was not written`);
  return row;
}

/**
 * requestOperation for many escrows at once (the tick's batch of due releases), in one insert. An
 * escrow has one transfer open at most (a partial unique index on both engines): a transfer asked for
 * an escrow that has one open already (another process asked first, and committed or is committing)
 * is not written and not returned, and nothing fails: the one open is the escrow's transfer.
 */
export async function requestOperations(
  tx: Tx,
  items: { escrow: EscrowRow; request: OperationRequest; at: number }[],
): Promise<OperationRow[]> {
  if (items.length === 0) return [];
  for (const { escrow, request } of items) {
    if (!Number.isInteger(request.amount) || request.amount <= 0) {
      throw new Error(`A ${request.kind} of ${request.amount} for escrow ${escrow.id} moves no money`);
    }
  }
  const earlier = await tx
    .select({ escrowId: moneyOperations.escrowId, kind: moneyOperations.kind, n: count() })
    .from(moneyOperations)
    .where(
      inArray(
        moneyOperations.escrowId,
        items.map(({ escrow }) => escrow.id),
      ),
    )
    .groupBy(moneyOperations.escrowId, moneyOperations.kind);
  const ordinals = new Map(earlier.map((row) => [`${row.escrowId}/${row.kind}`, row.n]));
  const values = items.map(({ escrow, request, at }) => {
    const slot = `${escrow.id}/${request.kind}`;
    const ordinal = (ordinals.get(slot) ?? 0) + 1;
    ordinals.set(slot, ordinal);
    return {
      id: newId("op"),
      tenantId: escrow.tenantId,
      escrowId: escrow.id,
      bookingId: escrow.bookingId,
      kind: request.kind,
      amount: request.amount,
      currency: escrow.currency,
      reason: request.reason,
      idempotencyKey: `${request.kind}:${escrow.id}:${ordinal}`,
      status: "pending" as const,
      dueAt: request.dueAt ?? at,
      createdAt: at,
      updatedAt: at,
    };
  });
  return skipDuplicates(
    tx,
    tx.insert(moneyOperations).values(values),
    [moneyOperations.escrowId],
    OPEN_TRANSFER,
  ).returning();
}

/** The escrow's operations not yet final (pending or in flight), oldest first. */
export async function openOperations(db: Queryable, escrowId: string, kind?: OperationKind): Promise<OperationRow[]> {
  return db
    .select()
    .from(moneyOperations)
    .where(
      and(
        eq(moneyOperations.escrowId, escrowId),
        inArray(moneyOperations.status, [...OPEN_OPERATION_STATUSES]),
        kind ? eq(moneyOperations.kind, kind) : undefined,
      ),
    )
    .orderBy(moneyOperations.seq);
}

/** Money may be moving at the provider right now, or may have moved without our hearing of it. */
export const mayHaveMoved = (operation: OperationRow) => operation.status === "in_flight";

/** An executor holds the operation at this moment (server clock). */
export const isLeased = (operation: OperationRow, serverNow: number) =>
  operation.leaseToken !== null && (operation.leaseExpiresAt ?? 0) >= serverNow;

/**
 * Withdraws operations that are no longer needed. A pending one was never sent, so withdrawing it
 * is always safe. One in flight is withdrawn only when `superseded` says the money it would move has
 * moved some other way (a chargeback returned it), and never while an executor holds it: its key is
 * then never used again, and anything it did move shows up in the provider's cumulative totals.
 */
export async function cancelOperations(
  tx: Tx,
  operations: OperationRow[],
  options: { at: number; serverNow: number; message: string; superseded?: boolean },
): Promise<OperationRow[]> {
  if (operations.length === 0) return [];
  const statuses = options.superseded ? [...OPEN_OPERATION_STATUSES] : ["pending" as const];
  return tx
    .update(moneyOperations)
    .set({
      status: "canceled",
      errorCode: "canceled",
      errorMessage: options.message,
      leaseToken: null,
      leaseExpiresAt: null,
      updatedAt: options.at,
      completedAt: options.at,
    })
    .where(
      and(
        inArray(
          moneyOperations.id,
          operations.map((operation) => operation.id),
        ),
        inArray(moneyOperations.status, statuses),
        or(isNull(moneyOperations.leaseToken), lt(moneyOperations.leaseExpiresAt, options.serverNow)),
      ),
    )
    .returning();
}

export async function loadOperation(db: Queryable, operationId: string): Promise<OperationRow | null> {
  const [row] = await db.select().from(moneyOperations).where(eq(moneyOperations.id, operationId));
  return row ?? null;
}
