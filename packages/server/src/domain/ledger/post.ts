import { eq, sql } from "drizzle-orm";
import { type EscrowRow, type LedgerAccount, ledgerEntries } from "../../db/schema";
import { newId } from "../../lib/ids";
import type { Queryable, Tx } from "../../ports/storage";

export type Movement = Partial<Record<LedgerAccount, number>>;

/**
 * Appends one balanced movement for an escrow. Throws (rolling the transaction back) if the legs
 * do not sum to zero, so an unbalanced movement can never be committed.
 */
export async function postLedger(
  tx: Tx,
  escrow: EscrowRow,
  kind: string,
  movement: Movement,
  at: number,
): Promise<void> {
  const legs = ledgerLegs(escrow, kind, movement, at);
  if (legs.length > 0) await tx.insert(ledgerEntries).values(legs);
}

/** The rows of one balanced movement (for callers inserting many movements at once); throws if unbalanced. */
export function ledgerLegs(
  escrow: EscrowRow,
  kind: string,
  movement: Movement,
  at: number,
): (typeof ledgerEntries.$inferInsert)[] {
  const legs = Object.entries(movement).filter(([, amount]) => amount !== 0) as [LedgerAccount, number][];
  const sum = legs.reduce((total, [, amount]) => total + amount, 0);
  if (sum !== 0) throw new Error(`Unbalanced ledger movement '${kind}' for ${escrow.id}: sums to ${sum}`);
  return legs.map(([account, amount]) => ({
    id: newId("led"),
    tenantId: escrow.tenantId,
    escrowId: escrow.id,
    bookingId: escrow.bookingId,
    tutorId: escrow.tutorId,
    currency: escrow.currency,
    account,
    amount,
    kind,
    createdAt: at,
  }));
}

export type AccountBalances = Record<LedgerAccount, number>;

/** The escrow's balance in every ledger account. */
export async function escrowBalances(db: Queryable, escrowId: string): Promise<AccountBalances> {
  const rows = await db
    .select({ account: ledgerEntries.account, total: sql<number>`sum(${ledgerEntries.amount})` })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.escrowId, escrowId))
    .groupBy(ledgerEntries.account);
  const balances: AccountBalances = {
    payer: 0,
    tutor_pending: 0,
    tutor_disputed: 0,
    tutor_released: 0,
    platform_pending: 0,
    platform_revenue: 0,
    refunded: 0,
  };
  for (const row of rows) balances[row.account] = Number(row.total);
  return balances;
}
