import type { LibSQLDatabase } from "drizzle-orm/libsql";
import type * as schema from "../db/schema";
import type { PoolUse } from "./metrics";

/**
 * The storage port: a drizzle database with the LessonKit schema. Queries are built once, from the
 * table definitions in db/schema; drizzle renders them in the dialect of the database they run on
 * (the embedded libsql, or PostgreSQL). The type is the libsql one; a PostgreSQL database offers the
 * same query builders (what differs goes through the helpers in db/queries.ts).
 */
export type Database = LibSQLDatabase<typeof schema>;
/** A transaction handle; every state change and its ledger rows and events share one. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** Either: read helpers accept both so they can run inside or outside a transaction. */
export type Queryable = Database | Tx;

/** Which engine a database runs on. */
export type Engine = "libsql" | "postgres";

/** An open database, migrated, as the storage adapters return it. */
export interface OpenDatabase {
  db: Database;
  engine: Engine;
  /**
   * Bumped after every committed write this process makes, and (PostgreSQL) when another process
   * announces one: what read snapshots are checked against (see lib/snapshot-cache.ts).
   */
  writeGeneration(): number;
  /**
   * How many changes of one row other processes announced (PostgreSQL; `booking:<tenant>/<id>` or
   * `tenant:<id>`), so a snapshot of that row alone is dropped. libsql: always 0 (snapshots of
   * another process's writes expire on their own).
   */
  changeVersion(row: string): number;
  /** How busy the connections are (libsql's local lock is a pool of one). */
  poolUse(): PoolUse;
  /** Whether every migration this build ships is applied (a database ahead of it is current too). */
  migrationsCurrent(): Promise<boolean>;
  close(): Promise<void>;
}
