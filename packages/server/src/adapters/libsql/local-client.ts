import { fileURLToPath } from "node:url";
import {
  type Client,
  type InArgs,
  type InStatement,
  type InValue,
  LibsqlError,
  type ResultSet,
  type Row,
  type Transaction,
  type TransactionMode,
} from "@libsql/client";
import Database from "libsql";

/**
 * The libsql client for a local database (a file or `:memory:`), with one difference from
 * `@libsql/client`'s: every statement is prepared once and kept. `@libsql/client` prepares each
 * statement anew on every call and asks for its column list twice; for the wide selects and inserts
 * of bookings and escrows that costs 0.3 to 0.7 ms a statement, several times what running it costs,
 * and it is most of what a write request costs. Results have the same shape (rows readable by index
 * and by column name, `rowsAffected`, `lastInsertRowid`), errors the same `LibsqlError` codes.
 *
 * One connection: the caller (database.ts) serializes every call and transaction per file.
 */
export function createLocalClient(url: string, options: { timeoutMs: number }): Client {
  return new LocalClient(new Database(localPath(url), { timeout: options.timeoutMs }));
}

/** `:memory:`, `file::memory:…`, `file:relative/or/absolute` or `file:///absolute`, as the path libsql opens. */
export function localPath(url: string): string {
  if (url === ":memory:" || url.startsWith("file::memory:")) return ":memory:";
  if (url.startsWith("file://")) return fileURLToPath(url.split("?")[0] ?? url);
  return decodeURIComponent((url.slice("file:".length).split("?")[0] ?? "").trim());
}

/** Statements kept per connection; beyond this the least recently used one is let go. */
const MAX_STATEMENTS = 1000;
const VALUES = Symbol("values");

type Connection = Database.Database;
type Statement = Database.Statement;
interface Prepared {
  statement: Statement;
  /** Null for a statement that returns no rows (its `run` is used). */
  columns: string[] | null;
  columnTypes: string[];
  /** What every row of this statement inherits: its length and index access. */
  rowPrototype: object;
}

class LocalClient implements Client {
  closed = false;
  readonly protocol = "file";
  readonly #db: Connection;
  readonly #prepared = new Map<string, Prepared>();

  constructor(db: Connection) {
    this.#db = db;
  }

  async execute(statement: InStatement | string, args?: InArgs): Promise<ResultSet> {
    this.#checkOpen();
    return this.#run(typeof statement === "string" ? { sql: statement, args: args ?? [] } : statement);
  }

  async batch(statements: InStatement[], mode: TransactionMode = "deferred"): Promise<ResultSet[]> {
    this.#checkOpen();
    this.#run(begin(mode));
    try {
      const results = statements.map((statement) => this.#run(normalize(statement)));
      this.#run("COMMIT");
      return results;
    } finally {
      if (this.#db.inTransaction) this.#run("ROLLBACK");
    }
  }

  async migrate(statements: InStatement[]): Promise<ResultSet[]> {
    this.#checkOpen();
    this.#run("PRAGMA foreign_keys=off");
    try {
      return await this.batch(statements, "deferred");
    } finally {
      this.#run("PRAGMA foreign_keys=on");
      this.#prepared.clear();
    }
  }

  async transaction(mode: TransactionMode = "write"): Promise<Transaction> {
    this.#checkOpen();
    this.#run(begin(mode));
    return new LocalTransaction(this.#db, (statement) => this.#run(statement));
  }

  async executeMultiple(sql: string): Promise<void> {
    this.#checkOpen();
    try {
      this.#db.exec(sql);
    } catch (error) {
      throw toLibsqlError(error);
    } finally {
      this.#prepared.clear();
    }
  }

  async sync(): Promise<undefined> {
    return undefined;
  }

  async reconnect(): Promise<void> {
    throw new LibsqlError("A local client cannot reconnect; open the database again", "NOT_SUPPORTED");
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#prepared.clear();
    if (this.#db.open) this.#db.close();
  }

  #checkOpen() {
    if (this.closed || !this.#db.open) throw new LibsqlError("The client is closed", "CLIENT_CLOSED");
  }

  #run(input: InStatement | string): ResultSet {
    const { sql, args } = typeof input === "string" ? { sql: input, args: [] as InArgs } : normalize(input);
    try {
      const prepared = this.#prepare(sql);
      const bound = bindArgs(args);
      if (prepared.columns === null) {
        const info = prepared.statement.run(bound);
        return resultSet([], [], [], info.changes, BigInt(info.lastInsertRowid));
      }
      const raw = prepared.statement.all(bound) as unknown[][];
      const names = prepared.columns;
      const rows = raw.map((values) => toRow(prepared.rowPrototype, names, values));
      return resultSet(names, prepared.columnTypes, rows, 0, undefined);
    } catch (error) {
      throw toLibsqlError(error);
    }
  }

  #prepare(sql: string): Prepared {
    const cached = this.#prepared.get(sql);
    if (cached) {
      // Most recently used last: the first entry is the one to let go.
      this.#prepared.delete(sql);
      this.#prepared.set(sql, cached);
      return cached;
    }
    const statement = this.#db.prepare(sql);
    let columns: string[] | null = null;
    let columnTypes: string[] = [];
    try {
      statement.raw(true);
      const described = statement.columns();
      columns = described.map((column) => column.name);
      columnTypes = described.map((column) => column.type ?? "");
    } catch {
      // raw() throws for a statement that returns no rows.
    }
    const prepared = { statement, columns, columnTypes, rowPrototype: rowPrototype(columns?.length ?? 0) };
    // A statement that changes the schema may change what the others return: start afresh after it.
    if (/^\s*(create|drop|alter)\b/i.test(sql)) {
      this.#prepared.clear();
      return prepared;
    }
    if (this.#prepared.size >= MAX_STATEMENTS) {
      const oldest = this.#prepared.keys().next();
      if (!oldest.done) this.#prepared.delete(oldest.value);
    }
    this.#prepared.set(sql, prepared);
    return prepared;
  }
}

class LocalTransaction implements Transaction {
  #open = true;

  constructor(
    private readonly db: Connection,
    private readonly run: (statement: InStatement | string) => ResultSet,
  ) {}

  get closed(): boolean {
    return !this.#open || !this.db.open || !this.db.inTransaction;
  }

  async execute(statement: InStatement | string, args?: InArgs): Promise<ResultSet> {
    this.#checkOpen();
    return this.run(typeof statement === "string" ? { sql: statement, args: args ?? [] } : statement);
  }

  async batch(statements: InStatement[]): Promise<ResultSet[]> {
    this.#checkOpen();
    return statements.map((statement) => this.run(normalize(statement)));
  }

  async executeMultiple(sql: string): Promise<void> {
    this.#checkOpen();
    try {
      this.db.exec(sql);
    } catch (error) {
      throw toLibsqlError(error);
    }
  }

  async commit(): Promise<void> {
    this.#checkOpen();
    this.#open = false;
    this.run("COMMIT");
  }

  async rollback(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    if (this.db.open && this.db.inTransaction) this.run("ROLLBACK");
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    if (this.db.open && this.db.inTransaction) this.run("ROLLBACK");
  }

  #checkOpen() {
    if (this.closed) throw new LibsqlError("The transaction is closed", "TRANSACTION_CLOSED");
  }
}

const begin = (mode: TransactionMode) =>
  mode === "write" ? "BEGIN IMMEDIATE" : mode === "read" ? "BEGIN TRANSACTION READONLY" : "BEGIN DEFERRED";

function normalize(statement: InStatement): { sql: string; args: InArgs } {
  if (typeof statement === "string") return { sql: statement, args: [] };
  if (Array.isArray(statement)) return { sql: statement[0] as string, args: (statement[1] ?? []) as InArgs };
  return { sql: statement.sql, args: statement.args ?? [] };
}

function bindArgs(args: InArgs): unknown[] | Record<string, unknown> {
  if (Array.isArray(args)) return args.map(bindValue);
  const named: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    named[name[0] === "@" || name[0] === "$" || name[0] === ":" ? name.slice(1) : name] = bindValue(value);
  }
  return named;
}

/** The same conversions as @libsql/client's (intMode "number"). */
function bindValue(value: InValue): unknown {
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      throw new RangeError("Only finite numbers (not Infinity or NaN) can be passed as arguments");
    return value;
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError("undefined cannot be passed as argument to the database");
  return value;
}

/**
 * Rows answer by index (drizzle reads selected fields so) and by column name as enumerable own
 * properties (raw `db.all` reads them so), like @libsql/client's; the index access and the length
 * live on a prototype shared by the statement's rows, so a row costs one object and its names.
 */
function rowPrototype(width: number): object {
  const prototype = {};
  Object.defineProperty(prototype, "length", { value: width });
  for (let i = 0; i < width; i++) {
    Object.defineProperty(prototype, i, {
      get(this: { [VALUES]: unknown[] }) {
        return this[VALUES][i];
      },
    });
  }
  return prototype;
}

function toRow(prototype: object, names: string[], values: unknown[]): Row {
  const row = Object.create(prototype) as Record<string | symbol, unknown>;
  row[VALUES] = values;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    // The first of two columns with one name wins, as with @libsql/client; `length` and digits are the row's own.
    if (name === "length" || /^\d+$/.test(name) || Object.hasOwn(row, name)) continue;
    row[name] = bufferToArrayBuffer(values[i]);
  }
  return row as unknown as Row;
}

const bufferToArrayBuffer = (value: unknown) =>
  value instanceof Buffer ? value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) : value;

function resultSet(
  columns: string[],
  columnTypes: string[],
  rows: Row[],
  rowsAffected: number,
  lastInsertRowid: bigint | undefined,
): ResultSet {
  return {
    columns,
    columnTypes,
    rows,
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({ columns, columnTypes, rows: rows.map((row) => Array.prototype.slice.call(row)), rowsAffected }),
  };
}

/** The error codes @libsql/client gives: the base code (`SQLITE_CONSTRAINT`), the extended one beside it. */
function toLibsqlError(error: unknown): unknown {
  if (error instanceof Database.SqliteError) {
    const extended = (error as { code: string }).code;
    const rawCode = (error as { rawCode?: number }).rawCode;
    return new LibsqlError(error.message, baseCode(extended), extended, rawCode, error);
  }
  return error;
}

const baseCode = (extended: string) => /^SQLITE_[A-Z]+/.exec(extended)?.[0] ?? extended;
