import type { Table } from "drizzle-orm";
import { is, type SQL, sql } from "drizzle-orm";
import { PgDatabase, PgTransaction } from "drizzle-orm/pg-core";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Engine, Queryable } from "../ports/storage";

/**
 * The few queries that are not the same in every dialect, by name. Everything else the domain
 * builds with drizzle's query builders, which render in the dialect of the database they run on.
 */

export function engineOf(db: Queryable): Engine {
  return is(db, PgDatabase) || is(db, PgTransaction) ? "postgres" : "libsql";
}

/** Runs a statement that returns nothing the caller needs. */
export async function execute(db: Queryable, query: SQL): Promise<void> {
  if (engineOf(db) === "postgres") await (db as unknown as PgExecutor).execute(query);
  else await db.run(query);
}

/** Runs a query and returns its rows as plain objects, by column name. */
export async function selectRows<T>(db: Queryable, query: SQL): Promise<T[]> {
  if (engineOf(db) === "postgres") return (await (db as unknown as PgExecutor).execute(query)).rows as T[];
  return db.all<T>(query);
}

interface PgExecutor {
  execute(query: SQL): Promise<{ rows: unknown[] }>;
}

type Lockable<Q> = Q & { for?: (strength: "update", config?: { skipLocked?: boolean; of?: Table }) => Q };

/**
 * The rows this select reads inside a transaction, locked until it ends (PostgreSQL `FOR UPDATE`):
 * what the transaction decides from them cannot be decided from the same rows by another one at the
 * same time. SQLite needs no lock: its write transactions run one at a time.
 */
export function forChange<Q>(db: Queryable, query: Q): Q {
  const lockable = query as Lockable<Q>;
  return is(db, PgTransaction) && lockable.for ? lockable.for("update") : query;
}

/**
 * Rows to claim: locked, skipping rows another transaction holds (PostgreSQL `FOR UPDATE SKIP
 * LOCKED`), so concurrent claimers take different rows instead of waiting for each other and then
 * finding them taken. In SQLite, claims already run one at a time.
 */
export function claimable<Q>(db: Queryable, query: Q, of: Table): Q {
  const lockable = query as Lockable<Q>;
  return engineOf(db) === "postgres" && lockable.for ? lockable.for("update", { skipLocked: true, of }) : query;
}

type SkippingInsert<Q> = { onConflictDoNothing(config: { target: SQLiteColumn | SQLiteColumn[]; where?: SQL }): Q };

/**
 * The insert, skipping (not failing on) each row that a partial unique index on `columns` where
 * `predicate` already holds one like: `on conflict (columns) where predicate do nothing`. A row
 * skipped is not returned. Another unique index's conflict still fails the insert. Drizzle's SQLite
 * builder writes a `where` after `do nothing`, where SQLite rejects it (drizzle-orm#1628, fixed for
 * PostgreSQL only), so there the predicate goes inside the target.
 */
export function skipDuplicates<Q extends SkippingInsert<Q>>(
  db: Queryable,
  insert: Q,
  columns: SQLiteColumn[],
  predicate: SQL,
): Q {
  if (engineOf(db) === "postgres") return insert.onConflictDoNothing({ target: columns, where: predicate });
  const target = sql`${sql.join(columns, sql`, `)}) where (${predicate}`;
  return insert.onConflictDoNothing({ target: target as unknown as SQLiteColumn });
}

/** A JSON array stored as text (`column`) holds the string `value`. */
export function jsonArrayHas(engine: Engine, column: SQL | string, value: SQL): SQL {
  const target = typeof column === "string" ? sql.raw(column) : column;
  return engine === "postgres"
    ? sql`(${target})::jsonb ? ${value}`
    : sql`exists (select 1 from json_each(${target}) where json_each.value = ${value})`;
}

/** A random hexadecimal string of `bytes` bytes, made by the database (for ids made in SQL). */
export function randomHex(engine: Engine, bytes: number): SQL {
  return engine === "postgres"
    ? sql.raw(`substr(md5(random()::text || clock_timestamp()::text), 1, ${bytes * 2})`)
    : sql.raw(`lower(hex(randomblob(${bytes})))`);
}

/** A value bound as a parameter with its type spelled out (PostgreSQL cannot infer it inside CASE or VALUES). */
export function typed(value: string | number | boolean | null): SQL {
  if (value === null) return sql`null`;
  if (typeof value === "number") return sql`cast(${value} as bigint)`;
  if (typeof value === "boolean") return value ? sql`true` : sql`false`;
  return sql`cast(${value} as text)`;
}
