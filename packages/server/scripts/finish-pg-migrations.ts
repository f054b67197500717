/**
 * Post-processes the PostgreSQL migrations drizzle-kit writes (`npm run db:generate:pg`):
 *
 * - drops the `"public".` prefix from references, so the migrations apply in whatever schema the
 *   connection's search_path names (a test schema, or an operator's own);
 * - moves foreign keys to the end of each file: several tables are referenced by a unique index on
 *   `id` (their primary key is `seq`), and a foreign key needs that index to exist first.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const folder = join(import.meta.dirname, "..", "drizzle-pg");
const BREAK = "--> statement-breakpoint";

for (const name of readdirSync(folder).filter((file) => file.endsWith(".sql"))) {
  const path = join(folder, name);
  const statements = readFileSync(path, "utf8")
    .replaceAll('"public".', "")
    .split(BREAK)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
  const isForeignKey = (statement: string) => /^ALTER TABLE \S+ ADD CONSTRAINT \S+ FOREIGN KEY/.test(statement);
  const ordered = [...statements.filter((s) => !isForeignKey(s)), ...statements.filter(isForeignKey)];
  writeFileSync(path, `${ordered.join(`${BREAK}\n`)}\n`);
}
