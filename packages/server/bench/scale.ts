import autocannon from "autocannon";
import type { ApiTarget } from "./api-target";
import { type Child, startChild } from "./child";
import { benchDatabase } from "./engine";
import { type BenchRow, type Findings, fmt } from "./report";
import type { ScaleReport } from "./seed";

export interface ScaleOptions {
  /** Bookings to grow to (the comparison point is BASE). */
  bookings: number;
  connections: number;
  durationSeconds: number;
  log: (line: string) => void;
}

/** Where costs are first measured: the 10,000 bookings the table starts from. */
const BASE = 10_000;
/** autocannon reports whole milliseconds, and a shared two-core machine jitters p99s of a few ms by 100 %: p99s under this count as this. */
const FLOOR_MS = 10;
const MAX_RATIO = 1.5;
const ROUNDS = 5;
/** Each round's share of `--duration` (at least a second). */
const roundSeconds = (options: ScaleOptions) => Math.max(1, Math.floor(options.durationSeconds / ROUNDS));

/** The run with the median p99; non-2xx answers of any run are kept. */
function median(runs: Load[]): Load {
  const sorted = [...runs].sort((a, b) => a.p99Ms - b.p99Ms);
  const middle = sorted[Math.floor(sorted.length / 2)] as Load;
  return { ...middle, bad: runs.reduce((sum, run) => sum + run.bad, 0) };
}

interface Load {
  p99Ms: number;
  perSecond: number;
  bad: number;
}

async function get(url: string, token: string, connections: number, duration: number): Promise<Load> {
  const result = await autocannon({ url, connections, duration, headers: { authorization: `Bearer ${token}` } });
  return {
    p99Ms: result.latency.p99,
    perSecond: result.requests.average,
    bad: result.non2xx + result.errors + result.timeouts,
  };
}

type Probe = { name: string; path: string; token: "key" | "participant" };

function probes(sample: ScaleReport["sample"]): Probe[] {
  const tenant = (name: string, path: string): Probe => ({ name, path, token: "key" });
  return [
    { name: "GET /v1/sessions/{id}", path: `/v1/sessions/${sample.bookingId}`, token: "participant" },
    tenant("GET /v1/bookings", "/v1/bookings?limit=20"),
    tenant("GET /v1/bookings?status", "/v1/bookings?status=confirmed&limit=20"),
    tenant("GET /v1/bookings?tutor_id", `/v1/bookings?tutor_id=${sample.tutorId}&limit=20`),
    tenant("GET /v1/bookings?student_id", "/v1/bookings?student_id=student_0&limit=20"),
    tenant("GET /v1/bookings/{id}", `/v1/bookings/${sample.bookingId}`),
    tenant("GET /v1/escrows", "/v1/escrows?limit=20"),
    tenant("GET /v1/escrows?status", "/v1/escrows?status=released&limit=20"),
    tenant("GET /v1/escrows?tutor_id", `/v1/escrows?tutor_id=${sample.tutorId}&limit=20`),
    tenant("GET /v1/escrows/{id}", `/v1/escrows/${sample.releasedEscrowId}`),
    tenant("GET /v1/tutors/{id}/balance", `/v1/tutors/${sample.tutorId}/balance`),
    tenant("GET /v1/events", "/v1/events?limit=20"),
    tenant("GET /v1/events?type", "/v1/events?type=escrow.released&limit=20"),
    tenant("GET /v1/events?booking_id", `/v1/events?booking_id=${sample.bookingId}&limit=20`),
    tenant("GET /v1/operations", "/v1/operations?limit=20"),
    tenant("GET /v1/operations?status", "/v1/operations?status=succeeded&limit=20"),
    tenant("GET /v1/operations?kind", "/v1/operations?kind=transfer&limit=20"),
    tenant("GET /v1/operations?escrow_id", `/v1/operations?escrow_id=${sample.releasedEscrowId}&limit=20`),
  ];
}

interface Measurement {
  loads: Map<string, Load>;
  tickMs: number;
  /** The status poll's p99 alone, and while balances and lists hammer the server. */
  pollAlone: Load;
  pollUnderLoad: Load;
  heavy: Load;
}

/** One database, ready to be measured: its server, a participant token and its probes. */
interface Side {
  target: Child<ApiTarget>;
  report: ScaleReport;
  participant: string;
  ticks: number[];
  rounds: Map<string, Load[]>;
  alone: Load[];
  underLoad: Load[];
  heavy: Load[];
}

async function side(target: Child<ApiTarget>, report: ScaleReport): Promise<Side> {
  const {
    tokens: [participant = ""],
  } = await target.ask<{ tokens: string[] }>({ type: "tokens", ids: [report.sample.bookingId], role: "student" });
  return { target, report, participant, ticks: [], rounds: new Map(), alone: [], underLoad: [], heavy: [] };
}

/** One measurement of every probe, a tick, and the status poll alone and under load, on one side. */
async function measureRound(s: Side, options: ScaleOptions, seconds: number) {
  const { apiUrl, key } = s.target.ready;
  const tokenOf = (probe: Probe) => (probe.token === "key" ? key : s.participant);
  for (const probe of probes(s.report.sample)) {
    const runs = s.rounds.get(probe.name) ?? [];
    runs.push(await get(`${apiUrl}${probe.path}`, tokenOf(probe), options.connections, seconds));
    s.rounds.set(probe.name, runs);
  }
  s.ticks.push((await s.target.ask<{ ms: number }>({ type: "tick" })).ms);
  // One slow request must not hold up the others: the status poll, alone and beside balance and list requests.
  const poll = `${apiUrl}/v1/sessions/${s.report.sample.bookingId}`;
  const heavyPaths = [
    `/v1/tutors/${s.report.sample.tutorId}/balance`,
    // Sizes every list fills at 10,000 bookings as well, so both sizes answer the same number of rows.
    `/v1/bookings?tutor_id=${s.report.sample.tutorId}&limit=50`,
    "/v1/escrows?status=released&limit=100",
    "/v1/events?limit=100",
  ];
  s.alone.push(await get(poll, s.participant, 4, seconds));
  const heavyRun = autocannon({
    url: apiUrl,
    connections: options.connections,
    duration: seconds,
    headers: { authorization: `Bearer ${key}` },
    requests: heavyPaths.map((path) => ({ method: "GET", path })),
  });
  const [polled, heavyResult] = await Promise.all([get(poll, s.participant, 4, seconds), heavyRun]);
  s.underLoad.push(polled);
  s.heavy.push({
    p99Ms: heavyResult.latency.p99,
    perSecond: heavyResult.requests.average,
    bad: heavyResult.non2xx + heavyResult.errors + heavyResult.timeouts,
  });
}

const summarize = (s: Side): Measurement => ({
  loads: new Map([...s.rounds].map(([name, runs]) => [name, median(runs)])),
  tickMs: [...s.ticks].sort((a, b) => a - b)[Math.floor(s.ticks.length / 2)] ?? 0,
  pollAlone: median(s.alone),
  pollUnderLoad: median(s.underLoad),
  heavy: median(s.heavy),
});

const floor = (ms: number) => Math.max(ms, FLOOR_MS);

/**
 * Every read a platform and its participants make, and the idle tick, at 10,000 bookings and at
 * `bookings` (grown by copying rows in SQL, see seed.ts): two databases, each behind its own server
 * process, measured turn about, round by round, so a busy moment on the machine falls on both alike.
 * The p99 at the larger size over the p99 at 10,000 must stay ≤ 1.5, the idle tick ≤ 50 ms.
 * libsql only: the rows are copied with SQLite statements (seed.ts).
 */
export async function benchScale(options: ScaleOptions, findings: Findings): Promise<BenchRow[]> {
  const smallDatabase = await benchDatabase("libsql");
  const largeDatabase = await benchDatabase("libsql");
  const smallTarget = await startChild<ApiTarget>("./api-target.ts", { BENCH_DATABASE_URL: smallDatabase.url });
  const largeTarget = await startChild<ApiTarget>("./api-target.ts", { BENCH_DATABASE_URL: largeDatabase.url });
  try {
    const small = await smallTarget.ask<ScaleReport>({ type: "growTo", bookings: BASE });
    options.log(`scale: ${fmt(small.bookings)} bookings (${fmt(small.seconds, 1)} s to copy)`);
    const large = await largeTarget.ask<ScaleReport>({ type: "growTo", bookings: options.bookings });
    options.log(
      `scale: ${fmt(large.bookings)} bookings, ${fmt(large.databaseBytes / 1e9, 2)} GB (${fmt(large.seconds, 1)} s to copy)`,
    );
    const sides = [await side(smallTarget, small), await side(largeTarget, large)] as const;
    // A warm-up round on each (the JIT, the page cache), thrown away; then the measured rounds, turn about.
    for (const s of sides) {
      await measureRound(s, options, 1);
      s.rounds.clear();
      s.ticks.length = s.alone.length = s.underLoad.length = s.heavy.length = 0;
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of round % 2 === 0 ? sides : [...sides].reverse())
        await measureRound(s, options, roundSeconds(options));
    }
    const [atSmall, atLarge] = sides.map(summarize) as [Measurement, Measurement];
    for (const target of [smallTarget, largeTarget]) {
      const { count: serverErrors, first } = await target.ask<{ count: number; first: string[] }>({ type: "errors" });
      findings.check(serverErrors === 0, `the app logged ${serverErrors} errors: ${first.join("; ")}`);
    }
    findings.check(
      large.bookings >= options.bookings * 0.99,
      `grew to ${large.bookings} bookings, not ${options.bookings}`,
    );

    const sizes = `${fmt(large.bookings)} vs ${fmt(small.bookings)}`;
    const rows: BenchRow[] = [];
    for (const [name, big] of atLarge.loads) {
      const base = atSmall.loads.get(name) as Load;
      findings.check(big.bad === 0 && base.bad === 0, `${name}: ${big.bad + base.bad} non-2xx responses or errors`);
      const ratio = floor(big.p99Ms) / floor(base.p99Ms);
      rows.push({
        name: `${name} p99 (${options.connections} conn)`,
        value: `${fmt(big.p99Ms)} ms, ${fmt(big.perSecond)}/s`,
        baseline: `${fmt(base.p99Ms)} ms, ${fmt(base.perSecond)}/s`,
        against: `${fmt(ratio, 2)} (≤ ${MAX_RATIO})`,
        pass: ratio <= MAX_RATIO,
      });
    }
    rows.push({
      name: `idle tick (${sizes} bookings)`,
      value: `${fmt(atLarge.tickMs, 1)} ms`,
      baseline: `${fmt(atSmall.tickMs, 1)} ms`,
      against: "≤ 50 ms",
      pass: atLarge.tickMs <= 50,
    });
    const stall = floor(atLarge.pollUnderLoad.p99Ms) / floor(atSmall.pollUnderLoad.p99Ms);
    findings.check(
      atLarge.heavy.bad + atSmall.heavy.bad + atLarge.pollUnderLoad.bad === 0,
      "the stall measurement had non-2xx responses or errors",
    );
    rows.push({
      name: `GET /v1/sessions/{id} p99 while balances and lists hammer (4 + ${options.connections} conn)`,
      value: `${fmt(atLarge.pollUnderLoad.p99Ms)} ms (alone ${fmt(atLarge.pollAlone.p99Ms)} ms)`,
      baseline: `${fmt(atSmall.pollUnderLoad.p99Ms)} ms (alone ${fmt(atSmall.pollAlone.p99Ms)} ms)`,
      against: `${fmt(stall, 2)} (≤ ${MAX_RATIO})`,
      pass: stall <= MAX_RATIO,
    });
    rows.push({
      name: "  … the balance and list requests meanwhile",
      value: `${fmt(atLarge.heavy.perSecond)}/s, p99 ${fmt(atLarge.heavy.p99Ms)} ms`,
      baseline: `${fmt(atSmall.heavy.perSecond)}/s, p99 ${fmt(atSmall.heavy.p99Ms)} ms`,
      against: "—",
      pass: null,
    });
    return rows;
  } finally {
    await Promise.all([smallTarget.stop(), largeTarget.stop()]);
    await Promise.all([smallDatabase.cleanup(), largeDatabase.cleanup()]);
  }
}
