import { engineOf } from "../db/queries";
import type { OpenDatabase, Queryable } from "../ports/storage";
import { migrationsCurrent as libsqlMigrationsCurrent, openDatabase } from "./libsql/database";
import { openPostgres, migrationsCurrent as postgresMigrationsCurrent } from "./postgres/database";

export interface StorageOptions {
  migrate?: boolean;
  /** Connections in a PostgreSQL pool (LESSONKIT_DATABASE_POOL); libsql has none. */
  pool?: number;
  /** Sees every statement drizzle sends, with its parameters (the query-plan test reads them). */
  logQuery?: (sql: string, params: unknown[]) => void;
}

/** A `postgres://` or `postgresql://` URL: PostgreSQL; anything else (a file, `:memory:`, libsql): libsql. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** Opens (and migrates) the database LESSONKIT_DATABASE_URL names, on its engine. */
export function openStorage(url: string, options: StorageOptions = {}): Promise<OpenDatabase> {
  return isPostgresUrl(url) ? openPostgres(url, options) : openDatabase(url, options);
}

/** Whether the database has every migration this build ships, on whichever engine it is. */
export function migrationsCurrent(db: Queryable): Promise<boolean> {
  return engineOf(db) === "postgres" ? postgresMigrationsCurrent(db) : libsqlMigrationsCurrent(db as never);
}
