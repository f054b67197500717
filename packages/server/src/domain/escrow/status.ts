import { and, eq, inArray, type SQL } from "drizzle-orm";
import { patched, perRow } from "../../db/queries";
import { type EscrowRow, type EscrowStatus, escrows } from "../../db/schema";
import type { Tx } from "../../ports/storage";

/**
 * Every change of an escrow's status, and nothing else: the one table of what may follow what.
 *
 * - `awaiting_payment` → `held` when the payment goes through, `canceled` when it never will.
 * - `held` → `release_scheduled` when the session is over (or canceled late), `disputed` when frozen,
 *   `refunded` when all of it went back to the student.
 * - `release_scheduled` → `released` when the tutor's transfer is recorded, or frozen, or refunded.
 * - `disputed` → back to `held` or `release_scheduled` when the freeze ends (unfreezeEscrow), or `refunded`.
 * - `released` → `refunded` when a refund after release took back everything.
 */
const TRANSITIONS: Record<EscrowStatus, readonly EscrowStatus[]> = {
  awaiting_payment: ["held", "canceled"],
  held: ["release_scheduled", "disputed", "refunded"],
  release_scheduled: ["released", "disputed", "refunded"],
  disputed: ["held", "release_scheduled", "refunded"],
  released: ["refunded"],
  refunded: [],
  canceled: [],
};

export function canTransition(from: EscrowStatus, to: EscrowStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * Moves the escrow to `to` with `patch`, only if it is still in the status it was read in: the
 * conditional update is what makes a transition safe against a concurrent request, webhook or tick.
 * Returns null when it lost that race. A transition the table does not allow is a bug, not a race.
 * `escrow` is the row this transaction read and holds: the row returned is it with the change applied
 * (db/queries.ts patched), not read back. The same goes for updateEscrow.
 */
export async function transitionEscrow(
  tx: Tx,
  escrow: EscrowRow,
  to: EscrowStatus,
  patch: EscrowPatch = {},
): Promise<EscrowRow | null> {
  if (!canTransition(escrow.status, to)) {
    throw new Error(`Escrow ${escrow.id} cannot go from ${escrow.status} to ${to}`);
  }
  const change = { ...patch, status: to };
  const [moved] = await tx
    .update(escrows)
    .set(change)
    .where(and(eq(escrows.id, escrow.id), eq(escrows.status, escrow.status)))
    .returning({ id: escrows.id });
  return moved ? patched(escrow, change) : null;
}

type EscrowPatch = Omit<Partial<EscrowRow>, "status">;

/**
 * transitionEscrow for many escrows at once (the tick's batch of releases), in one UPDATE … RETURNING:
 * each escrow gets its own values (perRow: CASE on its id where they differ). Every escrow must still be in the status
 * it was read in; returns the rows that were, so the caller can tell a lost race from a moved one.
 */
export async function transitionEscrows(
  tx: Tx,
  to: EscrowStatus,
  items: { escrow: EscrowRow; patch: EscrowPatch }[],
): Promise<EscrowRow[]> {
  if (items.length === 0) return [];
  const from = items[0]!.escrow.status;
  for (const { escrow } of items) {
    if (escrow.status !== from || !canTransition(from, to)) {
      throw new Error(`Escrow ${escrow.id} cannot go from ${escrow.status} to ${to} in this batch`);
    }
  }
  const columns = Object.keys(items[0]!.patch) as (keyof EscrowPatch)[];
  const set: Record<string, SQL | string> = { status: to };
  for (const column of columns) {
    set[column] = perRow(
      escrows.id,
      items.map(({ escrow, patch }) => [escrow.id, (patch[column] ?? null) as string | number | null]),
    );
  }
  return tx
    .update(escrows)
    .set(set as Partial<EscrowRow>)
    .where(
      and(
        inArray(
          escrows.id,
          items.map(({ escrow }) => escrow.id),
        ),
        eq(escrows.status, from),
      ),
    )
    .returning();
}

/** Changes an escrow's amounts or other fields, never its status (that is transitionEscrow's). */
export async function updateEscrow(tx: Tx, escrow: EscrowRow, patch: EscrowPatch): Promise<EscrowRow> {
  const [row] = await tx
    .update(escrows)
    .set(patch as Partial<EscrowRow>)
    .where(eq(escrows.id, escrow.id))
    .returning({ id: escrows.id });
  if (!row) throw new Error(`Escrow ${escrow.id} vanished`);
  return patched(escrow, patch as Partial<EscrowRow>);
}

/** What is still in escrow, from the escrow's own columns (the ledger agrees; tests check both). */
export function heldAmount(escrow: Pick<EscrowRow, "status" | "amount" | "refundedAmount" | "releasedAmount">): number {
  if (escrow.status === "awaiting_payment" || escrow.status === "canceled") return 0;
  return escrow.amount - escrow.refundedAmount - escrow.releasedAmount;
}
