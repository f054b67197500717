import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Client, createClient, type InStatement, type Transaction, type TransactionMode } from "@libsql/client";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/libsql";
import { readMigrationFiles } from "drizzle-orm/migrator";
import * as schema from "../../db/schema";
import { Mutex } from "../../lib/mutex";
import type { Database, OpenDatabase } from "../../ports/storage";
import { type Checkpointer, startCheckpointer } from "./checkpointer";
import { createLocalClient, localPath } from "./local-client";

/** An open libsql database, with its client (for the adapter's own tests). */
export interface OpenLibsql extends OpenDatabase {
  client: Client;
}

/** The committed drizzle-kit migrations, found from this module whether it runs from src/ or a bundle in dist/. */
function migrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, "drizzle");
    if (existsSync(join(candidate, "meta", "_journal.json"))) return candidate;
    dir = dirname(dir);
  }
  throw new Error("Cannot find the drizzle/ migrations folder of @lessonkit/server");
}

/**
 * Opens a libsql database (file, `:memory:` or remote) and applies the committed migrations. A local
 * one is opened with local-client.ts, which keeps every statement prepared.
 *
 * Local libsql calls are synchronous under their promises, so a second write transaction started
 * in the same process while one is open would spin on SQLite's busy lock and block the very event
 * loop the first one needs to finish. Every operation therefore goes through one async mutex per
 * database, shared by every client this process opens on the same file (two clients of one file
 * would deadlock each other the same way); other processes on the same file are handled by
 * SQLite's own locking and busy timeout.
 */
export interface OpenDatabaseOptions {
  migrate?: boolean;
  /** Sees every statement drizzle sends, with its parameters (the query-plan test reads them). */
  logQuery?: (sql: string, params: unknown[]) => void;
}

export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<OpenLibsql> {
  const local = url === ":memory:" || url.startsWith("file:");
  if (url.startsWith("file:") && !url.startsWith("file::memory:")) {
    mkdirSync(dirname(resolve(url.slice("file:".length))), { recursive: true });
  }
  const raw = local ? createLocalClient(url, { timeoutMs: 10_000 }) : createClient({ url });
  const lock = local ? acquireFileLock(url) : null;
  const writes = lock?.writes ?? { generation: 0 };
  const counted = countWrites(raw, writes);
  const client = lock ? serialize(counted, lock.mutex) : counted;
  try {
    await whileBusy(async () => {
      if (url.startsWith("file:")) {
        await client.execute("PRAGMA journal_mode = WAL");
        await client.execute("PRAGMA synchronous = NORMAL");
      }
      await client.execute("PRAGMA foreign_keys = ON");
      if (options.migrate !== false) await migrateUnderLock(client);
    });
    const db = drizzle(client, { schema, ...(options.logQuery ? { logger: { logQuery: options.logQuery } } : {}) });
    const mutex = lock?.mutex;
    let checkpointer: Checkpointer | null = null;
    if (url.startsWith("file:") && localPath(url) !== ":memory:") {
      // Checkpoints (and their fsync) off the event loop: see checkpointer.ts. The writers' own
      // automatic checkpoint stays as a backstop for a WAL that never pauses long enough for one
      // (40 MB rather than 4), so it seldom runs.
      await client.execute("PRAGMA wal_autocheckpoint = 10000");
      checkpointer = startCheckpointer(localPath(url), {
        intervalMs: 250,
        onStop: () => void client.execute("PRAGMA wal_autocheckpoint = 1000").catch(() => {}),
      });
    }
    return {
      db,
      client,
      engine: "libsql",
      writeGeneration: () => writes.generation,
      changeVersion: () => 0,
      poolUse: () => ({ size: 1, busy: mutex?.held ? 1 : 0, waiting: mutex?.waiting ?? 0 }),
      migrationsCurrent: () => migrationsCurrent(db),
      close: async () => {
        checkpointer?.stop();
        client.close();
        lock?.release();
      },
    };
  } catch (error) {
    client.close();
    lock?.release();
    throw error;
  }
}

/** How long opening a database keeps trying while other processes hold it (as the busy timeout). */
const OPEN_BUSY_MS = 10_000;

/**
 * Runs the opening of a database again while SQLite answers SQLITE_BUSY. The busy timeout covers
 * most waits, but not every lock of opening: a process starting while another turns a new file into
 * a WAL database, or runs its migrations, was seen (about once in several hundred starts on a loaded
 * machine) to get SQLITE_BUSY at once rather than after a wait. Each step is safe to run again: the
 * pragmas set what is already set, and the migrations run in one transaction that rolled back.
 */
async function whileBusy(open: () => Promise<void>): Promise<void> {
  const deadline = performance.now() + OPEN_BUSY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (!isBusy(error) || performance.now() >= deadline) throw error;
      await new Promise((done) => setTimeout(done, Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random())));
    }
  }
}

function isBusy(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if ("code" in cause && typeof cause.code === "string" && cause.code.startsWith("SQLITE_BUSY")) return true;
  }
  return false;
}

/**
 * Applies the committed migrations not yet applied, the way drizzle's migrator records them
 * (`__drizzle_migrations`), but inside one write transaction (BEGIN IMMEDIATE) that also reads which
 * are applied: processes starting together on a new database take turns (the others wait on the
 * write lock), and each finds the work done by the one before it, instead of two of them creating
 * the same tables.
 */
async function migrateUnderLock(client: Client): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder: migrationsFolder() });
  // Foreign keys cannot be switched inside a transaction: off around it, as drizzle's migrator does.
  await client.execute("PRAGMA foreign_keys = OFF");
  const tx = await client.transaction("write");
  try {
    await tx.execute(
      'CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)',
    );
    const applied = await tx.execute('SELECT created_at FROM "__drizzle_migrations" ORDER BY created_at DESC LIMIT 1');
    const last = applied.rows[0] ? Number(applied.rows[0].created_at) : null;
    for (const migration of migrations) {
      if (last !== null && migration.folderMillis <= last) continue;
      for (const statement of migration.sql) if (statement.trim()) await tx.execute(statement);
      await tx.execute({
        sql: 'INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)',
        args: [migration.hash, migration.folderMillis],
      });
    }
    await tx.commit();
  } catch (error) {
    await tx.rollback();
    throw error;
  } finally {
    tx.close();
    await client.execute("PRAGMA foreign_keys = ON");
  }
}

/**
 * Whether every migration this build ships has been applied. The database may be ahead (a newer
 * build migrated it during a rolling deploy): that is current too. Throws if the database does not answer.
 */
export async function migrationsCurrent(db: Database): Promise<boolean> {
  latestMigration ??= latestShippedMigration();
  const latest = latestMigration;
  let applied: number;
  try {
    const [row] = await db.all<{ at: number | null }>(sql`select max(created_at) as at from __drizzle_migrations`);
    applied = Number(row?.at ?? 0);
  } catch (error) {
    // No migrations table: nothing was ever applied. Anything else: the database is not answering.
    if (/no such table/i.test(String(error instanceof Error && error.cause ? error.cause : error))) return false;
    throw error;
  }
  return applied >= latest;
}

/** When the last migration this build ships was made (what drizzle records as `created_at`); read once. */
let latestMigration: number | undefined;
function latestShippedMigration(): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder(), "meta", "_journal.json"), "utf8")) as {
    entries: { when: number }[];
  };
  return Math.max(0, ...journal.entries.map((entry) => entry.when));
}

interface WriteCounter {
  generation: number;
}

/** The in-process locks of local database files, one per file, counted by the clients using it. */
const fileLocks = new Map<string, { mutex: Mutex; writes: WriteCounter; clients: number }>();

/** The lock of a local database: shared per file, private to the client for `:memory:`. */
function acquireFileLock(url: string): { mutex: Mutex; writes: WriteCounter; release(): void } {
  const path = url.slice("file:".length).split("?")[0] ?? "";
  if (!url.startsWith("file:") || path.startsWith(":memory:")) {
    return { mutex: new Mutex(), writes: { generation: 0 }, release: () => {} };
  }
  const file = resolve(path);
  const entry = fileLocks.get(file) ?? { mutex: new Mutex(), writes: { generation: 0 }, clients: 0 };
  entry.clients++;
  fileLocks.set(file, entry);
  let released = false;
  return {
    mutex: entry.mutex,
    writes: entry.writes,
    release() {
      if (released) return;
      released = true;
      entry.clients--;
      if (entry.clients === 0 && fileLocks.get(file) === entry) fileLocks.delete(file);
    },
  };
}

/**
 * Counts committed writes: every statement that is not a plain SELECT, every batch, and every
 * transaction when it settles (committed or not: a rollback only makes snapshots reload).
 */
function countWrites(client: Client, writes: WriteCounter): Client {
  // Bumped in `finally`: a statement list that fails part-way may still have applied its first ones.
  const counted =
    <R>(run: () => Promise<R>) =>
    async (): Promise<R> => {
      try {
        return await run();
      } finally {
        writes.generation++;
      }
    };
  const read = (statement: unknown) => {
    const sql = typeof statement === "string" ? statement : (statement as { sql?: unknown } | null)?.sql;
    return typeof sql === "string" && /^\s*select\b/i.test(sql);
  };
  const overrides: Partial<Client> = {
    execute: ((...args: unknown[]) => {
      const run = () => (client.execute as (...a: unknown[]) => Promise<unknown>)(...args);
      return read(args[0]) ? run() : counted(run)();
    }) as Client["execute"],
    batch: (stmts: InStatement[], mode?: TransactionMode) => counted(() => client.batch(stmts, mode))(),
    migrate: (stmts: InStatement[]) => counted(() => client.migrate(stmts))(),
    executeMultiple: (sql: string) => counted(() => client.executeMultiple(sql))(),
    transaction: async (mode?: TransactionMode) => {
      const tx = await client.transaction(mode);
      const settle =
        <A extends unknown[], R>(fn: (...args: A) => Promise<R> | R) =>
        async (...args: A) => {
          try {
            return await fn(...args);
          } finally {
            writes.generation++;
          }
        };
      return proxy(tx, {
        commit: settle(() => tx.commit()),
        rollback: settle(() => tx.rollback()),
      } as Partial<Transaction>);
    },
  };
  return proxy(client, overrides);
}

/** `target` with some methods replaced and the rest bound to it. */
function proxy<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, prop) {
      if (prop in overrides) return overrides[prop as keyof T];
      const value = Reflect.get(object, prop, object);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}

function serialize(client: Client, mutex: Mutex): Client {
  const locked =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A) =>
      mutex.run(() => fn(...args));
  const overrides: Partial<Client> = {
    execute: locked((...args: unknown[]) =>
      (client.execute as (...a: unknown[]) => Promise<never>)(...args),
    ) as Client["execute"],
    batch: locked((stmts: InStatement[], mode?: TransactionMode) => client.batch(stmts, mode)),
    migrate: locked((stmts: InStatement[]) => client.migrate(stmts)),
    executeMultiple: locked((sql: string) => client.executeMultiple(sql)),
    transaction: async (mode?: TransactionMode) => {
      const release = await mutex.acquire();
      try {
        return holdUntilSettled(await client.transaction(mode), release);
      } catch (error) {
        release();
        throw error;
      }
    },
  };
  return proxy(client, overrides);
}

/** Keeps the mutex held by a transaction until it commits, rolls back or closes. */
function holdUntilSettled(tx: Transaction, release: () => void): Transaction {
  const settle =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      let result: R;
      try {
        result = fn(...args);
      } catch (error) {
        release();
        throw error;
      }
      if (result instanceof Promise) return result.finally(release) as R;
      release();
      return result;
    };
  const overrides: Partial<Transaction> = {
    commit: settle(() => tx.commit()),
    rollback: settle(() => tx.rollback()),
    close: settle(() => tx.close()),
  };
  return proxy(tx, overrides);
}
