import { sql } from "drizzle-orm";
import { tutorBalances } from "../../db/schema";
import type { Database } from "../../ports/storage";

export interface BalanceMismatch {
  tenant_id: string;
  tutor_id: string;
  currency: string;
  /** The running totals as stored (null: no row). */
  stored: { pending: number; disputed: number; released: number } | null;
  /** The same totals recomputed from the ledger (null: no ledger rows). */
  ledger: { pending: number; disputed: number; released: number } | null;
}

export interface Reconciliation {
  /** Tutor, tenant and currency combinations compared. */
  checked: number;
  mismatches: BalanceMismatch[];
}

/**
 * Recomputes every tutor's totals from the ledger (the source of truth) and compares them with the
 * running totals balances are read from. A full pass over the ledger: an operator's check (`lessonkit
 * reconcile`, `POST /v1/admin/reconcile`), never part of a request a platform makes.
 */
export async function reconcileBalances(db: Database): Promise<Reconciliation> {
  const rows = await db.all<{
    tenant_id: string;
    tutor_id: string;
    currency: string;
    in_ledger: number;
    l_pending: number | null;
    l_disputed: number | null;
    l_released: number | null;
    s_pending: number | null;
    s_disputed: number | null;
    s_released: number | null;
  }>(sql`
    with ledger as (
      select tenant_id, tutor_id, currency,
        coalesce(sum(case when account = 'tutor_pending' then amount end), 0) as pending,
        coalesce(sum(case when account = 'tutor_disputed' then amount end), 0) as disputed,
        coalesce(sum(case when account = 'tutor_released' then amount end), 0) as released
      from ledger_entries group by tenant_id, tutor_id, currency
    ),
    keys as (
      select tenant_id, tutor_id, currency from ledger
      union select tenant_id, tutor_id, currency from ${tutorBalances}
    )
    select k.tenant_id, k.tutor_id, k.currency, l.tenant_id is not null as in_ledger,
      l.pending as l_pending, l.disputed as l_disputed, l.released as l_released,
      s.pending as s_pending, s.disputed as s_disputed, s.released as s_released
    from keys k
    left join ledger l on l.tenant_id = k.tenant_id and l.tutor_id = k.tutor_id and l.currency = k.currency
    left join ${tutorBalances} s on s.tenant_id = k.tenant_id and s.tutor_id = k.tutor_id and s.currency = k.currency
    order by k.tenant_id, k.tutor_id, k.currency`);
  const mismatches: BalanceMismatch[] = [];
  for (const row of rows) {
    const ledger = row.in_ledger
      ? { pending: Number(row.l_pending), disputed: Number(row.l_disputed), released: Number(row.l_released) }
      : null;
    const stored =
      row.s_pending === null
        ? null
        : { pending: Number(row.s_pending), disputed: Number(row.s_disputed), released: Number(row.s_released) };
    const same =
      ledger !== null &&
      stored !== null &&
      ledger.pending === stored.pending &&
      ledger.disputed === stored.disputed &&
      ledger.released === stored.released;
    if (!same)
      mismatches.push({ tenant_id: row.tenant_id, tutor_id: row.tutor_id, currency: row.currency, stored, ledger });
  }
  return { checked: rows.length, mismatches };
}

/**
 * Rewrites every running total from the ledger: for rows copied into the ledger by hand (the scale
 * benchmark's seeding), or to repair totals a reconciliation found wrong. One transaction.
 */
export async function rebuildBalances(db: Database, at: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(tutorBalances);
    await tx.run(sql`
      insert into ${tutorBalances} (tenant_id, tutor_id, currency, pending, disputed, released, updated_at)
      select tenant_id, tutor_id, currency,
        coalesce(sum(case when account = 'tutor_pending' then amount end), 0),
        coalesce(sum(case when account = 'tutor_disputed' then amount end), 0),
        coalesce(sum(case when account = 'tutor_released' then amount end), 0),
        ${at}
      from ledger_entries group by tenant_id, tutor_id, currency`);
  });
}
