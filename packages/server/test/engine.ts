import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { sql } from "drizzle-orm";
import { drizzle as drizzleLibsql } from "drizzle-orm/libsql";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import pg from "pg";
import { selectRows } from "../src/db/queries";
import type { Engine, Queryable } from "../src/ports/storage";

/**
 * The engine this test run uses: the embedded libsql by default; PostgreSQL when
 * LESSONKIT_TEST_ENGINE=postgres, in the database LESSONKIT_TEST_POSTGRES_URL names (each test
 * database is a schema of its own there, dropped when the test is done).
 */
export const TEST_ENGINE: Engine = process.env.LESSONKIT_TEST_ENGINE === "postgres" ? "postgres" : "libsql";

const POSTGRES_URL = process.env.LESSONKIT_TEST_POSTGRES_URL ?? "";
if (TEST_ENGINE === "postgres" && !POSTGRES_URL) {
  throw new Error("LESSONKIT_TEST_ENGINE=postgres needs LESSONKIT_TEST_POSTGRES_URL");
}

let admin: pg.Pool | undefined;
let schemas = 0;
/** Migrated schemas emptied by their last test, ready for the next (see serverDatabase). */
const emptied: string[] = [];

function postgresUrl(schema: string): string {
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

async function newSchema(): Promise<string> {
  admin ??= new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  const schema = `lk_test_${process.pid}_${++schemas}_${Math.random().toString(36).slice(2, 8)}`;
  await admin.query(`create schema "${schema}"`);
  return schema;
}

/**
 * A new, empty database for one test, that several clients (several "processes") can open: a file
 * for libsql, a schema of the test PostgreSQL database for PostgreSQL (dropped by `cleanup`).
 */
export async function newTestDatabase(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  if (TEST_ENGINE === "libsql") {
    const dir = mkdtempSync(join(tmpdir(), "lessonkit-test-"));
    return {
      url: `file:${join(dir, "db.sqlite")}`,
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = await newSchema();
  return {
    url: postgresUrl(schema),
    cleanup: async () => {
      await admin?.query(`drop schema if exists "${schema}" cascade`);
    },
  };
}

/**
 * The database of one in-process test server, which only that server opens: libsql in memory; on
 * PostgreSQL a schema that is emptied when the test is done and migrated already when reused, so a
 * test does not pay for creating and migrating one (a quarter of a second each).
 */
export async function serverDatabase(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  if (TEST_ENGINE === "libsql") return { url: ":memory:", cleanup: async () => {} };
  const schema = emptied.pop() ?? (await newSchema());
  let done = false;
  return {
    url: postgresUrl(schema),
    cleanup: async () => {
      if (done) return;
      done = true;
      const tables = await admin?.query<{ name: string }>(
        "select table_name as name from information_schema.tables where table_schema = $1 and table_name not like '__drizzle%'",
        [schema],
      );
      const names = (tables?.rows ?? []).map((row) => `"${schema}"."${row.name}"`);
      if (names.length > 0) await admin?.query(`truncate ${names.join(", ")} restart identity cascade`);
      emptied.push(schema);
    },
  };
}

/**
 * Drops the schemas that test processes no longer running left in the test PostgreSQL database (each
 * schema's name holds its process id; another run's live schemas are left alone). Vitest's global
 * setup calls it at both ends of a run.
 */
export async function dropTestSchemas(): Promise<void> {
  if (!POSTGRES_URL) return;
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
  try {
    const { rows } = await pool.query<{ name: string }>(
      "select schema_name as name from information_schema.schemata where schema_name like 'lk\\_test\\_%'",
    );
    for (const { name } of rows) {
      const pid = Number(name.split("_")[2]);
      if (!processAlive(pid)) await pool.query(`drop schema if exists "${name}" cascade`);
    }
  } finally {
    await pool.end();
  }
}

/** Whether a process of this machine still runs (its schemas are then left alone). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The tables of the database, without the migrations' own. */
export async function tableNames(db: Queryable): Promise<string[]> {
  const rows =
    TEST_ENGINE === "postgres"
      ? await selectRows<{ name: string }>(
          db,
          sql`select table_name as name from information_schema.tables where table_schema = current_schema() and table_name not like '__drizzle%'`,
        )
      : await selectRows<{ name: string }>(
          db,
          sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'`,
        );
  return rows.map((row) => row.name).sort();
}

/** Every row of every table, each table's rows in a fixed order: a database's whole state, to compare. */
export async function snapshotTables(db: Queryable): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for (const name of await tableNames(db)) {
    const all = await selectRows<Record<string, unknown>>(db, sql.raw(`select * from "${name}"`));
    rows[name] = all.map((row) => JSON.stringify(row)).sort();
  }
  return rows;
}

/**
 * A number that moves whenever anything was written to the database, so a test can skip re-reading
 * unchanged rows: SQLite's change counter (one connection), PostgreSQL's next transaction id (every
 * writing transaction takes one; other databases' writes move it too, which only costs a re-read).
 */
export async function writeCounter(db: Queryable): Promise<string> {
  const [row] =
    TEST_ENGINE === "postgres"
      ? await selectRows<{ n: string }>(db, sql`select pg_snapshot_xmax(pg_current_snapshot())::text as n`)
      : await selectRows<{ n: string }>(db, sql`select cast(total_changes() as text) as n`);
  if (!row) throw new Error("no write counter");
  return row.n;
}

/**
 * A client of the database that is not this process's adapter, standing in for another server
 * process: its writes reach this process only as another process's would.
 */
export async function foreignClient(url: string): Promise<{ db: Queryable; close: () => Promise<void> }> {
  if (TEST_ENGINE === "postgres") {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    return { db: drizzlePg(pool) as unknown as Queryable, close: () => pool.end() };
  }
  const client = createClient({ url });
  return {
    db: drizzleLibsql(client),
    close: async () => client.close(),
  };
}
