import { fileURLToPath } from "node:url";
import { build } from "vite";

/** Builds the front end once (`dist/`) so the demo backend serves it as in production. */
export default async function buildWeb() {
  await build({ root: fileURLToPath(new URL("..", import.meta.url)), logLevel: "warn" });
}
