import { and, eq, sql } from "drizzle-orm";
import { ledgerEntries } from "../../db/schema";
import type { Queryable } from "../../ports/storage";

export interface CurrencyBalance {
  currency: string;
  pending: number;
  disputed: number;
  released: number;
}

/** A tutor's balances per currency, derived from the ledger (never stored). */
export async function tutorBalance(db: Queryable, tenantId: string, tutorId: string): Promise<CurrencyBalance[]> {
  const rows = await db
    .select({
      currency: ledgerEntries.currency,
      account: ledgerEntries.account,
      total: sql<number>`sum(${ledgerEntries.amount})`,
    })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.tenantId, tenantId), eq(ledgerEntries.tutorId, tutorId)))
    .groupBy(ledgerEntries.currency, ledgerEntries.account);
  const byCurrency = new Map<string, CurrencyBalance>();
  for (const row of rows) {
    const balance = byCurrency.get(row.currency) ?? { currency: row.currency, pending: 0, disputed: 0, released: 0 };
    const total = Number(row.total);
    if (row.account === "tutor_pending") balance.pending += total;
    else if (row.account === "tutor_disputed") balance.disputed += total;
    else if (row.account === "tutor_released") balance.released += total;
    byCurrency.set(row.currency, balance);
  }
  return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}
