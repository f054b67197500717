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

  it("document the error statuses the README lists (update both together)", async () => {
    const spec = JSON.parse(await readFile(new URL("../../server/openapi.json", import.meta.url), "utf8"));
    const statuses = new Set<number>();
    for (const [path, operations] of Object.entries<Record<string, { responses: object }>>(spec.paths)) {
      if (!path.startsWith("/v1/")) continue;
      for (const operation of Object.values(operations)) {
        for (const status of Object.keys(operation.responses)) if (status !== "200") statuses.add(Number(status));
      }
    }
    expect([...statuses].sort()).toEqual([400, 401, 403, 404, 409, 413, 415, 422, 502]);
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    for (const status of statuses) expect(readme, `README lists ${status}`).toContain(`| ${status} `);
  });
});
