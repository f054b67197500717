import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { engineOf, execute } from "../src/db/queries";
import type { Queryable } from "../src/ports/storage";
import { processAlive } from "../test/engine";

/**
 * The engines a bench runs on, and a fresh database of each: a libsql file in a temp directory, or a
 * schema of its own in the PostgreSQL database BENCH_POSTGRES_URL (or LESSONKIT_TEST_POSTGRES_URL)
 * names, reached with `?options=-c search_path=<schema>` as the test databases are (test/engine.ts).
 */
export const ENGINES = ["libsql", "postgres"] as const;
export type BenchEngine = (typeof ENGINES)[number];

/**
 * Connections of each PostgreSQL pool the benches open (`--pool`, BENCH_POOL): production's default
 * (LESSONKIT_DATABASE_POOL, 10) unless asked. The parent sets BENCH_POOL; its children inherit it.
 */
export function benchPool(): number {
  const value = Number(process.env.BENCH_POOL || 10);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`BENCH_POOL must be a positive integer`);
  return value;
}

/** The PostgreSQL database the bench makes its schemas in, if one is configured. */
export function postgresBenchUrl(): string | undefined {
  return process.env.BENCH_POSTGRES_URL || process.env.LESSONKIT_TEST_POSTGRES_URL || undefined;
}

/**
 * `--engine=` or BENCH_ENGINE (a comma-separated list), by default libsql, and PostgreSQL too when a
 * database is configured for it.
 */
export function chooseEngines(requested: string | undefined): BenchEngine[] {
  if (requested === undefined || requested === "") return postgresBenchUrl() ? [...ENGINES] : ["libsql"];
  const names = requested.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !(ENGINES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown engine(s) ${unknown.join(", ")}: use ${ENGINES.join(", ")}`);
  if (names.includes("postgres") && !postgresBenchUrl()) {
    throw new Error("the postgres engine needs BENCH_POSTGRES_URL (or LESSONKIT_TEST_POSTGRES_URL)");
  }
  return ENGINES.filter((engine) => names.includes(engine));
}

export interface BenchDatabase {
  engine: BenchEngine;
  url: string;
  /** Removes the database (the file's directory, or the schema). */
  cleanup(): Promise<void>;
}

const PREFIX = "lk_bench_";
let made = 0;

/** Runs `work` on a short-lived connection to the bench's PostgreSQL database. */
async function onPostgres<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresBenchUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A schema's connection URL: the bench database with the schema first on the search path. */
export function schemaUrl(schema: string): string {
  const url = new URL(postgresBenchUrl() ?? "");
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

/** A new, empty database on `engine` that several clients and processes can open. */
export async function benchDatabase(engine: BenchEngine): Promise<BenchDatabase> {
  if (engine === "libsql") {
    const dir = mkdtempSync(join(tmpdir(), "lessonkit-bench-"));
    return {
      engine,
      url: `file:${join(dir, "bench.db")}`,
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `${PREFIX}${process.pid}_${++made}_${Math.random().toString(36).slice(2, 8)}`;
  await onPostgres((client) => client.query(`create schema "${schema}"`));
  return {
    engine,
    url: schemaUrl(schema),
    cleanup: () => onPostgres((client) => client.query(`drop schema if exists "${schema}" cascade`)).then(() => {}),
  };
}

/** Drops the bench schemas that runs no longer alive left behind (killed mid-run). */
export async function dropStaleBenchSchemas(): Promise<void> {
  if (!postgresBenchUrl()) return;
  await onPostgres(async (client) => {
    const { rows } = await client.query<{ name: string }>(
      "select schema_name as name from information_schema.schemata where schema_name like 'lk\\_bench\\_%'",
    );
    for (const { name } of rows) {
      const pid = Number(name.slice(PREFIX.length).split("_")[0]);
      if (!processAlive(pid)) await client.query(`drop schema if exists "${name}" cascade`);
    }
  });
}

/** Runs `work` on a new database of `engine`, removed afterwards whatever happens. */
export async function withBenchDatabase<T>(
  engine: BenchEngine,
  work: (database: BenchDatabase) => Promise<T>,
): Promise<T> {
  const database = await benchDatabase(engine);
  try {
    return await work(database);
  } finally {
    await database.cleanup();
  }
}

/**
 * PostgreSQL: fresh planner statistics for the rows a bench just bulk-loaded, as autovacuum keeps
 * them in a running database (its next pass may be a minute away, and the bench measures at once).
 * libsql has nothing to do.
 */
export async function refreshStatistics(db: Queryable): Promise<void> {
  if (engineOf(db) !== "postgres") return;
  await execute(
    db,
    sql`analyze bookings, escrows, ledger_entries, money_operations, tutor_balances, events, webhook_deliveries`,
  );
}
