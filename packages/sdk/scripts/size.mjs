// Minified + gzipped size of each entry as an app bundler would ship it (ky included).
// `npm run size -w @lessonkit/sdk` prints a table; the figures go in the package README.
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

export const entries = {
  "@lessonkit/sdk/browser (SessionClient + ky)": "src/browser.ts",
  "@lessonkit/sdk (everything + ky)": "src/index.ts",
};

/** Bundles one entry for browsers (any Node built-in would fail the build) and measures it. */
export async function measure(entry) {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  return {
    minified: code.length,
    gzipped: gzipSync(code, { level: 9 }).length,
    inputs: Object.keys(result.metafile.inputs),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log("| entry | minified | min + gzip |\n| --- | ---: | ---: |");
  for (const [name, entry] of Object.entries(entries)) {
    const { minified, gzipped } = await measure(entry);
    console.log(`| \`${name}\` | ${kb(minified)} | ${kb(gzipped)} |`);
  }
}
