import { readFileSync } from "node:fs";
import { is, Table } from "drizzle-orm";
import { describe, expect, expectTypeOf, it } from "vitest";
import { pgSchemaSource } from "../scripts/write-pg-schema";
import * as sqlite from "../src/db/schema";
import * as pg from "../src/db/schema-pg";

type Rows<S> = {
  [K in keyof S as S[K] extends { $inferSelect: object } ? K : never]: S[K] extends { $inferSelect: infer R }
    ? R
    : never;
};

describe("the PostgreSQL schema", () => {
  it("has the same tables as the SQLite one, with the same row types, column for column", () => {
    // Compile time: every table's row type is the same in both dialects (a drift fails `tsc`).
    expectTypeOf<Rows<typeof pg>>().toEqualTypeOf<Rows<typeof sqlite>>();
    const names = (schema: object) =>
      Object.entries(schema)
        .filter(([, value]) => is(value, Table))
        .map(([name]) => name)
        .sort();
    expect(names(pg)).toEqual(names(sqlite));
  });

  it("is the file scripts/write-pg-schema.ts makes from the SQLite schema (run `npm run db:pg-schema`)", () => {
    const committed = readFileSync(new URL("../src/db/schema-pg.ts", import.meta.url), "utf8");
    // Formatting aside (Biome formats the written file).
    const normalize = (source: string) => source.replace(/\s+/g, "").replace(/,(?=[\]})])/g, "");
    expect(normalize(committed)).toBe(normalize(pgSchemaSource()));
  });
});
