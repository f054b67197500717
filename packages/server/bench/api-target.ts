/**
 * Child process of the write and scale benchmarks: the real app over the migrated database
 * BENCH_DATABASE_URL names (a libsql file or a PostgreSQL schema; a sandbox tenant, a hand-moved
 * clock), and beside it the baseline: a bare Hono route inserting one row through the app's drizzle
 * instance into the same database, through the same client (libsql: same pragmas; PostgreSQL: same
 * pool). Both served by @hono/node-server on 127.0.0.1; the parent asks for set-up work over IPC.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { and, eq, inArray, isNotNull, like, type SQL, sql } from "drizzle-orm";
import { Hono } from "hono";
import { engineOf, execute } from "../src/db/queries";
import { bookings } from "../src/db/schema";
import { signParticipantToken } from "../src/domain/participants/token";
import { tick } from "../src/jobs/tick";
import { createTestServer } from "../test/harness";
import { benchRows, createBenchRows } from "./bare-rows";
import { databaseUrlFromParent, serveParent } from "./child";
import { benchPool, refreshStatistics } from "./engine";
import { copyPaidLessons, growTo, type ScaleReport } from "./seed";

export interface ApiTarget {
  apiUrl: string;
  bareUrl: string;
  key: string;
  tenantId: string;
}

const databaseUrl = databaseUrlFromParent();
/** Statements the app and the baseline sent through drizzle (its query log), to count them per request. */
let statements = 0;
/** While set, every statement sent (text and parameters) is kept here. */
let captured: [string, unknown[]][] | null = null;
const server = await createTestServer({
  url: databaseUrl,
  pool: benchPool(),
  logQuery: (text, params) => {
    statements++;
    captured?.push([text, params]);
  },
});
const { key, tenant } = await server.createTenant({ name: "Bench Tutoring" });
await createBenchRows(server.db);

const bare = new Hono();
bare.post("/bare", async (c) => {
  const body = await c.req.json<{ name?: string }>();
  const [row] = await server.db
    .insert(benchRows)
    .values({ name: body.name ?? "row", createdAt: Date.now() })
    .returning({ id: benchRows.id });
  return c.json(row, 200);
});

const listen = (fetch: (request: Request) => Response | Promise<Response>) =>
  new Promise<{ url: string; close(): Promise<void> }>((resolve) => {
    const http = serve({ fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => http.close(() => done())),
      }),
    );
  });
const api = await listen(server.app.fetch);
const bareServer = await listen(bare.fetch);

/** Participant tokens for bookings of the bench tenant, signed as the API would. */
async function tokens(ids: string[], role: "student" | "tutor"): Promise<string[]> {
  const rows = await server.db
    .select({ id: bookings.id, studentId: bookings.studentId, tutorId: bookings.tutorId })
    .from(bookings)
    .where(and(eq(bookings.tenantId, tenant.id), inArray(bookings.id, ids)));
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => {
    const row = byId.get(id);
    if (!row) throw new Error(`no booking ${id}`);
    return signParticipantToken(server.deps, {
      tenantId: tenant.id,
      bookingId: id,
      role,
      userId: role === "student" ? row.studentId : row.tutorId,
      expiresAt: server.clock.now() + 24 * 3600_000,
    });
  });
}

/**
 * The statements one `POST /v1/bookings` sends, as drizzle logged them, made runnable again: the
 * ids the request generated and its external id are the parts each replay makes fresh (they are
 * unique), everything else (tenant, amounts, times) stays as sent.
 */
async function bookingStatements(): Promise<(n: number) => SQL[]> {
  captured = [];
  const response = await server.app.request("/v1/bookings", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({
      external_id: "replayed_booking",
      student: { id: "student_replayed", name: "Sam Student" },
      tutor: { id: "tutor_replayed", name: "Tina Tutor" },
      subject: "Algebra",
      scheduled_start: new Date(server.clock.now() + 4 * 60_000).toISOString(),
      duration_minutes: 60,
      amount: 5000,
      currency: "usd",
      platform_fee: 1000,
    }),
  });
  const sent = captured;
  captured = null;
  if (!response.ok) throw new Error(`booking for the replay: ${response.status} ${await response.text()}`);
  // The transaction's own begin and commit (logged on PostgreSQL) come from the replay's transaction.
  const statements = sent.filter(([text]) => !/^(begin|commit)\b/i.test(text.trim()));
  // What must differ per booking, as it does between the API bench's bookings: every random part the
  // request generated (booking, escrow and event ids, the payment's id and client secret), found in
  // what the inserts wrote and replaced wherever it appears (PostgreSQL's JSON parameters included),
  // the external id, the student (one per booking) and the tutor (one of 50). The tenant stays.
  const random = /[A-Za-z0-9]{16,}/g;
  const generated = new Set<string>();
  for (const [text, params] of statements) {
    if (!/^\s*(insert|with)\b/i.test(text)) continue;
    for (const param of params) {
      if (typeof param !== "string") continue;
      for (const [run] of param.matchAll(random)) if (!tenant.id.includes(run)) generated.add(run);
    }
  }
  const fresh = (value: unknown, n: number) =>
    typeof value === "string"
      ? value
          .replace(random, (run) => (generated.has(run) ? `${run}${n}` : run))
          .replace(/\b(replayed_booking|student_replayed)\b/g, `$1_${n}`)
          .replace(/\btutor_replayed\b/g, `tutor_replayed_${n % 50}`)
      : value;
  const placeholder = engineOf(server.db) === "postgres" ? /\$\d+/g : /\?/g;
  return (n) =>
    statements.map(([text, params]) => {
      const pieces = text.split(placeholder);
      const order = [...text.matchAll(placeholder)].map(([p], i) => (p === "?" ? i : Number(p.slice(1)) - 1));
      return sql.join(
        pieces.flatMap((piece, i) =>
          i < order.length ? [sql.raw(piece), sql`${fresh(params[order[i] ?? 0], n)}`] : [sql.raw(piece)],
        ),
      );
    });
}

/**
 * A booking's statements alone, with no HTTP and none of the app's code around them: `perTransaction`
 * bookings' statements in each transaction, `connections` transactions in flight, for `ms`. How many
 * bookings a second the database itself takes: the ceiling of `POST /v1/bookings` on this engine.
 */
/** Bookings replayed so far, in every call: the suffix that keeps each replay's ids fresh. */
let replayed = 0;
let replayable: ((n: number) => SQL[]) | undefined;

async function replayBookings(message: Record<string, unknown>) {
  replayable ??= await bookingStatements();
  const make = replayable;
  const perTransaction = Number(message.perTransaction);
  const until = performance.now() + Number(message.ms);
  let count = 0;
  const started = performance.now();
  const worker = async () => {
    while (performance.now() < until) {
      const first = replayed;
      replayed += perTransaction;
      count += perTransaction;
      await server.db.transaction(async (tx) => {
        for (let n = first; n < first + perTransaction; n++)
          for (const statement of make(n)) await execute(tx, statement);
      });
    }
  };
  await Promise.all(Array.from({ length: Number(message.connections) }, worker));
  const perSecond = count / ((performance.now() - started) / 1000);
  // Every replay made a booking of its own: the check that the ceiling measured real writes.
  const [row] = await server.db
    .select({ bookings: sql<number>`count(*)` })
    .from(bookings)
    .where(and(eq(bookings.tenantId, tenant.id), like(bookings.externalId, "replayed_booking_%")));
  return { perSecond, statements: make(0).length, replayed, bookings: Number(row?.bookings ?? 0) };
}

serveParent(
  {
    replayBookings,
    errors: () => ({ count: server.errors.length, first: server.errors.slice(0, 3).map(String) }),
    statements: () => ({ count: statements }),
    now: () => ({ now: server.clock.now() }),
    advance: (message) => {
      server.clock.advance(Number(message.ms));
      return { now: server.clock.now() };
    },
    bookingIds: async (message) => ({
      ids: (
        await server.db
          .select({ id: bookings.id })
          .from(bookings)
          .where(
            and(
              eq(bookings.tenantId, tenant.id),
              eq(bookings.status, message.status as (typeof bookings.status.enumValues)[number]),
              message.tutorJoined ? isNotNull(bookings.tutorJoinedAt) : undefined,
            ),
          )
          .orderBy(bookings.seq)
      ).map((row) => row.id),
    }),
    tokens: async (message) => ({ tokens: await tokens(message.ids as string[], message.role as "student" | "tutor") }),
    copyPaidLessons: async (message) => {
      const ids = await copyPaidLessons(server, key, Number(message.count), Number(message.startsInMs));
      await refreshStatistics(server.db);
      return { ids };
    },
    growTo: async (message): Promise<ScaleReport> =>
      growTo(server, key, Number(message.bookings), databaseUrl.slice("file:".length)),
    tick: async () => {
      const started = performance.now();
      const summary = await tick(server.deps);
      return { ms: performance.now() - started, summary };
    },
  },
  async () => {
    await Promise.all([api.close(), bareServer.close()]);
    await server.close();
  },
);
const ready: ApiTarget = { apiUrl: api.url, bareUrl: bareServer.url, key, tenantId: tenant.id };
process.send?.(ready);
