// Minified + gzipped size of @lessonkit/ui-react as an app bundler would ship it: everything the
// package's entry pulls in, React (and the SDK, which it imports only types from) left external.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const result = await build({
  entryPoints: [`${root}src/index.ts`],
  bundle: true,
  write: false,
  minify: true,
  format: "esm",
  target: "es2020",
  jsx: "automatic",
  external: ["react", "react/jsx-runtime", "react-dom", "@lessonkit/sdk"],
  metafile: true,
  logLevel: "silent",
});
const js = result.outputFiles[0].contents;
const imports = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].imports.map((i) => i.path);
const css = await readFile(`${root}src/styles.css`);
const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
const gz = (buf) => gzipSync(buf, { level: 9 }).length;

console.log(
  `ui-react JS   min ${kb(js.length)}   min+gzip ${kb(gz(js))}   (external: ${[...new Set(imports)].join(", ")})`,
);
console.log(`styles.css    raw ${kb(css.length)}   gzip ${kb(gz(css))}`);
