import autocannon from "autocannon";
import { startChild } from "./child";
import { type BenchEngine, withBenchDatabase } from "./engine";
import type { HttpTarget } from "./http-target";
import { type BenchRow, type Findings, fmt } from "./report";

/** autocannon reports whole milliseconds. */
const ms = (value: number) => (value < 1 ? "< 1" : fmt(value));

export interface HttpOptions {
  engine: BenchEngine;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Alternating bare/API measurements; the medians are compared. */
  rounds: number;
}

/** The run with the median throughput (its latencies are reported with it). */
function median(runs: Load[]): Load {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)] as Load;
}

interface Load {
  requestsPerSecond: number;
  p99Ms: number;
  p50Ms: number;
  total: number;
  bad: number;
}

async function hammer(url: string, headers: Record<string, string>, connections: number, duration: number) {
  const result = await autocannon({ url, headers, connections, duration });
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    p50Ms: result.latency.p50,
    total: result.requests.total,
    bad: result.non2xx + result.errors + result.timeouts,
  } satisfies Load;
}

/**
 * GET /v1/sessions/{id} (participant token, a real paid booking) against a bare Hono route
 * returning the same JSON, both served by @hono/node-server in one child process and hammered by
 * autocannon from this one with the same connections and duration, after a warm-up of each.
 */
export function benchHttp(options: HttpOptions, findings: Findings): Promise<BenchRow[]> {
  return withBenchDatabase(options.engine, (database) => measureHttp(database.url, options, findings));
}

async function measureHttp(databaseUrl: string, options: HttpOptions, findings: Findings): Promise<BenchRow[]> {
  const target = await startChild<HttpTarget>("./http-target.ts", { BENCH_DATABASE_URL: databaseUrl });
  try {
    const { apiUrl, bareUrl, sessionPath, token } = target.ready;
    const auth = { authorization: `Bearer ${token}` };
    const hammerBoth = () => ({
      bare: () => hammer(`${bareUrl}/bare`, {}, options.connections, options.durationSeconds),
      api: () => hammer(`${apiUrl}${sessionPath}`, auth, options.connections, options.durationSeconds),
    });
    await hammer(`${bareUrl}/bare`, {}, options.connections, options.warmupSeconds);
    await hammer(`${apiUrl}${sessionPath}`, auth, options.connections, options.warmupSeconds);
    // Alternating rounds, then the median of each: one noisy window (another process waking up)
    // moves a single measurement a lot, and the ratio with it.
    const bareRuns: Load[] = [];
    const apiRuns: Load[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const { bare: hitBare, api: hitApi } = hammerBoth();
      if (round % 2 === 0) {
        bareRuns.push(await hitBare());
        apiRuns.push(await hitApi());
      } else {
        apiRuns.push(await hitApi());
        bareRuns.push(await hitBare());
      }
    }
    const bare = median(bareRuns);
    const api = median(apiRuns);
    const bad = (runs: Load[]) => runs.reduce((sum, run) => sum + run.bad, 0);
    await hammer(`${apiUrl}/readyz`, {}, options.connections, options.warmupSeconds);
    const health = await hammer(`${apiUrl}/readyz`, {}, options.connections, options.durationSeconds);
    const { count: serverErrors } = await target.ask<{ count: number }>({ type: "errors" });
    findings.check(bad(bareRuns) === 0, `GET /bare: ${bad(bareRuns)} non-2xx responses or errors`);
    findings.check(bad(apiRuns) === 0, `GET /v1/sessions/{id}: ${bad(apiRuns)} non-2xx responses or errors`);
    findings.check(serverErrors === 0, `GET /v1/sessions/{id}: the app logged ${serverErrors} errors`);
    findings.check(health.bad === 0, `GET /readyz: ${health.bad} non-2xx responses or errors`);
    findings.check(api.total > 0 && bare.total > 0, "the HTTP benchmark made no requests");
    const ratio = api.requestsPerSecond / bare.requestsPerSecond;
    const load = `${options.connections} conn × ${options.durationSeconds} s, median of ${options.rounds}`;
    return [
      {
        name: `GET /v1/sessions/{id} req/s (${load})`,
        value: fmt(api.requestsPerSecond),
        baseline: `${fmt(bare.requestsPerSecond)} (bare Hono)`,
        against: `${fmt(ratio, 2)} (≥ 0.50)`,
        pass: ratio >= 0.5,
      },
      {
        name: "GET /v1/sessions/{id} p99 / p50 latency",
        value: `${ms(api.p99Ms)} / ${ms(api.p50Ms)} ms`,
        baseline: `${ms(bare.p99Ms)} / ${ms(bare.p50Ms)} ms`,
        against: "—",
        pass: null,
      },
      {
        // The same app and middleware with one trivial query (select 1): what the stack costs without the data.
        name: "GET /readyz req/s (same app, two trivial queries)",
        value: fmt(health.requestsPerSecond),
        baseline: `${fmt(bare.requestsPerSecond)} (bare Hono)`,
        against: `${fmt(health.requestsPerSecond / bare.requestsPerSecond, 2)}`,
        pass: null,
      },
    ];
  } finally {
    await target.stop();
  }
}
