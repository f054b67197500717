import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { outputPath, renderWireTypes } from "../scripts/generate.mjs";

describe("generated wire types", () => {
  it("match packages/server/openapi.json (run `npm run generate -w @lessonkit/sdk` when this fails)", async () => {
    const committed = await readFile(outputPath, "utf8");
    const fresh: string = await renderWireTypes();
    expect(fresh.length).toBeGreaterThan(10_000);
    expect(committed === fresh, "src/generated/openapi.ts is stale").toBe(true);
  });
});
