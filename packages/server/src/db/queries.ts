import type { Table } from "drizzle-orm";
import { getTableColumns, is, type SQL, sql } from "drizzle-orm";
import { PgDatabase, PgTransaction } from "drizzle-orm/pg-core";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
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

/**
 * Inserts many rows at once (ledger legs, events), returning nothing. Every row gives the same
 * columns. On PostgreSQL the rows go as one JSON parameter read by `jsonb_to_recordset`: drizzle's
 * multi-row insert binds every value as a parameter of its own, and building and binding thousands
 * of them was most of a release's time in the tick. SQLite takes drizzle's insert.
 */
export async function insertRows<T extends SQLiteTable>(
  db: Queryable,
  table: T,
  rows: T["$inferInsert"][],
): Promise<void> {
  const first = rows[0];
  if (!first) return;
  if (engineOf(db) !== "postgres") {
    await db.insert(table).values(rows);
    return;
  }
  const all = getTableColumns(table) as Record<string, SQLiteColumn>;
  const columns = Object.keys(first).map((key) => {
    const column = all[key];
    if (!column) throw new Error(`${key} is not a column of the table`);
    return { key, column };
  });
  const data = rows.map((row) => {
    const values = row as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const { key, column } of columns) {
      const value = values[key];
      out[column.name] =
        value === undefined || value === null
          ? null
          : column.columnType === "SQLiteTextJson"
            ? JSON.stringify(value)
            : value;
    }
    return out;
  });
  const names = sql.raw(columns.map(({ column }) => `"${column.name}"`).join(", "));
  const types = sql.raw(columns.map(({ column }) => `"${column.name}" ${pgType(column)}`).join(", "));
  await execute(
    db,
    sql`insert into ${table} (${names}) select ${names} from jsonb_to_recordset(${JSON.stringify(data)}::jsonb) as v(${types})`,
  );
}

function pgType(column: SQLiteColumn): string {
  switch (column.columnType) {
    case "SQLiteInteger":
      return "bigint";
    case "SQLiteBoolean":
      return "boolean";
    case "SQLiteText":
    case "SQLiteTextJson":
      return "text";
    default:
      throw new Error(`No PostgreSQL type for ${column.columnType}`);
  }
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

/**
 * One value per row of a multi-row UPDATE, chosen by the row's id (`entries`: id and value): the
 * value itself when every row gets the same one (a batch's time, a cleared error), else a CASE on
 * the id. Each CASE arm is two parameters the database parses and binds, for every row.
 */
export function perRow(id: SQLiteColumn, entries: [string, string | number | boolean | null][]): SQL {
  const [first] = entries;
  if (first && entries.every(([, value]) => value === first[1])) return typed(first[1]);
  return sql`case ${id} ${sql.join(
    entries.map(([key, value]) => sql`when ${key} then ${typed(value)}`),
    sql` `,
  )} end`;
}
