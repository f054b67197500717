import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The browser first (found, installed, or the e2e test skips), then the front end it loads.
    globalSetup: ["@lessonkit/test-browser/global-setup", "test/build-web.ts"],
    // One browser walk through a whole lesson; generous for a busy 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 90_000,
  },
});
