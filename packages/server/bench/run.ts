/**
 * LessonKit benchmarks: `npm run bench` (from the repository root or packages/server).
 *
 * Everything is real: the app from src/ over a migrated libsql file database in a temp directory,
 * served by @hono/node-server on 127.0.0.1, the real tick and the real webhook delivery code.
 * Prints one table; exits 1 when a target is missed or a correctness check fails.
 *
 *   http      GET /v1/sessions/{id} (participant token) vs a bare Hono route, autocannon
 *   writes    book, pay, token, start, join, end vs a bare one-row insert route (≥ 0.5 of it, p99 ≤ 50 ms),
 *             and the top of the hour: N lessons started and joined at once from 64 connections
 *   escrows   the tick releasing N due escrows (target ≥ 1,000/s), each exactly once
 *   stripe    the tick releasing N due Stripe escrows through a Stripe-compatible server with 250 ms
 *             latency and a 25/s limit (target ≥ 0.9 of the limit), each paid once
 *   webhooks  N queued events delivered to a local receiver (target ≥ 500/s), each exactly once
 *
 * Scale with flags or environment variables (flags win):
 *   --connections=10  BENCH_CONNECTIONS   autocannon connections
 *   --duration=5      BENCH_DURATION      seconds per HTTP measurement (after a 1 s warm-up)
 *   --escrows=10000   BENCH_ESCROWS       due escrows to seed and release
 *   --stripe=300      BENCH_STRIPE        due Stripe escrows to release (about count / 24 seconds)
 *   --webhooks=10000  BENCH_WEBHOOKS      events to queue and deliver (the backlog drained)
 *   --writers=16      BENCH_WRITERS       connections of the write table
 *   --lessons=10000   BENCH_LESSONS       lessons started at the top of the hour
 *   --scale=1000000   BENCH_SCALE         opt-in: grow a database (rows copied in SQL) to this many
 *                                         bookings and compare every read's p99 and the idle tick with 10,000
 *   --only=http,escrows,stripe,webhooks  BENCH_ONLY  run some of them
 *
 * From the repository root pass flags as `npm run bench -w @lessonkit/server -- --only=http` (npm
 * would take them for its own otherwise), or use the environment variables. See bench/README.md.
 */
import { cpus, loadavg } from "node:os";
import { benchEscrowReleases } from "./escrow";
import { benchHttp } from "./http";
import { type BenchRow, Findings, fmt, intFromEnv, printTable } from "./report";
import { benchScale } from "./scale";
import { benchStripeReleases } from "./stripe-releases";
import { benchWebhooks } from "./webhooks";
import { benchWrites } from "./writes";

const flags = new Map(
  process.argv
    .slice(2)
    .map((arg) => /^--([a-z]+)=(.*)$/.exec(arg))
    .filter((match) => match !== null)
    .map((match) => [match[1] as string, match[2] as string]),
);
const unknown = process.argv
  .slice(2)
  .filter((arg) => !/^--(connections|duration|rounds|escrows|stripe|webhooks|writers|lessons|scale|only)=/.test(arg));
if (unknown.length > 0) {
  console.error(`unknown argument(s): ${unknown.join(" ")} (see the header of bench/run.ts)`);
  process.exit(2);
}
const option = (flag: string, env: string, fallback: number) => {
  const raw = flags.get(flag);
  if (raw === undefined) return intFromEnv(env, fallback);
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${flag} must be a positive integer, got '${raw}'`);
  return value;
};

const settings = {
  connections: option("connections", "BENCH_CONNECTIONS", 10),
  durationSeconds: option("duration", "BENCH_DURATION", 4),
  rounds: option("rounds", "BENCH_ROUNDS", 3),
  escrows: option("escrows", "BENCH_ESCROWS", 10_000),
  stripe: option("stripe", "BENCH_STRIPE", 300),
  webhooks: option("webhooks", "BENCH_WEBHOOKS", 10_000),
  writers: option("writers", "BENCH_WRITERS", 16),
  lessons: option("lessons", "BENCH_LESSONS", 10_000),
  /** Opt-in: grow a database to this many bookings and compare every read with 10,000. */
  scale: flags.has("scale") || process.env.BENCH_SCALE ? option("scale", "BENCH_SCALE", 1_000_000) : 0,
};
const only = new Set(
  (flags.get("only") ?? process.env.BENCH_ONLY ?? "http,writes,escrows,stripe,webhooks")
    .split(",")
    .map((name) => name.trim()),
);
if (settings.scale > 0) only.add("scale");

const log = (line: string) => console.log(line);
const benches: { name: string; run: (findings: Findings) => Promise<BenchRow[]> }[] = [
  {
    name: "http",
    run: (findings) =>
      benchHttp(
        {
          connections: settings.connections,
          durationSeconds: settings.durationSeconds,
          warmupSeconds: 1,
          rounds: settings.rounds,
        },
        findings,
      ),
  },
  {
    name: "writes",
    run: (findings) =>
      benchWrites(
        {
          connections: settings.writers,
          durationSeconds: settings.durationSeconds,
          lessons: settings.lessons,
          log,
        },
        findings,
      ),
  },
  {
    name: "scale",
    run: (findings) =>
      benchScale(
        {
          bookings: settings.scale,
          connections: 4,
          durationSeconds: settings.durationSeconds,
          log,
        },
        findings,
      ),
  },
  { name: "escrows", run: (findings) => benchEscrowReleases({ count: settings.escrows, log }, findings) },
  { name: "stripe", run: (findings) => benchStripeReleases({ count: settings.stripe, log }, findings) },
  { name: "webhooks", run: (findings) => benchWebhooks({ events: settings.webhooks }, findings) },
];

const started = performance.now();
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
log(
  `LessonKit bench — ${new Date().toISOString()} — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`,
);
log(`load average at start: ${load()}`);
const rows: BenchRow[] = [];
const problems: string[] = [];
for (const bench of benches.filter((b) => only.has(b.name))) {
  log(`running ${bench.name}…`);
  const findings = new Findings();
  try {
    rows.push(...(await bench.run(findings)));
  } catch (error) {
    findings.check(false, `crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  rows.push({
    name: `${bench.name}: correctness checks`,
    value: `${findings.checks - findings.problems.length} / ${findings.checks} hold`,
    baseline: "—",
    against: "all",
    pass: findings.problems.length === 0,
  });
  problems.push(...findings.problems.map((problem) => `${bench.name}: ${problem}`));
}

log("");
log(printTable(rows));
log("");
log(`load average at end: ${load()}; total ${fmt((performance.now() - started) / 1000, 1)} s`);
for (const problem of problems) log(`FAILED CHECK ${problem}`);
const failed = rows.filter((row) => row.pass === false).length;
log(failed === 0 ? "all targets met, all checks hold" : `${failed} row(s) failed`);
process.exit(failed === 0 ? 0 : 1);
