/**
 * LessonKit benchmarks: `npm run bench` (from the repository root or packages/server).
 *
 * Everything is real: the app from src/ over a migrated database (a libsql file in a temp directory,
 * or a schema of its own in a PostgreSQL database), served by @hono/node-server on 127.0.0.1, the
 * real tick and the real webhook delivery code. Each bench runs on each engine in turn; one table,
 * with a column group per engine. Exits 1 when a target is missed or a correctness check fails.
 *
 *   http       GET /v1/sessions/{id} (participant token) vs a bare Hono route, autocannon
 *   writes     book, pay, token, start, join, end vs a bare one-row insert route on the same engine
 *              (≥ 0.5 of it, p99 ≤ 50 ms), and the top of the hour: N lessons started and joined at
 *              once from 64 connections
 *   escrows    the tick releasing N due escrows (target ≥ 1,000/s), each exactly once
 *   stripe     the tick releasing N due Stripe escrows through a Stripe-compatible server with 250 ms
 *              latency and a 25/s limit (target ≥ 0.9 of the limit), each paid once
 *   webhooks   N queued events delivered to a local receiver (target ≥ 500/s), each exactly once
 *   processes  PostgreSQL only: three server processes on one database against one, the same
 *              request mix spread round-robin (target: three ≥ 1.0 × one)
 *   drivers    PostgreSQL only: the same reads and writes through drizzle over `pg` and `postgres`
 *   scale      libsql only, opt-in: reads at 10,000 bookings and at N
 *
 * Scale with flags or environment variables (flags win):
 *   --engine=libsql,postgres  BENCH_ENGINE  engines (default: libsql, and postgres when BENCH_POSTGRES_URL
 *                                           or LESSONKIT_TEST_POSTGRES_URL names a database)
 *   --connections=10  BENCH_CONNECTIONS   autocannon connections
 *   --duration=4      BENCH_DURATION      seconds per HTTP measurement (after a 1 s warm-up)
 *   --rounds=3        BENCH_ROUNDS        alternating measurements of the http and processes benches
 *   --escrows=10000   BENCH_ESCROWS       due escrows to seed and release
 *   --stripe=300      BENCH_STRIPE        due Stripe escrows to release (about count / 24 seconds)
 *   --webhooks=10000  BENCH_WEBHOOKS      events to queue and deliver (the backlog drained)
 *   --writers=16      BENCH_WRITERS       connections of the write table
 *   --lessons=10000   BENCH_LESSONS       lessons started at the top of the hour
 *   --clients=30      BENCH_CLIENTS       concurrent requests of the processes bench
 *   --pool=10         BENCH_POOL          connections of every PostgreSQL pool (LESSONKIT_DATABASE_POOL's default)
 *   --scale=1000000   BENCH_SCALE         opt-in: grow a database (rows copied in SQL) to this many
 *                                         bookings and compare every read's p99 and the idle tick with 10,000
 *   --only=http,escrows,…  BENCH_ONLY     run some of them
 *
 * From the repository root pass flags as `npm run bench -w @lessonkit/server -- --only=http` (npm
 * would take them for its own otherwise), or use the environment variables. See bench/README.md.
 */
import { cpus, loadavg } from "node:os";
import { benchDrivers } from "./drivers";
import { type BenchEngine, chooseEngines, dropStaleBenchSchemas } from "./engine";
import { benchEscrowReleases } from "./escrow";
import { benchHttp } from "./http";
import { benchProcesses } from "./processes";
import { type BenchRow, type EngineRows, Findings, fmt, intFromEnv, printTable } from "./report";
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
  .filter(
    (arg) =>
      !/^--(engine|connections|duration|rounds|escrows|stripe|webhooks|writers|lessons|clients|pool|scale|only)=/.test(
        arg,
      ),
  );
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
  clients: option("clients", "BENCH_CLIENTS", 30),
  /** Opt-in: grow a database to this many bookings and compare every read with 10,000. */
  scale: flags.has("scale") || process.env.BENCH_SCALE ? option("scale", "BENCH_SCALE", 1_000_000) : 0,
};
const engines = chooseEngines(flags.get("engine") ?? process.env.BENCH_ENGINE);
// Read by every bench and inherited by the children (bench/engine.ts benchPool).
process.env.BENCH_POOL = String(option("pool", "BENCH_POOL", 10));
const only = new Set(
  (flags.get("only") ?? process.env.BENCH_ONLY ?? "http,writes,escrows,stripe,webhooks,processes,drivers")
    .split(",")
    .map((name) => name.trim()),
);
if (settings.scale > 0) only.add("scale");

const log = (line: string) => console.log(line);
interface Bench {
  name: string;
  /** The engines it runs on (a bench that needs one engine shows "—" in the other's columns). */
  on: readonly BenchEngine[];
  run: (engine: BenchEngine, findings: Findings) => Promise<BenchRow[]>;
}
const both = ["libsql", "postgres"] as const;
const benches: Bench[] = [
  {
    name: "http",
    on: both,
    run: (engine, findings) =>
      benchHttp(
        {
          engine,
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
    on: both,
    run: (engine, findings) =>
      benchWrites(
        {
          engine,
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
    on: ["libsql"],
    run: (_engine, findings) =>
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
  {
    name: "escrows",
    on: both,
    run: (engine, findings) => benchEscrowReleases({ engine, count: settings.escrows, log }, findings),
  },
  {
    name: "stripe",
    on: both,
    run: (engine, findings) => benchStripeReleases({ engine, count: settings.stripe, log }, findings),
  },
  {
    name: "webhooks",
    on: both,
    run: (engine, findings) => benchWebhooks({ engine, events: settings.webhooks }, findings),
  },
  {
    name: "processes",
    on: ["postgres"],
    run: (_engine, findings) =>
      benchProcesses(
        {
          clients: settings.clients,
          durationSeconds: settings.durationSeconds,
          rounds: settings.rounds,
          log,
        },
        findings,
      ),
  },
  { name: "drivers", on: ["postgres"], run: (_engine, findings) => benchDrivers({ log }, findings) },
];

const started = performance.now();
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
log(
  `LessonKit bench — ${new Date().toISOString()} — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`,
);
log(`load average at start: ${load()}; engines: ${engines.join(", ")}; PostgreSQL pools of ${process.env.BENCH_POOL}`);
if (engines.includes("postgres")) await dropStaleBenchSchemas();
const results: EngineRows[] = [];
const secondsOn = new Map<BenchEngine, number>();
const problems: string[] = [];
// Engine after engine within each bench: the two columns of a line are measured minutes apart at most.
for (const bench of benches.filter((b) => only.has(b.name))) {
  for (const engine of engines.filter((e) => bench.on.includes(e))) {
    log(`running ${bench.name} on ${engine}…`);
    const benchStarted = performance.now();
    const findings = new Findings();
    const rows: BenchRow[] = [];
    try {
      rows.push(...(await bench.run(engine, findings)));
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
    results.push({ engine, rows });
    secondsOn.set(engine, (secondsOn.get(engine) ?? 0) + (performance.now() - benchStarted) / 1000);
    problems.push(...findings.problems.map((problem) => `${bench.name} on ${engine}: ${problem}`));
  }
}

log("");
log(printTable(engines, results));
log("");
const perEngine = [...secondsOn].map(([engine, seconds]) => `${engine} ${fmt(seconds, 1)} s`).join(", ");
log(`load average at end: ${load()}; total ${fmt((performance.now() - started) / 1000, 1)} s (${perEngine})`);
for (const problem of problems) log(`FAILED CHECK ${problem}`);
const failed = results.flatMap((result) => result.rows).filter((row) => row.pass === false).length;
log(failed === 0 ? "all targets met, all checks hold" : `${failed} row(s) failed`);
process.exit(failed === 0 ? 0 : 1);
