import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/**
 * The server suite runs on the embedded libsql, and once more on PostgreSQL when
 * LESSONKIT_TEST_POSTGRES_URL names a database to make test schemas in (test/engine.ts).
 */
const postgres = process.env.LESSONKIT_TEST_POSTGRES_URL;

export default defineConfig({
  test: {
    pool: "forks",
    // Test files share a worker's module cache: importing the server anew for each file cost about a
    // quarter of the suite. Every file sets up its own databases, servers and fakes and closes them.
    isolate: false,
    // Two at least: much of the suite waits on child processes, PostgreSQL and timers, and a second
    // worker fills those waits (vitest's default on a two-core machine is one).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The browser for test/docs.test.ts, found or installed once per run (or that test skips).
    globalSetup: ["@lessonkit/test-browser/global-setup", ...(postgres ? ["test/postgres-setup.ts"] : [])],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      {
        extends: true as const,
        test: {
          name: "libsql",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          // PostgreSQL's own: several processes on one server (run in the postgres project).
          exclude: ["test/postgres/**"],
        },
      },
      ...(postgres
        ? [
            {
              extends: true as const,
              test: {
                name: "postgres",
                // What touches the database; the rest runs once, above.
                include: ["test/**/*.test.ts", "src/domain/**/*.test.ts"],
                exclude: [
                  // SQLite's own: the data migration of 0003 (PostgreSQL starts after it), the adapter.
                  "test/migration.test.ts",
                  "test/libsql.test.ts",
                  // The same on either engine: the docs page, the spec, the repository's files.
                  "test/docs.test.ts",
                  "test/openapi.test.ts",
                  "test/repository-docs.test.ts",
                  "test/schema-pg.test.ts",
                  "test/readme-walkthrough.test.ts",
                ],
                env: { LESSONKIT_TEST_ENGINE: "postgres", LESSONKIT_TEST_POSTGRES_URL: postgres },
              },
            },
          ]
        : []),
    ],
  },
});
