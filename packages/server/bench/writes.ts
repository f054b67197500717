import autocannon from "autocannon";
import type { ApiTarget } from "./api-target";
import { type Child, startChild } from "./child";
import { type BenchRow, type Findings, fmt } from "./report";

export interface WriteOptions {
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
}

type Next = () => { path: string; body?: unknown; token?: string };

/**
 * autocannon POSTing what `next` hands out, one request after another across the connections, for
 * `duration` seconds or `amount` requests.
 */
async function post(
  baseUrl: string,
  next: Next,
  options: { connections: number; duration?: number; amount?: number },
): Promise<Load> {
  let firstBad: string | undefined;
  const result = await autocannon({
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
          if ((status < 200 || status >= 300) && firstBad === undefined) firstBad = `${status} ${body}`;
        },
      },
    ],
  });
  const total = result.requests.total;
  return {
    perSecond: total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total,
    bad: result.non2xx + result.errors + result.timeouts,
    ...(firstBad ? { firstBad } : {}),
    seconds: result.duration,
  };
}

/** Hands out the items of `list` in order, each once. */
function cycle<T>(list: T[], make: (item: T) => ReturnType<Next>): Next {
  let n = 0;
  return () => make(list[n++ % list.length] as T);
}

/**
 * The writes a platform and its participants make, each against the baseline of a bare Hono route
 * inserting one row through drizzle into the same database file (same client, same pragmas), at the
 * same concurrency, in the same run: book, pay (sandbox), mint a participant token, start, join,
 * end. Then the top of the hour: `lessons` lessons whose tutors and students all press the button at
 * once, from 64 connections.
 */
export async function benchWrites(options: WriteOptions, findings: Findings): Promise<BenchRow[]> {
  const target: Child<ApiTarget> = await startChild<ApiTarget>("./api-target.ts");
  try {
    const { apiUrl, bareUrl, key } = target.ready;
    const { now } = await target.ask<{ now: number }>({ type: "now" });
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
    const { ids } = await target.ask<{ ids: string[] }>({ type: "bookingIds", status: "pending_payment" });
    const all = { connections, amount: ids.length };
    const pay = await post(
      apiUrl,
      cycle(ids, (id) => ({ path: `/v1/sandbox/bookings/${id}/pay`, token: key })),
      all,
    );
    const mint = await post(
      apiUrl,
      cycle(ids, (id) => ({ path: `/v1/bookings/${id}/participant-tokens`, token: key, body: { role: "student" } })),
      all,
    );
    const { tokens: students } = await target.ask<{ tokens: string[] }>({ type: "tokens", ids, role: "student" });
    const { tokens: tutors } = await target.ask<{ tokens: string[] }>({ type: "tokens", ids, role: "tutor" });
    const indexes = ids.map((_, n) => n);
    const session = (action: string, tokens: string[]) =>
      cycle(indexes, (n) => ({ path: `/v1/sessions/${ids[n]}/${action}`, token: tokens[n] }));
    const start = await post(apiUrl, session("start", students), all);
    const join = await post(apiUrl, session("join", tutors), all);
    const end = await post(apiUrl, session("end", tutors), all);
    const baselineAfter = await post(bareUrl, bare, timed);
    // The better of the two baselines: the target is measured against the faster bare insert.
    const baseline = baselineBefore.perSecond >= baselineAfter.perSecond ? baselineBefore : baselineAfter;
    options.log(
      `writes: bare insert ${fmt(baselineBefore.perSecond)}/s before, ${fmt(baselineAfter.perSecond)}/s after; ${fmt(ids.length)} lessons walked`,
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
    const hour = await post(apiUrl, press, { connections: 64, amount: lessons.length * 2 });
    const { ids: running } = await target.ask<{ ids: string[] }>({ type: "bookingIds", status: "in_progress" });

    const { count: serverErrors, first } = await target.ask<{ count: number; first: string[] }>({ type: "errors" });
    const loads = { baselineBefore, create, pay, mint, start, join, end, baselineAfter, hour };
    for (const [name, load] of Object.entries(loads)) {
      findings.check(
        load.bad === 0,
        `${name}: ${load.bad} non-2xx responses or errors (${load.firstBad ?? "no answer"})`,
      );
    }
    findings.check(ids.length > 0, "no booking was created");
    findings.check(serverErrors === 0, `the app logged ${serverErrors} errors: ${first.join("; ")}`);
    findings.check(
      running.length === lessons.length,
      `${running.length} sessions are running, expected ${lessons.length}`,
    );

    const row = (name: string, load: Load): BenchRow => {
      const ratio = load.perSecond / baseline.perSecond;
      return {
        name: `${name} (${connections} conn)`,
        value: `${fmt(load.perSecond)}/s, p99 ${fmt(load.p99Ms)} ms`,
        baseline: `${fmt(baseline.perSecond)}/s, p99 ${fmt(baseline.p99Ms)} ms (bare insert)`,
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
      {
        name: `top of the hour: ${fmt(lessons.length)} lessons started and joined at once (64 conn)`,
        value: `${fmt(hour.seconds, 1)} s, p99 ${fmt(hour.p99Ms)} ms`,
        baseline: `${fmt(hour.perSecond)} clicks/s, p50 ${fmt(hour.p50Ms)} ms`,
        against: "≤ 60 s, p99 ≤ 250 ms",
        pass: hour.seconds <= 60 && hour.p99Ms <= 250,
      },
    ];
  } finally {
    await target.stop();
  }
}
