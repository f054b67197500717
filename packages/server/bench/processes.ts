import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Pool } from "undici";
import { systemClock } from "../src/ports/clock";
import { ADMIN_KEY, AGORA, createTestServer, paidBooking, SECRET } from "../test/harness";
import { benchPool, withBenchDatabase } from "./engine";
import { type BenchRow, type Findings, fmt } from "./report";

export interface ProcessesOptions {
  /** Requests in flight at once (the same for one process and for three). */
  clients: number;
  durationSeconds: number;
  /** Alternating one-process / three-process measurements; the medians are compared. */
  rounds: number;
  log: (line: string) => void;
}

const PROCESSES = 3;
/** Lessons in progress whose status the participants poll. */
const LESSONS = 50;
const packageDir = resolve(import.meta.dirname, "..");

/** One `lessonkit start` (test/postgres/server-process.ts), its JSON log lines in a file. */
interface ServerProcess {
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

async function startProcess(databaseUrl: string, logFile: string): Promise<ServerProcess> {
  const out = openSync(logFile, "w");
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "test/postgres/server-process.ts"], {
    cwd: packageDir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      PORT: "0",
      LESSONKIT_DATABASE_URL: databaseUrl,
      LESSONKIT_ADMIN_KEY: ADMIN_KEY,
      LESSONKIT_SECRET: SECRET,
      LESSONKIT_LOG_FORMAT: "json",
      LESSONKIT_DATABASE_POOL: String(benchPool()),
      AGORA_APP_ID: AGORA.appId,
      AGORA_APP_CERTIFICATE: AGORA.appCertificate,
    },
    stdio: ["ignore", out, "inherit"],
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const until = Date.now() + 60_000;
  for (;;) {
    const started = logLines(logFile).find((line) => line.msg === "started");
    if (started) {
      return {
        url: started.url as string,
        logFile,
        async stop() {
          if (child.exitCode !== null) return;
          child.kill("SIGTERM");
          await exited;
        },
      };
    }
    if (child.exitCode !== null) throw new Error(`a server process exited with ${child.exitCode} before starting`);
    if (Date.now() > until) {
      child.kill("SIGKILL");
      throw new Error("a server process did not start within a minute");
    }
    await new Promise((done) => setTimeout(done, 50));
  }
}

function logLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

interface Lesson {
  id: string;
  student: string;
}

type Kind = "status" | "book" | "token";
/** Of every ten requests: eight status polls, one booking made, one participant token minted. */
const MIX: Kind[] = ["status", "status", "status", "status", "book", "status", "status", "status", "status", "token"];

interface Load {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  byKind: Record<Kind, { count: number; p99Ms: number }>;
  bad: number;
  firstBad?: string;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number);

/**
 * `clients` loops, each sending one request after another for `seconds`; request n goes to target
 * n mod targets (round-robin over the processes) and is kind n mod 10 of the mix.
 */
async function drive(
  pools: Pool[],
  clients: number,
  seconds: number,
  work: { key: string; lessons: Lesson[]; now: () => number },
): Promise<Load> {
  let next = 0;
  let bad = 0;
  let firstBad: string | undefined;
  const latencies: Record<Kind, number[]> = { status: [], book: [], token: [] };
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  const send = async (n: number) => {
    const pool = pools[n % pools.length] as Pool;
    const kind = MIX[n % MIX.length] as Kind;
    const lesson = work.lessons[Math.floor(n / MIX.length) % work.lessons.length] as Lesson;
    const request =
      kind === "status"
        ? { method: "GET" as const, path: `/v1/sessions/${lesson.id}`, token: lesson.student }
        : kind === "book"
          ? {
              method: "POST" as const,
              path: "/v1/bookings",
              token: work.key,
              body: {
                external_id: `proc_${process.pid}_${n}_${Math.random().toString(36).slice(2, 8)}`,
                student: { id: `student_${n % 500}`, name: "Sam Student" },
                tutor: { id: `tutor_${n % 50}`, name: "Tina Tutor" },
                subject: "Algebra",
                scheduled_start: new Date(work.now() + 2 * 3600_000).toISOString(),
                duration_minutes: 60,
                amount: 5000,
                currency: "usd",
                platform_fee: 1000,
              },
            }
          : {
              method: "POST" as const,
              path: `/v1/bookings/${lesson.id}/participant-tokens`,
              token: work.key,
              body: { role: "student" },
            };
    const at = performance.now();
    const response = await pool.request({
      method: request.method,
      path: request.path,
      headers: {
        authorization: `Bearer ${request.token}`,
        ...("body" in request ? { "content-type": "application/json" } : {}),
      },
      body: "body" in request ? JSON.stringify(request.body) : undefined,
    });
    if (response.statusCode < 200 || response.statusCode >= 300) {
      bad++;
      firstBad ??= `${request.method} ${request.path}: ${response.statusCode} ${await response.body.text()}`;
    } else {
      await response.body.dump();
    }
    latencies[kind].push(performance.now() - at);
  };
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) await send(next++);
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const all = Object.values(latencies)
    .flat()
    .sort((a, b) => a - b);
  const byKind = Object.fromEntries(
    Object.entries(latencies).map(([kind, list]) => {
      const sorted = [...list].sort((a, b) => a - b);
      return [kind, { count: sorted.length, p99Ms: percentile(sorted, 0.99) }];
    }),
  ) as Load["byKind"];
  return {
    perSecond: all.length / elapsed,
    p50Ms: percentile(all, 0.5),
    p99Ms: percentile(all, 0.99),
    byKind,
    bad,
    ...(firstBad ? { firstBad } : {}),
  };
}

function median(runs: Load[]): Load {
  return [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(runs.length / 2)] as Load;
}

/**
 * Three `lessonkit start` processes on one PostgreSQL database (each with its tick, webhook worker and
 * a pool of `--pool` connections, production's 10 by default), against one of them alone: the same client, the
 * same number of requests in flight, the same mix (status polls of lessons in progress, bookings
 * made, participant tokens minted), spread round-robin request by request over the processes.
 * Measured turn about, `rounds` times each after a warm-up; the medians are compared.
 */
export function benchProcesses(options: ProcessesOptions, findings: Findings): Promise<BenchRow[]> {
  return withBenchDatabase("postgres", (database) => measureProcesses(database.url, options, findings));
}

async function measureProcesses(url: string, options: ProcessesOptions, findings: Findings): Promise<BenchRow[]> {
  // Lessons booked and paid through the API on the real clock (the processes run on it), migrated here first.
  const seeder = await createTestServer({ url, clock: systemClock });
  const { key } = await seeder.createTenant({ name: "Bench Tutoring" });
  const lessons: Lesson[] = [];
  for (let n = 0; n < LESSONS; n++) {
    const lesson = await paidBooking(seeder, key, { student: { id: `student_${n}`, name: "Sam Student" } });
    lessons.push({ id: lesson.id, student: lesson.student });
  }
  await seeder.close();

  const logDir = mkdtempSync(join(tmpdir(), "lessonkit-bench-processes-"));
  const servers: ServerProcess[] = [];
  const pools: Pool[] = [];
  try {
    for (let n = 0; n < PROCESSES; n++) {
      servers.push(await startProcess(url, join(logDir, `process-${n}.log`)));
    }
    for (const server of servers) pools.push(new Pool(server.url, { connections: options.clients }));
    const work = { key, lessons, now: () => Date.now() };
    const one = () => drive(pools.slice(0, 1), options.clients, options.durationSeconds, work);
    const three = () => drive(pools, options.clients, options.durationSeconds, work);
    await drive(pools.slice(0, 1), options.clients, 1, work);
    await drive(pools, options.clients, 1, work);
    const ones: Load[] = [];
    const threes: Load[] = [];
    for (let round = 0; round < options.rounds; round++) {
      if (round % 2 === 0) {
        ones.push(await one());
        threes.push(await three());
      } else {
        threes.push(await three());
        ones.push(await one());
      }
    }
    const single = median(ones);
    const spread = median(threes);
    options.log(
      `processes: one ${ones.map((run) => fmt(run.perSecond)).join(", ")} req/s; three ${threes.map((run) => fmt(run.perSecond)).join(", ")} req/s`,
    );

    for (const [name, runs] of [
      ["one process", ones],
      ["three processes", threes],
    ] as const) {
      const bad = runs.reduce((sum, run) => sum + run.bad, 0);
      const first = runs.find((run) => run.firstBad)?.firstBad;
      findings.check(bad === 0, `${name}: ${bad} non-2xx answers (${first ?? "none"})`);
    }
    await Promise.all(pools.map((pool) => pool.close()));
    pools.length = 0;
    await Promise.all(servers.map((server) => server.stop()));
    const errors = servers.flatMap((server) =>
      logLines(server.logFile).filter((line) => line.level === "error" || line.level === "fatal"),
    );
    findings.check(errors.length === 0, `the processes logged ${errors.length} errors: ${JSON.stringify(errors[0])}`);
    const served = servers.map((server) => logLines(server.logFile).filter((line) => line.msg === "request").length);
    findings.check(
      served.every((count) => count > 0),
      `every process served requests (${served.join(", ")})`,
    );

    const ratio = spread.perSecond / single.perSecond;
    const mix = `${options.clients} in flight, 80 % status / 10 % book / 10 % token`;
    const kinds = (load: Load) =>
      `${fmt(load.byKind.status.p99Ms)} / ${fmt(load.byKind.book.p99Ms)} / ${fmt(load.byKind.token.p99Ms)} ms`;
    return [
      {
        name: `3 processes on one Postgres vs 1, req/s (${mix})`,
        value: `${fmt(spread.perSecond)}/s, p99 ${fmt(spread.p99Ms)} ms`,
        baseline: `${fmt(single.perSecond)}/s, p99 ${fmt(single.p99Ms)} ms (1 process)`,
        against: `${fmt(ratio, 2)} (≥ 1.00)`,
        pass: ratio >= 1,
      },
      {
        name: "  … p99 of status / book / token",
        value: kinds(spread),
        baseline: kinds(single),
        against: "—",
        pass: null,
      },
    ];
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(logDir, { recursive: true, force: true });
  }
}
