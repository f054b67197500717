/** One line of the result table. */
export interface BenchRow {
  name: string;
  value: string;
  baseline: string;
  /** The measured ratio or figure compared with the target, e.g. "0.62 (≥ 0.5)". */
  against: string;
  /** null: informational only. */
  pass: boolean | null;
}

/** The checks of a benchmark's results (every item done exactly once, ledger consistent, no errors). */
export class Findings {
  readonly problems: string[] = [];
  checks = 0;
  check(ok: boolean, problem: string) {
    this.checks++;
    if (!ok) this.problems.push(problem);
  }
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The rows one bench printed on one engine. */
export interface EngineRows {
  engine: string;
  rows: BenchRow[];
}

/**
 * One table for the whole run: a line per benchmark (in the order first measured), and per engine
 * its value, baseline, ratio or target and result. A line an engine did not measure reads "—".
 */
export function printTable(engines: readonly string[], results: EngineRows[]): string {
  const names: string[] = [];
  const byEngine = new Map<string, Map<string, BenchRow>>(engines.map((engine) => [engine, new Map()]));
  for (const { engine, rows } of results) {
    for (const row of rows) {
      if (!names.includes(row.name)) names.push(row.name);
      byEngine.get(engine)?.set(row.name, row);
    }
  }
  const header = [
    "benchmark",
    ...engines.flatMap((engine) => [`${engine}: value`, "baseline", "ratio / target", "result"]),
  ];
  const body = names.map((name) => [
    name,
    ...engines.flatMap((engine) => {
      const row = byEngine.get(engine)?.get(name);
      if (!row) return ["—", "", "", ""];
      return [row.value, row.baseline, row.against, row.pass === null ? "info" : row.pass ? "pass" : "FAIL"];
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => (line[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...body.map(line)].join("\n");
}

/** A positive integer from the environment, or the default. */
export function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
}
