import { defineConfig } from "tsup";

const shared = {
  entry: { index: "src/index.ts", browser: "src/browser.ts" },
  dts: true,
  target: "es2022",
  platform: "neutral" as const,
};

// Both configs build in parallel, so neither cleans: `npm run build` empties dist first.
export default defineConfig([
  // ESM keeps ky external: the app's bundler dedupes it.
  { ...shared, format: ["esm"], external: ["ky"] },
  // ky ships ESM only, so the CommonJS build carries its own copy for require() on any Node 20.
  { ...shared, format: ["cjs"], noExternal: ["ky"] },
]);
