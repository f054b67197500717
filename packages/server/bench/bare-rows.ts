import { sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { engineOf, execute } from "../src/db/queries";
import type { Queryable } from "../src/ports/storage";

/**
 * The baselines' table: one row per bare insert. Declared once, as the app's tables are; drizzle
 * renders it in the dialect of the database it runs on.
 */
export const benchRows = sqliteTable("bench_rows", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull(),
});

export async function createBenchRows(db: Queryable): Promise<void> {
  await execute(
    db,
    engineOf(db) === "postgres"
      ? sql`create table if not exists bench_rows (id serial primary key, name text not null, created_at bigint not null)`
      : sql`create table if not exists bench_rows (id integer primary key autoincrement, name text not null, created_at integer not null)`,
  );
}
