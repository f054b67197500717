import { createApp } from "./app";
import type { Deps } from "./domain/context";
import { OPENAPI_INFO } from "./routes/system/routes";

/**
 * The OpenAPI document the route schemas describe. Building it registers the routes but serves no
 * request, so no dependencies are needed (handlers read them per request, never at start-up).
 */
export function openApiDocument() {
  const app = createApp(undefined as unknown as Deps, { adminKey: "" });
  return app.getOpenAPI31Document(OPENAPI_INFO);
}
