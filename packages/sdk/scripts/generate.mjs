// Generates src/generated/openapi.ts from the server's committed openapi.json.
// `npm run generate -w @lessonkit/sdk` writes it; test/generated.test.ts fails when it is stale.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

export const specPath = fileURLToPath(new URL("../../server/openapi.json", import.meta.url));
export const outputPath = fileURLToPath(new URL("../src/generated/openapi.ts", import.meta.url));

const HEADER = `/**
 * Wire types of the LessonKit API, generated from packages/server/openapi.json by
 * \`npm run generate -w @lessonkit/sdk\` (openapi-typescript). Do not edit by hand.
 */

`;

/** The generated module's text for the spec currently on disk. */
export async function renderWireTypes() {
  const spec = JSON.parse(await readFile(specPath, "utf8"));
  const ast = await openapiTS(spec, { alphabetize: false, exportType: false });
  return HEADER + astToString(ast);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(outputPath, await renderWireTypes());
  console.log(`wrote ${outputPath}`);
}
