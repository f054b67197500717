import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Test against the SDK's source, so a stale or missing dist cannot hide a mismatch.
    alias: { "@lessonkit/sdk": fileURLToPath(new URL("../sdk/src/index.ts", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    // Component tests opt into jsdom with a `@vitest-environment jsdom` comment; the browser test runs in node.
    environment: "node",
    // Finds the browser for test/chromium.test.ts once per run (or installs it, or says how to get one).
    globalSetup: ["@lessonkit/test-browser/global-setup"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
