import { defineConfig } from "vitest/config";

/**
 * The contract test runs the server from source (../server/src, no build needed first) on the
 * embedded libsql, and once more on PostgreSQL when LESSONKIT_TEST_POSTGRES_URL names a database
 * to make test schemas in (see ../server/test/engine.ts).
 */
const postgres = process.env.LESSONKIT_TEST_POSTGRES_URL;

export default defineConfig({
  test: {
    testTimeout: 15_000,
    globalSetup: postgres ? ["../server/test/postgres-setup.ts"] : [],
    projects: [
      { extends: true as const, test: { name: "sdk", include: ["test/**/*.test.ts"] } },
      ...(postgres
        ? [
            {
              extends: true as const,
              test: {
                name: "sdk-postgres",
                include: ["test/contract.test.ts"],
                env: { LESSONKIT_TEST_ENGINE: "postgres", LESSONKIT_TEST_POSTGRES_URL: postgres },
              },
            },
          ]
        : []),
    ],
  },
});
