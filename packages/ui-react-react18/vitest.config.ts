import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The repo root's node_modules holds React 19 (ui-react's own tests run on it); this workspace's
// node_modules holds React 18. Every React import in the test, in @lessonkit/ui-react's built dist
// and in @testing-library/react goes to React 18: the aliases point at this workspace's copies, and
// the inlined packages are processed by Vite so the aliases apply to their imports too.
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const react = here("./node_modules/react");
const reactDom = here("./node_modules/react-dom");
// Testing Library's CommonJS main would be required by Node (and find React 19); its ESM build is
// processed by Vite, so its React imports go through the aliases below.
const testingLibrary = join(
  dirname(createRequire(import.meta.url).resolve("@testing-library/react")),
  "@testing-library/react.esm.js",
);

export default defineConfig({
  resolve: {
    alias: [
      { find: /^react$/, replacement: `${react}/index.js` },
      { find: /^react\/jsx-runtime$/, replacement: `${react}/jsx-runtime.js` },
      { find: /^react\/jsx-dev-runtime$/, replacement: `${react}/jsx-dev-runtime.js` },
      { find: /^react-dom$/, replacement: `${reactDom}/index.js` },
      { find: /^react-dom\/client$/, replacement: `${reactDom}/client.js` },
      { find: /^react-dom\/server$/, replacement: `${reactDom}/server.node.js` },
      { find: /^react-dom\/test-utils$/, replacement: `${reactDom}/test-utils.js` },
      { find: /^@testing-library\/react$/, replacement: testingLibrary },
    ],
  },
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    environment: "jsdom",
    server: { deps: { inline: ["@lessonkit/ui-react", /@testing-library\//] } },
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
