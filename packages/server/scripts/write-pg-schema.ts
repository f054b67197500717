/**
 * Writes src/db/schema-pg.ts, the PostgreSQL schema, from the SQLite one (src/db/schema): the same
 * tables, columns (each typed as its SQLite twin's row type), keys, indexes and references, with
 * PostgreSQL's column types. drizzle-kit makes the PostgreSQL migrations from it; the app's queries
 * are built from src/db/schema and rendered by drizzle in the dialect of the database they run on.
 *
 *   npm run db:pg-schema -w @lessonkit/server      (then npm run db:generate:pg for a migration)
 *
 * test/schema-pg.test.ts fails when the file is stale, and proves the row types match.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { getTableColumns, is, SQL, Table } from "drizzle-orm";
import { getTableConfig, type SQLiteColumn, type SQLiteTable } from "drizzle-orm/sqlite-core";
import * as sqlite from "../src/db/schema";

const OUT = fileURLToPath(new URL("../src/db/schema-pg.ts", import.meta.url));

type Column = SQLiteColumn & {
  autoIncrement?: boolean;
  enumValues?: string[];
  isUnique?: boolean;
  uniqueName?: string;
};

/** The schema module's tables, by the name it exports them under. */
function tables(): [string, SQLiteTable][] {
  return Object.entries(sqlite)
    .filter(([, value]) => is(value, Table))
    .map(([name, value]): [string, SQLiteTable] => [name, value as SQLiteTable])
    .sort(([a], [b]) => a.localeCompare(b));
}

function columnSource(exportName: string, key: string, column: Column, references: Map<string, string>): string {
  const name = JSON.stringify(column.name);
  let base: string;
  switch (column.columnType) {
    case "SQLiteInteger":
      base = `bigint(${name}, { mode: "number" })`;
      break;
    case "SQLiteBoolean":
      base = `boolean(${name})`;
      break;
    case "SQLiteText":
    case "SQLiteTextJson":
      // JSON stays text: the same bytes as in SQLite, parsed by the app (cast ::jsonb to query it).
      base = column.enumValues?.length
        ? `text(${name}, { enum: ${JSON.stringify(column.enumValues)} })`
        : `text(${name})`;
      break;
    default:
      throw new Error(`${exportName}.${key}: no PostgreSQL type for ${column.columnType}`);
  }
  // JSON is text in both; only its parsed type must be carried over (the rest is inferred, so the
  // type-level test compares what each dialect really gives).
  let source =
    column.columnType === "SQLiteTextJson"
      ? `${base}.$type<Row<typeof s.${exportName}>[${JSON.stringify(key)}]>()`
      : base;
  if (column.primary) {
    source += column.autoIncrement ? ".primaryKey().generatedByDefaultAsIdentity()" : ".primaryKey()";
  }
  if (column.notNull && !column.primary) source += ".notNull()";
  if (column.hasDefault && column.default !== undefined) {
    const value = column.default;
    source += is(value, SQL)
      ? `.default(sql\`${(value as unknown as { queryChunks: { value: string[] }[] }).queryChunks.map((chunk) => chunk.value.join("")).join("")}\`)`
      : `.default(${JSON.stringify(value)})`;
  }
  if (column.isUnique) source += `.unique(${JSON.stringify(column.uniqueName)})`;
  const reference = references.get(column.name);
  if (reference) source += `.references(() => ${reference})`;
  return source;
}

/** A partial index's predicate, which must be plain SQL text (no columns or parameters) to carry over. */
function rawText(exportName: string, where: SQL): string {
  const chunks = (where as unknown as { queryChunks: unknown[] }).queryChunks;
  if (!chunks.every((chunk) => chunk !== null && typeof chunk === "object" && "value" in chunk)) {
    throw new Error(`${exportName}: a partial index's predicate must be written with sql.raw`);
  }
  return (chunks as { value: string[] }[]).map((chunk) => chunk.value.join("")).join("");
}

function tableSource(exportName: string, table: SQLiteTable, exportOf: Map<SQLiteTable, string>): string {
  const config = getTableConfig(table);
  const columns = getTableColumns(table) as Record<string, Column>;
  const keyOf = (column: { name: string }) => {
    const key = Object.entries(columns).find(([, candidate]) => candidate.name === column.name)?.[0];
    if (!key) throw new Error(`${exportName}: no column ${column.name}`);
    return key;
  };
  const references = new Map<string, string>();
  for (const foreignKey of config.foreignKeys) {
    const reference = foreignKey.reference();
    const target = exportOf.get(reference.foreignTable as SQLiteTable);
    const [local] = reference.columns;
    const [foreign] = reference.foreignColumns;
    if (!target || !local || !foreign || reference.columns.length !== 1) {
      throw new Error(`${exportName}: only single-column references to exported tables are supported`);
    }
    const foreignColumns = getTableColumns(reference.foreignTable) as Record<string, Column>;
    const foreignKeyName = Object.entries(foreignColumns).find(([, column]) => column.name === foreign.name)?.[0];
    references.set(local.name, `${target}.${foreignKeyName}`);
  }
  const body = Object.entries(columns)
    .map(([key, column]) => `    ${key}: ${columnSource(exportName, key, column, references)},`)
    .join("\n");
  const extras = [
    ...config.primaryKeys.map(
      (pk) => `primaryKey({ columns: [${pk.columns.map((c) => `t.${keyOf(c)}`).join(", ")}] })`,
    ),
    ...config.indexes.map(
      (index) =>
        `${index.config.unique ? "uniqueIndex" : "index"}(${JSON.stringify(index.config.name)}).on(${index.config.columns
          .map((c) => `t.${keyOf(c as { name: string })}`)
          .join(
            ", ",
          )})${index.config.where ? `.where(sql.raw(${JSON.stringify(rawText(exportName, index.config.where))}))` : ""}`,
    ),
  ];
  const third = extras.length ? `,\n  (t) => [\n${extras.map((extra) => `    ${extra},`).join("\n")}\n  ]` : "";
  return `export const ${exportName} = pgTable(\n  ${JSON.stringify(config.name)},\n  {\n${body}\n  }${third},\n);\n`;
}

export function pgSchemaSource(): string {
  const all = tables();
  const exportOf = new Map(all.map(([name, table]) => [table, name]));
  const used = new Set(["pgTable"]);
  const bodies = all.map(([name, table]) => tableSource(name, table, exportOf));
  const text = bodies.join("\n");
  for (const helper of ["bigint", "boolean", "index", "primaryKey", "text", "uniqueIndex"]) {
    if (text.includes(`${helper}(`)) used.add(helper);
  }
  const imports = [...used].sort().join(", ");
  return `// Generated by scripts/write-pg-schema.ts from src/db/schema: do not edit by hand.
// The PostgreSQL schema: the same tables, columns and row types as the SQLite one, for drizzle-kit's
// PostgreSQL migrations (drizzle-pg/) and the type-level test that the two match.
${text.includes("sql`") || text.includes("sql.raw(") ? 'import { sql } from "drizzle-orm";\n' : ""}import { ${imports} } from "drizzle-orm/pg-core";
import type * as s from "./schema";

type Row<T extends { $inferSelect: object }> = T["$inferSelect"];

${text}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OUT, pgSchemaSource());
  console.log(`wrote ${OUT}`);
}
