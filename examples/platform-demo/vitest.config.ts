import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/build-web.ts"],
    // One browser walk through a whole lesson; generous for a busy 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 90_000,
  },
});
