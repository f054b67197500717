import autocannon from "autocannon";
import type { ApiTarget } from "./api-target";
import { type Child, startChild } from "./child";
import { type BenchEngine, withBenchDatabase } from "./engine";
import { type BenchRow, type Findings, fmt } from "./report";

export interface WriteOptions {
  engine: BenchEngine;
  connections: number;
  durationSeconds: number;
  /** Lessons started and joined at once for the top-of-the-hour line. */
  lessons: number;
  log: (line: string) => void;
}

interface Load {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  bad: number;
  /** The first refusal's status and body, to say why. */
  firstBad?: string;
  seconds: number;
  /** Stopped at `limitSeconds` before `amount` requests were answered. */
  cutOff: boolean;
  /** Statements sent through drizzle per answered request (its query log). */
  statements: number;
}

/** The top of the hour must be over within this; the run is stopped there (and the rest estimated). */
const HOUR_LIMIT_SECONDS = 60;

type Next = () => { path: string; body?: unknown; token?: string };

/**
 * autocannon POSTing what `next` hands out, one request after another across the connections, for
 * `duration` seconds or `amount` requests (stopped after `limitSeconds` if that comes first).
 */
async function postRequests(
  baseUrl: string,
  next: Next,
  options: { connections: number; duration?: number; amount?: number; limitSeconds?: number },
): Promise<Load> {
  let firstBad: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastAnswer = 0;
  const settings: autocannon.Options = {
    url: baseUrl,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.duration ?? 1 }),
    requests: [
      {
        method: "POST",
        setupRequest: (request) => {
          const { path, body, token } = next();
          return {
            ...request,
            path,
            body: JSON.stringify(body ?? {}),
            headers: {
              "content-type": "application/json",
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
          };
        },
        onResponse: (status, body) => {
          lastAnswer = performance.now();
          if ((status < 200 || status >= 300) && firstBad === undefined) firstBad = `${status} ${body}`;
        },
      },
    ],
  };
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(settings, (error, done) => (error ? reject(error) : resolve(done)));
    if (options.limitSeconds !== undefined) timer = setTimeout(() => instance.stop(), options.limitSeconds * 1000);
  }).finally(() => clearTimeout(timer));
  const total = result.requests.total;
  // Until the last answer: autocannon notices that `amount` is reached only at its next whole second.
  const seconds =
    ((options.amount !== undefined ? Math.max(lastAnswer, started + 1) : performance.now()) - started) / 1000;
  return {
    perSecond: total / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total,
    bad: result.non2xx + result.errors + result.timeouts,
    ...(firstBad ? { firstBad } : {}),
    seconds,
    cutOff: options.amount !== undefined && total < options.amount,
    statements: 0,
  };
}

/** Hands out the items of `list` in order, each once. */
function cycle<T>(list: T[], make: (item: T) => ReturnType<Next>): Next {
  let n = 0;
  return () => make(list[n++ % list.length] as T);
}

/**
 * The writes a platform and its participants make, each against the baseline of a bare Hono route
 * inserting one row through the app's drizzle instance into the same database (same client and
 * pragmas on libsql, same pool on PostgreSQL), at the same concurrency, in the same run: book, pay
 * (sandbox), mint a participant token, start, join, end. Then the top of the hour: `lessons` lessons
 * whose tutors and students all press the button at once, from 64 connections.
 */
export function benchWrites(options: WriteOptions, findings: Findings): Promise<BenchRow[]> {
  return withBenchDatabase(options.engine, (database) => measureWrites(database.url, options, findings));
}

async function measureWrites(databaseUrl: string, options: WriteOptions, findings: Findings): Promise<BenchRow[]> {
  const target: Child<ApiTarget> = await startChild<ApiTarget>("./api-target.ts", {
    BENCH_DATABASE_URL: databaseUrl,
  });
  try {
    const { apiUrl, bareUrl, key } = target.ready;
    const { now } = await target.ask<{ now: number }>({ type: "now" });
    const sentSoFar = async () => (await target.ask<{ count: number }>({ type: "statements" })).count;
    /** `post`, with the statements the server sent per request meanwhile. */
    const post = async (...args: Parameters<typeof postRequests>): Promise<Load> => {
      const before = await sentSoFar();
      const load = await postRequests(...args);
      return { ...load, statements: ((await sentSoFar()) - before) / Math.max(1, load.total) };
    };
    const connections = options.connections;
    let booked = 0;
    const bookingBody = () => {
      booked++;
      return {
        path: "/v1/bookings",
        token: key,
        body: {
          external_id: `write_${booked}`,
          student: { id: `student_${booked}`, name: "Sam Student" },
          tutor: { id: `tutor_${booked % 50}`, name: "Tina Tutor" },
          subject: "Algebra",
          // Inside the join window of the bench's frozen clock: start, join and end follow at once.
          scheduled_start: new Date(now + 4 * 60_000).toISOString(),
          duration_minutes: 60,
          amount: 5000,
          currency: "usd",
          platform_fee: 1000,
        },
      };
    };
    const bare: Next = () => ({ path: "/bare", body: { name: "row" } });
    const timed = { connections, duration: options.durationSeconds };
    await post(bareUrl, bare, { connections, duration: 1 });
    await post(apiUrl, bookingBody, { connections, duration: 1 });

    const baselineBefore = await post(bareUrl, bare, timed);
    const create = await post(apiUrl, bookingBody, timed);
    // Then the lessons booked are walked on, each step over the lessons the step before reached within
    // its `--duration` (the walk would take minutes on a slow engine otherwise).
    const reached = async (status: string, tutorJoined = false) =>
      (await target.ask<{ ids: string[] }>({ type: "bookingIds", status, tutorJoined })).ids;
    const tokensOf = async (ids: string[], role: "student" | "tutor") =>
      (await target.ask<{ tokens: string[] }>({ type: "tokens", ids, role })).tokens;
    const walk = (ids: string[]) => ({ connections, amount: ids.length, limitSeconds: options.durationSeconds });
    const bookedIds = await reached("pending_payment");
    const pay = await post(
      apiUrl,
      cycle(bookedIds, (id) => ({ path: `/v1/sandbox/bookings/${id}/pay`, token: key })),
      walk(bookedIds),
    );
    const paid = await reached("confirmed");
    const mint = await post(
      apiUrl,
      cycle(paid, (id) => ({ path: `/v1/bookings/${id}/participant-tokens`, token: key, body: { role: "student" } })),
      walk(paid),
    );
    const session = (action: string, ids: string[], tokens: string[]) =>
      cycle(
        ids.map((id, n) => ({ id, token: tokens[n] })),
        ({ id, token }) => ({ path: `/v1/sessions/${id}/${action}`, token }),
      );
    const start = await post(apiUrl, session("start", paid, await tokensOf(paid, "student")), walk(paid));
    const started = await reached("in_progress");
    const join = await post(apiUrl, session("join", started, await tokensOf(started, "tutor")), walk(started));
    const joined = await reached("in_progress", true);
    const end = await post(apiUrl, session("end", joined, await tokensOf(joined, "tutor")), walk(joined));
    const baselineAfter = await post(bareUrl, bare, timed);
    // The better of the two baselines: the target is measured against the faster bare insert.
    const baseline = baselineBefore.perSecond >= baselineAfter.perSecond ? baselineBefore : baselineAfter;
    options.log(
      `writes: bare insert ${fmt(baselineBefore.perSecond)}/s before, ${fmt(baselineAfter.perSecond)}/s after; ${fmt(bookedIds.length)} lessons booked, ${fmt(paid.length)} paid, ${fmt(started.length)} started, ${fmt(joined.length)} joined, ${fmt(end.total)} ended`,
    );

    // The top of the hour: every lesson's student and tutor press the button at once.
    const { ids: lessons } = await target.ask<{ ids: string[] }>({
      type: "copyPaidLessons",
      count: options.lessons,
      startsInMs: 4 * 60_000,
    });
    const { tokens: hourStudents } = await target.ask<{ tokens: string[] }>({
      type: "tokens",
      ids: lessons,
      role: "student",
    });
    const { tokens: hourTutors } = await target.ask<{ tokens: string[] }>({
      type: "tokens",
      ids: lessons,
      role: "tutor",
    });
    let pressed = 0;
    const press: Next = () => {
      const n = pressed++;
      const lesson = Math.floor(n / 2) % lessons.length;
      const token = n % 2 === 0 ? hourStudents[lesson] : hourTutors[lesson];
      return { path: `/v1/sessions/${lessons[lesson]}/start`, token };
    };
    const hour = await post(apiUrl, press, {
      connections: 64,
      amount: lessons.length * 2,
      limitSeconds: HOUR_LIMIT_SECONDS,
    });
    // The top of the hour's lessons now running (the walk above left some of its own in progress).
    const hourLessons = new Set(lessons);
    const running = (await reached("in_progress")).filter((id) => hourLessons.has(id));

    // The ceiling: a booking's statements alone, one booking per transaction as the app commits them,
    // then `connections` bookings per transaction (what committing a group of requests at once would
    // give). After the top of the hour, which they would otherwise run on a database grown by them.
    const replay = (perTransaction: number, ms: number) =>
      target.ask<{ perSecond: number; statements: number; replayed: number; bookings: number }>({
        type: "replayBookings",
        perTransaction,
        connections,
        ms,
      });
    await replay(1, 1000);
    const alone = await replay(1, options.durationSeconds * 1000);
    const grouped = await replay(connections, options.durationSeconds * 1000);
    findings.check(
      grouped.bookings === grouped.replayed && alone.replayed > 0,
      `the replays made ${grouped.bookings} bookings, expected ${grouped.replayed}`,
    );

    const { count: serverErrors, first } = await target.ask<{ count: number; first: string[] }>({ type: "errors" });
    const loads = { baselineBefore, create, pay, mint, start, join, end, baselineAfter, hour };
    for (const [name, load] of Object.entries(loads)) {
      findings.check(
        load.bad === 0,
        `${name}: ${load.bad} non-2xx responses or errors (${load.firstBad ?? "no answer"})`,
      );
    }
    findings.check(bookedIds.length > 0, "no booking was created");
    findings.check(
      paid.length > 0 && started.length > 0 && joined.length > 0 && end.total > 0,
      "a step of the walk reached no lesson",
    );
    findings.check(serverErrors === 0, `the app logged ${serverErrors} errors: ${first.join("; ")}`);
    // Cut off at the limit: every lesson with an answered click is running (the others may be too).
    const expectedRunning = hour.cutOff ? Math.floor(hour.total / 2) : lessons.length;
    findings.check(
      running.length >= expectedRunning && running.length <= lessons.length,
      `${running.length} sessions are running, expected ${hour.cutOff ? "at least " : ""}${expectedRunning}`,
    );

    const statements = (load: Load) => `${fmt(load.statements, 1)} stmt`;
    const row = (name: string, load: Load): BenchRow => {
      const ratio = load.perSecond / baseline.perSecond;
      return {
        name: `${name} (${connections} conn)`,
        value: `${fmt(load.perSecond)}/s, p99 ${fmt(load.p99Ms)} ms, ${statements(load)}`,
        baseline: `${fmt(baseline.perSecond)}/s, p99 ${fmt(baseline.p99Ms)} ms, ${statements(baseline)} (bare insert)`,
        against: `${fmt(ratio, 2)} (≥ 0.50), p99 ≤ 50 ms`,
        pass: ratio >= 0.5 && load.p99Ms <= 50,
      };
    };
    return [
      row("POST /v1/bookings", create),
      row("POST /v1/sandbox/bookings/{id}/pay", pay),
      row("POST /v1/bookings/{id}/participant-tokens", mint),
      row("POST /v1/sessions/{id}/start", start),
      row("POST /v1/sessions/{id}/join", join),
      row("POST /v1/sessions/{id}/end", end),
      ...[
        { replayed: alone, how: "a transaction each" },
        { replayed: grouped, how: `${connections} a transaction` },
      ].map(
        ({ replayed, how }): BenchRow => ({
          name: `ceiling: a booking's statements alone, ${how} (${connections} in flight)`,
          value: `${fmt(replayed.perSecond)} bookings/s, ${replayed.statements} stmt`,
          baseline: `${fmt(baseline.perSecond)}/s (bare insert)`,
          against: fmt(replayed.perSecond / baseline.perSecond, 2),
          pass: null,
        }),
      ),
      {
        name: `top of the hour: ${fmt(lessons.length)} lessons started and joined at once (64 conn)`,
        value: hour.cutOff
          ? `stopped at ${HOUR_LIMIT_SECONDS} s: ${fmt(hour.total)} of ${fmt(lessons.length * 2)} clicks, p99 ${fmt(hour.p99Ms)} ms`
          : `${fmt(hour.seconds, 1)} s, p99 ${fmt(hour.p99Ms)} ms`,
        baseline: `${fmt(hour.perSecond)} clicks/s${hour.cutOff ? ` (all in ≈ ${fmt((lessons.length * 2) / hour.perSecond)} s)` : ""}, p50 ${fmt(hour.p50Ms)} ms`,
        against: `≤ ${HOUR_LIMIT_SECONDS} s, p99 ≤ 250 ms`,
        pass: !hour.cutOff && hour.seconds <= HOUR_LIMIT_SECONDS && hour.p99Ms <= 250,
      },
    ];
  } finally {
    await target.stop();
  }
}
