import autocannon from "autocannon";
import { startChild } from "./child";
import type { HttpTarget } from "./http-target";
import { type BenchRow, type Findings, fmt } from "./report";

/** autocannon reports whole milliseconds. */
const ms = (value: number) => (value < 1 ? "< 1" : fmt(value));

export interface HttpOptions {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
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
export async function benchHttp(options: HttpOptions, findings: Findings): Promise<BenchRow[]> {
  const target = await startChild<HttpTarget>("./http-target.ts");
  try {
    const { apiUrl, bareUrl, sessionPath, token } = target.ready;
    const auth = { authorization: `Bearer ${token}` };
    const run = async (url: string, headers: Record<string, string>) => {
      await hammer(url, headers, options.connections, options.warmupSeconds);
      return hammer(url, headers, options.connections, options.durationSeconds);
    };
    const bare = await run(`${bareUrl}/bare`, {});
    const api = await run(`${apiUrl}${sessionPath}`, auth);
    const health = await run(`${apiUrl}/healthz`, {});
    const { count: serverErrors } = await target.ask<{ count: number }>({ type: "errors" });
    findings.check(bare.bad === 0, `GET /bare: ${bare.bad} non-2xx responses or errors`);
    findings.check(api.bad === 0, `GET /v1/sessions/{id}: ${api.bad} non-2xx responses or errors`);
    findings.check(serverErrors === 0, `GET /v1/sessions/{id}: the app logged ${serverErrors} errors`);
    findings.check(health.bad === 0, `GET /healthz: ${health.bad} non-2xx responses or errors`);
    findings.check(api.total > 0 && bare.total > 0, "the HTTP benchmark made no requests");
    const ratio = api.requestsPerSecond / bare.requestsPerSecond;
    const load = `${options.connections} conn × ${options.durationSeconds} s`;
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
        name: "GET /healthz req/s (same app, select 1)",
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
