import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The contract test imports the server from source (../server/src), so no build is needed first.
    testTimeout: 15_000,
  },
});
