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

export function printTable(rows: BenchRow[]): string {
  const header = ["benchmark", "value", "baseline", "ratio / target", "result"];
  const body = rows.map((r) => [
    r.name,
    r.value,
    r.baseline,
    r.against,
    r.pass === null ? "info" : r.pass ? "pass" : "FAIL",
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
