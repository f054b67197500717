import { writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "../src/openapi";

// Regenerates the committed contract; the SDK's wire types are generated from this file.
const target = resolve(dirname(fileURLToPath(import.meta.url)), "../openapi.json");
writeFileSync(target, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log(`wrote ${target}`);
