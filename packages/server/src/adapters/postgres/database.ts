import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { selectRows } from "../../db/queries";
import type { Database, OpenDatabase, Queryable } from "../../ports/storage";

/** Held while migrating, so processes starting together on an empty database take turns. */
const MIGRATION_LOCK = 0x4c4b_4d31; // "LKM1"
/** Every write to the rows read snapshots are made of is announced on this channel (migration 0001). */
export const WRITES_CHANNEL = "lessonkit_writes";

export interface PostgresOptions {
  migrate?: boolean;
  /** Connections in the pool (LESSONKIT_DATABASE_POOL). */
  pool?: number;
  /** Sees every statement drizzle sends, with its parameters. */
  logQuery?: (sql: string, params: unknown[]) => void;
}

/**
 * bigint and numeric (sums, counts) as JavaScript numbers: LessonKit's are integers far below 2^53.
 * Set on pg's shared parsers, since drizzle passes its own per-query parser set that falls back to them.
 */
function parseBigintsAsNumbers() {
  pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
  pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value: string) => Number(value));
}

function migrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, "drizzle-pg");
    if (existsSync(join(candidate, "meta", "_journal.json"))) return candidate;
    dir = dirname(dir);
  }
  throw new Error("Cannot find the drizzle-pg/ migrations folder of @lessonkit/server");
}

/**
 * Opens a PostgreSQL database (14+) through a connection pool and applies the committed
 * migrations under an advisory lock. Read snapshots stay correct across processes: every commit
 * that touches bookings, escrows or tenants announces the rows it changed (NOTIFY, by trigger) and
 * this process listens, dropping those rows' snapshots; writes of this process drop them all at once.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<OpenDatabase> {
  parseBigintsAsNumbers();
  const pool = new pg.Pool({ connectionString: url, max: options.pool ?? 10 });
  const writes = sharedWrites(url);
  pool.on("connect", (client) => countWrites(client, writes));
  // A broken idle connection is dropped from the pool; the error must not crash the process.
  pool.on("error", () => {});
  const listener = new WriteListener(url, writes);
  try {
    if (options.migrate !== false) await migrateUnderLock(pool);
    await listener.start();
  } catch (error) {
    await listener.stop();
    releaseWrites(url);
    await pool.end();
    throw error;
  }
  const db = drizzle(pool, options.logQuery ? { logger: { logQuery: options.logQuery } } : {}) as unknown as Database;
  let closing: Promise<void> | undefined;
  return {
    db,
    engine: "postgres",
    writeGeneration: () => writes.generation,
    changeVersion: (row) => writes.version(row),
    poolUse: () => ({ size: pool.totalCount, busy: pool.totalCount - pool.idleCount, waiting: pool.waitingCount }),
    migrationsCurrent: () => migrationsCurrent(db),
    close() {
      closing ??= listener.stop().then(() => {
        releaseWrites(url);
        return pool.end();
      });
      return closing;
    },
  };
}

let latestMigration: number | undefined;

/** Whether every migration this build ships is applied (drizzle records them in __drizzle_migrations). */
export async function migrationsCurrent(db: Queryable): Promise<boolean> {
  latestMigration ??= Math.max(
    0,
    ...(
      JSON.parse(readFileSync(join(migrationsFolder(), "meta", "_journal.json"), "utf8")) as {
        entries: { when: number }[];
      }
    ).entries.map((entry) => entry.when),
  );
  const [table] = await selectRows<{ t: string | null }>(db, sql`select to_regclass('__drizzle_migrations') as t`);
  if (!table?.t) return false;
  const [applied] = await selectRows<{ at: number | null }>(
    db,
    sql`select max(created_at) as at from __drizzle_migrations`,
  );
  return Number(applied?.at ?? 0) >= latestMigration;
}

async function migrateUnderLock(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      // Drizzle's record of applied migrations lives beside the tables (the connection's schema).
      const schema = (await client.query("SELECT current_schema() AS name")).rows[0]?.name ?? "public";
      await migrate(drizzle(client), { migrationsFolder: migrationsFolder(), migrationsSchema: schema });
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/**
 * One write generation per database URL in this process, so every pool this process opens on a
 * database sees the others' writes at once (another process's are announced by NOTIFY).
 */
const writesByUrl = new Map<string, Writes>();

/** Rows whose announcements are remembered before all are forgotten at once (and every snapshot dropped). */
const MAX_ANNOUNCED_ROWS = 100_000;

/**
 * What this process knows of the writes to one database: its own (the generation, bumped after
 * each of its statements that is not a plain SELECT: every snapshot goes), and other processes'
 * as their commits announce them, row by row (migration 0003): `booking:<tenant>/<id>` or
 * `tenant:<id>` drops the snapshots of that row alone. An announcement without a row (a process
 * built before row announcements) or a lost listening connection drops them all.
 */
class Writes {
  generation = 0;
  pools = 0;
  private readonly announced = new Map<string, number>();

  announce(row: string) {
    if (!row) {
      this.generation++;
      return;
    }
    if (this.announced.size >= MAX_ANNOUNCED_ROWS) {
      this.announced.clear();
      this.generation++;
    }
    this.announced.set(row, (this.announced.get(row) ?? 0) + 1);
  }

  /** How many changes of `row` (`booking:<tenant>/<id>`, `tenant:<id>`) other processes announced. */
  version(row: string): number {
    return this.announced.get(row) ?? 0;
  }
}

function sharedWrites(url: string): Writes {
  const writes = writesByUrl.get(url) ?? new Writes();
  writes.pools++;
  writesByUrl.set(url, writes);
  return writes;
}

function releaseWrites(url: string) {
  const writes = writesByUrl.get(url);
  if (writes && --writes.pools === 0) writesByUrl.delete(url);
}

/**
 * The connection that LISTENs for other processes' writes. Each announcement drops the snapshots of
 * the row it names (Writes.announce); each loss of the connection (announcements may have been
 * missed) bumps the write generation; a lost connection is
 * opened again a second later, and until then snapshots still expire on their own (a second).
 */
class WriteListener {
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly writes: Writes,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    const lost = () => {
      this.writes.generation++;
      if (this.client !== client) return;
      this.client = null;
      client.end().catch(() => {});
      this.startSoon();
    };
    client.on("notification", (message) => this.writes.announce(message.payload ?? ""));
    client.on("error", lost);
    client.on("end", lost);
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${WRITES_CHANNEL}`);
  }

  private startSoon() {
    clearTimeout(this.retry);
    if (this.stopped) return;
    this.retry = setTimeout(() => this.start().catch(() => this.startSoon()), 1000).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}

/**
 * Bumps the write generation after every statement of this process that is not a plain SELECT,
 * whichever way it is sent: with a promise (a checked-out client, as in a transaction) or with a
 * callback (how `Pool.query`, drizzle's path outside transactions, calls its client).
 */
function countWrites(client: pg.PoolClient, writes: { generation: number }) {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
    const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    if (typeof text !== "string" || /^\s*select\b/i.test(text)) return query(...args);
    const callback = args[args.length - 1];
    if (typeof callback === "function") {
      args[args.length - 1] = (...results: unknown[]) => {
        writes.generation++;
        return callback(...results);
      };
      return query(...args);
    }
    const result = query(...args);
    return result instanceof Promise
      ? result.finally(() => {
          writes.generation++;
        })
      : result;
  };
}
