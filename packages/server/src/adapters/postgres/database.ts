import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import type { Database, OpenDatabase } from "../../ports/storage";

/** Held while migrating, so processes starting together on an empty database take turns. */
const MIGRATION_LOCK = 0x4c4b_4d31; // "LKM1"
/** Every write to the rows read snapshots are made of is announced on this channel (migration 0001). */
export const WRITES_CHANNEL = "lessonkit_writes";

export interface PostgresOptions {
  migrate?: boolean;
  /** Connections in the pool (LESSONKIT_DATABASE_POOL). */
  pool?: number;
}

/** bigint and numeric (sums, counts) as JavaScript numbers: LessonKit's are integers far below 2^53. */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

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
 * that touches bookings, escrows or tenants is announced (NOTIFY, by trigger) and this process
 * listens, dropping its snapshots on each announcement; writes of this process drop them at once.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<OpenDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: options.pool ?? 10, types });
  const writes = { generation: 0 };
  pool.on("connect", (client) => countWrites(client, writes));
  // A broken idle connection is dropped from the pool; the error must not crash the process.
  pool.on("error", () => {});
  let listener: pg.Client | null = null;
  try {
    if (options.migrate !== false) await migrateUnderLock(pool);
    listener = new pg.Client({ connectionString: url, types });
    listener.on("notification", () => writes.generation++);
    listener.on("error", () => writes.generation++);
    await listener.connect();
    await listener.query(`LISTEN ${WRITES_CHANNEL}`);
  } catch (error) {
    await listener?.end().catch(() => {});
    await pool.end();
    throw error;
  }
  const db = drizzle(pool) as unknown as Database;
  return {
    db,
    engine: "postgres",
    writeGeneration: () => writes.generation,
    async close() {
      await listener?.end().catch(() => {});
      await pool.end();
    },
  };
}

async function migrateUnderLock(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client), { migrationsFolder: migrationsFolder() });
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** Bumps the write generation after every statement of this process that is not a plain SELECT. */
function countWrites(client: pg.PoolClient, writes: { generation: number }) {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
    const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    const result = query(...args);
    if (typeof text === "string" && !/^\s*select\b/i.test(text) && result instanceof Promise) {
      return result.finally(() => {
        writes.generation++;
      });
    }
    return result;
  };
}
