import { eq, sql } from "drizzle-orm";
import { insertRows } from "../../db/queries";
import { type EscrowRow, type LedgerAccount, ledgerEntries, tutorBalances } from "../../db/schema";
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
  await appendLedger(tx, ledgerLegs(escrow, kind, movement, at));
}

export type LedgerLeg = typeof ledgerEntries.$inferInsert;

type TutorTotals = Required<typeof tutorBalances.$inferInsert>;

/** Which running total each tutor account adds to (the others are the payer's and the platform's). */
const TUTOR_TOTALS = { tutor_pending: "pending", tutor_disputed: "disputed", tutor_released: "released" } as const;

/**
 * The one way rows enter the ledger: appends the legs and adds them to the tutors' running totals
 * (tutor_balances), in the caller's transaction, so a balance never disagrees with the ledger it is
 * read instead of. Legs of many movements and tutors may come at once (one upsert per tutor and
 * currency). Every tutor and currency a movement touches gets a totals row, even when its own
 * accounts did not change (a lesson whose fee is everything), as the ledger then has rows for it.
 */
export async function appendLedger(tx: Tx, legs: LedgerLeg[]): Promise<void> {
  if (legs.length === 0) return;
  await insertRows(tx, ledgerEntries, legs);
  const totals = new Map<string, TutorTotals>();
  for (const leg of legs) {
    const slot = `${leg.tenantId}\u0000${leg.tutorId}\u0000${leg.currency}`;
    const total = totals.get(slot) ?? {
      tenantId: leg.tenantId,
      tutorId: leg.tutorId,
      currency: leg.currency,
      pending: 0,
      disputed: 0,
      released: 0,
      updatedAt: leg.createdAt,
    };
    const column = TUTOR_TOTALS[leg.account as keyof typeof TUTOR_TOTALS];
    if (column) total[column] += leg.amount;
    total.updatedAt = Math.max(total.updatedAt, leg.createdAt);
    totals.set(slot, total);
  }
  const added = (column: "pending" | "disputed" | "released") =>
    sql`${tutorBalances[column]} + excluded.${sql.identifier(column)}`;
  await tx
    .insert(tutorBalances)
    .values([...totals.values()])
    .onConflictDoUpdate({
      target: [tutorBalances.tenantId, tutorBalances.tutorId, tutorBalances.currency],
      set: {
        pending: added("pending"),
        disputed: added("disputed"),
        released: added("released"),
        updatedAt: sql`excluded.${sql.identifier("updated_at")}`,
      },
    });
}

/** The rows of one balanced movement (for callers inserting many movements at once); throws if unbalanced. */
export function ledgerLegs(escrow: EscrowRow, kind: string, movement: Movement, at: number): LedgerLeg[] {
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
