import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { App } from "../context";

// The API reference at /docs: Swagger UI over /openapi.json, its files served from the
// swagger-ui-dist package by this server, so the page works with no internet (an air-gapped
// deployment, a laptop on a train) and loads nothing from third parties.

const ASSETS = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
} as const;
type Asset = keyof typeof ASSETS;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>LessonKit API reference</title>
    <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" />
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script>
      window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null, deepLinking: true });
    </script>
  </body>
</html>
`;

const isAsset = (name: string): name is Asset => Object.hasOwn(ASSETS, name);

export function registerDocs(app: App) {
  const dist = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  // Read once, on first use: most processes never serve the docs.
  const loaded = new Map<Asset, Promise<Buffer>>();
  const load = (name: Asset) => {
    let file = loaded.get(name);
    if (!file) {
      file = readFile(join(dist, name));
      loaded.set(name, file);
    }
    return file;
  };

  app.get("/docs", (c) => c.html(PAGE));
  app.get("/docs/assets/:name", async (c) => {
    const name = c.req.param("name");
    if (!isAsset(name)) return c.notFound();
    const body = await load(name);
    return c.body(new Uint8Array(body), 200, {
      "Content-Type": ASSETS[name],
      "Cache-Control": "public, max-age=86400",
    });
  });
}
