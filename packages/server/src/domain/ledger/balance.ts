import { and, asc, eq } from "drizzle-orm";
import { tutorBalances } from "../../db/schema";
import type { Queryable } from "../../ports/storage";

export interface CurrencyBalance {
  currency: string;
  pending: number;
  disputed: number;
  released: number;
}

/**
 * A tutor's balances per currency: the running totals kept with every ledger row (one row per
 * currency, whatever the tutor's history), which reconcileBalances checks against the ledger.
 */
export async function tutorBalance(db: Queryable, tenantId: string, tutorId: string): Promise<CurrencyBalance[]> {
  return db
    .select({
      currency: tutorBalances.currency,
      pending: tutorBalances.pending,
      disputed: tutorBalances.disputed,
      released: tutorBalances.released,
    })
    .from(tutorBalances)
    .where(and(eq(tutorBalances.tenantId, tenantId), eq(tutorBalances.tutorId, tutorId)))
    .orderBy(asc(tutorBalances.currency));
}
