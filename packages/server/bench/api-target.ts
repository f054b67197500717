/**
 * Child process of the write and scale benchmarks: the real app over the migrated database
 * BENCH_DATABASE_URL names (a libsql file or a PostgreSQL schema; a sandbox tenant, a hand-moved
 * clock), and beside it the baseline: a bare Hono route inserting one row through the app's drizzle
 * instance into the same database, through the same client (libsql: same pragmas; PostgreSQL: same
 * pool). Both served by @hono/node-server on 127.0.0.1; the parent asks for set-up work over IPC.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { and, eq, inArray, isNotNull } from "drizzle-orm";
import { Hono } from "hono";
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
const server = await createTestServer({
  url: databaseUrl,
  pool: benchPool(),
  logQuery: () => {
    statements++;
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

serveParent(
  {
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
