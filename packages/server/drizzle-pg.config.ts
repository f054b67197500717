import { defineConfig } from "drizzle-kit";

/** PostgreSQL migrations, from the schema scripts/write-pg-schema.ts writes (see drizzle.config.ts for SQLite). */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema-pg.ts",
  out: "./drizzle-pg",
});
