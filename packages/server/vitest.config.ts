import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    pool: "forks",
    // The browser for test/docs.test.ts, found or installed once per run (or that test skips).
    globalSetup: ["@lessonkit/test-browser/global-setup"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
