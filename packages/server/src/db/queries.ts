import { getTableColumns, is, SQL, sql, type Table } from "drizzle-orm";
import { PgDatabase, PgTransaction } from "drizzle-orm/pg-core";
import { type SQLiteColumn, type SQLiteTable, SQLiteTransaction } from "drizzle-orm/sqlite-core";
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
 * Inserts many rows at once (ledger legs, events), returning nothing. A column a row leaves out gets
 * its default, as in drizzle's insert. On PostgreSQL the rows go as one JSON parameter read by `jsonb_to_recordset`: drizzle's
 * multi-row insert binds every value as a parameter of its own, and building and binding thousands
 * of them was most of a release's time in the tick. SQLite takes drizzle's insert.
 */
export async function insertRows<T extends SQLiteTable>(
  db: Queryable,
  table: T,
  rows: T["$inferInsert"][],
): Promise<void> {
  if (rows.length === 0) return;
  if (engineOf(db) !== "postgres") {
    await db.insert(table).values(rows);
    return;
  }
  await execute(db, pgInsertRows(table, rows));
}

/** insertRows' statement on PostgreSQL (one JSON parameter), for a caller that adds to it (`returning …`). */
export function pgInsertRows<T extends SQLiteTable>(table: T, rows: T["$inferInsert"][]): SQL {
  if (rows.length === 0) throw new Error("pgInsertRows: no rows");
  const all = getTableColumns(table) as Record<string, SQLiteColumn>;
  // Every column any row gives: a value one row has and the first does not is still written.
  const keys = new Set(rows.flatMap((row) => Object.keys(row)));
  const columns = [...keys].map((key) => {
    const column = all[key];
    if (!column) throw new Error(`${key} is not a column of the table`);
    return { key, column };
  });
  const data = rows.map((row) => {
    const values = row as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const { key, column } of columns) {
      const value = values[key] === undefined ? defaultOf(key, column) : values[key];
      out[column.name] = value === null ? null : column.columnType === "SQLiteTextJson" ? JSON.stringify(value) : value;
    }
    return out;
  });
  const names = sql.raw(columns.map(({ column }) => `"${column.name}"`).join(", "));
  const types = sql.raw(columns.map(({ column }) => `"${column.name}" ${pgType(column)}`).join(", "));
  return sql`insert into ${table} (${names}) select ${names} from jsonb_to_recordset(${JSON.stringify(data)}::jsonb) as v(${types})`;
}

/** What drizzle's insert writes for a column a row leaves out: its default, else null. */
function defaultOf(key: string, column: SQLiteColumn): unknown {
  if (column.defaultFn) return column.defaultFn();
  if (is(column.default, SQL)) throw new Error(`pgInsertRows: ${key} has an SQL default; give every row a value`);
  return column.default ?? null;
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
 * The row an UPDATE of `patch` leaves behind, worked out here rather than read back with `RETURNING *`:
 * a booking or an escrow is some forty columns, and reading one back (and having drizzle build that
 * select list) cost more than the update itself. Exact only for a row this transaction read and
 * holds (loadBooking and the like: `FOR UPDATE` on PostgreSQL, SQLite's one writer) and a patch of
 * plain values, as drizzle's `set` takes them (`undefined` leaves a column alone). A patch holding an
 * SQL expression has no value to work out here: that is a bug in the caller.
 */
export function patched<Row extends object>(row: Row, patch: Partial<Row>): Row {
  const next = { ...row };
  for (const [column, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (is(value, SQL)) {
      throw new Error(`patched: column ${column} is set by an SQL expression; read the row back instead`);
    }
    (next as Record<string, unknown>)[column] = value;
  }
  return next;
}

interface Preparable {
  prepare(): { execute(values?: Record<string, unknown>): unknown };
}
type Executed<Q extends Preparable> = ReturnType<ReturnType<Q["prepare"]>["execute"]>;
const preparedByDatabase = new WeakMap<object, Map<string, ReturnType<Preparable["prepare"]>>>();

/**
 * Runs a hot select kept prepared: drizzle builds its SQL and result mapping once instead of on
 * every call (for a row of some forty columns that building costs more than running it), and
 * PostgreSQL parses and plans it once per connection (a named statement, `lk_<name>`). `build`
 * makes the query with `sql.placeholder(…)` for each value; `values` fills them.
 *
 * Outside a transaction the prepared query is kept per database. Inside one, a query drizzle
 * prepared belongs to the database it was made on (on PostgreSQL, any connection of the pool), so
 * what is kept is the built query (its SQL, the order of its fields and how its joins map), made
 * into a query of this transaction's session on each call: the one place LessonKit reaches past
 * drizzle's documented API (`session.prepareQuery`, as drizzle's own builders call it), covered on
 * both engines by every test that reads a booking in a transaction.
 */
export function runPrepared<Q extends Preparable>(
  db: Queryable,
  name: string,
  build: (db: Queryable) => Q,
  values: Record<string, unknown>,
): Executed<Q> {
  if (is(db, SQLiteTransaction) || is(db, PgTransaction)) return runPreparedInTransaction(db, name, build, values);
  let statements = preparedByDatabase.get(db);
  if (!statements) {
    statements = new Map();
    preparedByDatabase.set(db, statements);
  }
  let statement = statements.get(name);
  if (!statement) {
    const query = build(db);
    statement =
      engineOf(db) === "postgres"
        ? (query as unknown as { prepare(name: string): ReturnType<Preparable["prepare"]> }).prepare(`lk_${name}`)
        : query.prepare();
    statements.set(name, statement);
  }
  return statement.execute(values) as Executed<Q>;
}

/**
 * The row an INSERT of `values` wrote, worked out from the values and the table's column defaults
 * rather than read back with `RETURNING *` (see patched), plus `generated`: what the database made
 * and `RETURNING` gave back (an autoincrement `seq`). A column with an SQL or computed default has
 * no value to work out here: that is a bug in the caller, who must read it back.
 */
export function inserted<T extends Table>(
  table: T,
  values: T["$inferInsert"],
  generated: Partial<T["$inferSelect"]>,
): T["$inferSelect"] {
  const row: Record<string, unknown> = {};
  const given = values as Record<string, unknown>;
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (key in generated) row[key] = (generated as Record<string, unknown>)[key];
    else if (given[key] !== undefined) row[key] = given[key];
    else if (column.defaultFn || column.onUpdateFn || is(column.default, SQL)) {
      throw new Error(`inserted: ${key} has a default made by the database or a function; read the row back instead`);
    } else row[key] = column.default ?? null;
  }
  return row as T["$inferSelect"];
}

/** A select as drizzle built it, to be run again in any transaction of the engine it was built for. */
interface BuiltSelect {
  query: { sql: string; params: unknown[] };
  fields: unknown;
  joinsNotNullableMap: unknown;
}
interface InternalPrepared {
  getQuery(): BuiltSelect["query"];
  fields: unknown;
  joinsNotNullableMap: unknown;
  execute(values?: Record<string, unknown>): unknown;
}
interface InternalSession {
  prepareQuery(
    query: BuiltSelect["query"],
    fields: unknown,
    nameOrMethod: string | undefined,
    arrayMode: boolean,
  ): InternalPrepared;
}
const builtInTransactions = new Map<string, BuiltSelect>();

function runPreparedInTransaction<Q extends Preparable>(
  tx: Queryable,
  name: string,
  build: (db: Queryable) => Q,
  values: Record<string, unknown>,
): Executed<Q> {
  const engine = engineOf(tx);
  const key = `${engine}:${name}`;
  let built = builtInTransactions.get(key);
  if (!built) {
    const first = build(tx).prepare() as unknown as InternalPrepared;
    if (first.fields === undefined) throw new Error(`runPrepared: ${name} is not a select`);
    built = { query: first.getQuery(), fields: first.fields, joinsNotNullableMap: first.joinsNotNullableMap };
    builtInTransactions.set(key, built);
    return first.execute(values) as Executed<Q>;
  }
  const session = (tx as unknown as { session: InternalSession }).session;
  const prepared = session.prepareQuery(
    built.query,
    built.fields,
    engine === "postgres" ? `lk_tx_${name}` : "all",
    true,
  );
  prepared.joinsNotNullableMap = built.joinsNotNullableMap;
  return prepared.execute(values) as Executed<Q>;
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
