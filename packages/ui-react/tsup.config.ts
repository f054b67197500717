import { copyFile } from "node:fs/promises";
import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  target: "es2020",
  dts: true,
  sourcemap: true,
  clean: true,
  // Hooks and event handlers: a client module for React Server Components frameworks.
  banner: { js: '"use client";' },
  external: ["react", "react-dom", "@lessonkit/sdk"],
  async onSuccess() {
    await copyFile("src/styles.css", "dist/styles.css");
  },
});
