import { and, asc, eq, sql } from "drizzle-orm";
import { execute } from "../../db/queries";
import { ledgerEntries, tutorBalances } from "../../db/schema";
import type { Database } from "../../ports/storage";

type Totals = { pending: number; disputed: number; released: number };

export interface BalanceMismatch {
  tenant_id: string;
  tutor_id: string;
  currency: string;
  /** The running totals as stored (null: no row). */
  stored: Totals | null;
  /** The same totals recomputed from the ledger (null: no ledger rows). */
  ledger: Totals | null;
}

export interface Reconciliation {
  /** Tutor, tenant and currency combinations compared. */
  checked: number;
  mismatches: BalanceMismatch[];
}

interface Key {
  tenantId: string;
  tutorId: string;
  currency: string;
}

/** Before every key (tenant ids are never empty). */
const START: Key = { tenantId: "", tutorId: "", currency: "" };

/** Keys after `key` in (tenant, tutor, currency) order: a row-value comparison, one index seek. */
const after = (table: typeof ledgerEntries | typeof tutorBalances, key: Key) =>
  sql`(${table.tenantId}, ${table.tutorId}, ${table.currency}) > (${key.tenantId}, ${key.tutorId}, ${key.currency})`;

/**
 * Recomputes every tutor's totals from the ledger (the source of truth) and compares them with the
 * running totals balances are read from (`lessonkit`'s operator check, `POST /v1/admin/reconcile`).
 *
 * It reads the whole ledger, but one tutor and currency at a time: the next ledger key is one index
 * seek (ledger_tenant_tutor), its sums one range of that index, its stored totals one primary-key
 * lookup. A second walk over the stored totals finds those with no ledger rows at all. No statement
 * reads more than one tutor's rows, so requests served meanwhile wait for at most that, never for
 * the whole pass. Each walk orders keys by the database alone, so text collation (byte order on
 * SQLite, the database's collation on PostgreSQL) never has to agree with anything else.
 */
export async function reconcileBalances(db: Database): Promise<Reconciliation> {
  const mismatches: BalanceMismatch[] = [];
  let checked = 0;
  for (let key = await nextLedgerKey(db, START); key !== null; key = await nextLedgerKey(db, key)) {
    checked++;
    const ledger = await ledgerTotals(db, key);
    const stored = await storedTotals(db, key);
    const same =
      stored !== null &&
      ledger.pending === stored.pending &&
      ledger.disputed === stored.disputed &&
      ledger.released === stored.released;
    if (!same) mismatches.push(mismatch(key, stored, ledger));
  }
  for (let row = await nextStored(db, START); row !== null; row = await nextStored(db, row.key)) {
    if (await hasLedgerRows(db, row.key)) continue;
    checked++;
    mismatches.push(mismatch(row.key, row.totals, null));
  }
  return { checked, mismatches };
}

const mismatch = (key: Key, stored: Totals | null, ledger: Totals | null): BalanceMismatch => ({
  tenant_id: key.tenantId,
  tutor_id: key.tutorId,
  currency: key.currency,
  stored,
  ledger,
});

/** The ledger's next tenant, tutor and currency after `key`, in index order. */
async function nextLedgerKey(db: Database, key: Key): Promise<Key | null> {
  const [row] = await db
    .select({ tenantId: ledgerEntries.tenantId, tutorId: ledgerEntries.tutorId, currency: ledgerEntries.currency })
    .from(ledgerEntries)
    .where(after(ledgerEntries, key))
    .orderBy(asc(ledgerEntries.tenantId), asc(ledgerEntries.tutorId), asc(ledgerEntries.currency))
    .limit(1);
  return row ?? null;
}

async function nextStored(db: Database, key: Key): Promise<{ key: Key; totals: Totals } | null> {
  const [row] = await db
    .select()
    .from(tutorBalances)
    .where(after(tutorBalances, key))
    .orderBy(asc(tutorBalances.tenantId), asc(tutorBalances.tutorId), asc(tutorBalances.currency))
    .limit(1);
  if (!row) return null;
  return {
    key: { tenantId: row.tenantId, tutorId: row.tutorId, currency: row.currency },
    totals: { pending: row.pending, disputed: row.disputed, released: row.released },
  };
}

const sameKey = (table: typeof ledgerEntries | typeof tutorBalances, key: Key) =>
  and(eq(table.tenantId, key.tenantId), eq(table.tutorId, key.tutorId), eq(table.currency, key.currency));

async function storedTotals(db: Database, key: Key): Promise<Totals | null> {
  const [row] = await db
    .select({ pending: tutorBalances.pending, disputed: tutorBalances.disputed, released: tutorBalances.released })
    .from(tutorBalances)
    .where(sameKey(tutorBalances, key));
  return row ?? null;
}

async function hasLedgerRows(db: Database, key: Key): Promise<boolean> {
  const [row] = await db
    .select({ id: ledgerEntries.id })
    .from(ledgerEntries)
    .where(sameKey(ledgerEntries, key))
    .limit(1);
  return row !== undefined;
}

async function ledgerTotals(db: Database, key: Key): Promise<Totals> {
  const amount = (account: string) =>
    sql<number>`coalesce(sum(case when ${ledgerEntries.account} = ${account} then ${ledgerEntries.amount} end), 0)`;
  const [row] = await db
    .select({
      pending: amount("tutor_pending"),
      disputed: amount("tutor_disputed"),
      released: amount("tutor_released"),
    })
    .from(ledgerEntries)
    .where(sameKey(ledgerEntries, key));
  return {
    pending: Number(row?.pending ?? 0),
    disputed: Number(row?.disputed ?? 0),
    released: Number(row?.released ?? 0),
  };
}

/**
 * Rewrites every running total from the ledger: for rows copied into the ledger by hand (the scale
 * benchmark's seeding), or to repair totals a reconciliation found wrong. One transaction.
 */
export async function rebuildBalances(db: Database, at: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(tutorBalances);
    await execute(
      tx,
      sql`
      insert into ${tutorBalances} (tenant_id, tutor_id, currency, pending, disputed, released, updated_at)
      select tenant_id, tutor_id, currency,
        coalesce(sum(case when account = 'tutor_pending' then amount end), 0),
        coalesce(sum(case when account = 'tutor_disputed' then amount end), 0),
        coalesce(sum(case when account = 'tutor_released' then amount end), 0),
        ${at}
      from ledger_entries group by tenant_id, tutor_id, currency`,
    );
  });
}
