import { sql } from "drizzle-orm";
import { openStorage } from "../src/adapters/storage";
import { createApp } from "../src/app";
import { selectRows } from "../src/db/queries";
import { escrows, events, moneyOperations, webhookDeliveries } from "../src/db/schema";
import { type BuildDepsInput, buildDeps } from "../src/deps";
import type { Deps } from "../src/domain/context";
import { reconcileBalances } from "../src/domain/ledger/reconcile";
import { createLogger, type Logger } from "../src/lib/logger";
import { ManualClock } from "../src/ports/clock";
import { newTestDatabase, serverDatabase } from "./engine";

export { snapshotTables, TEST_ENGINE, tableNames, writeCounter } from "./engine";

export const ADMIN_KEY = "lk_admin_test_key_0123456789";
export const SECRET = "test-secret-that-is-long-enough-for-hkdf-0123456789";
export const AGORA = { appId: "0123456789abcdef0123456789abcdef", appCertificate: "fedcba9876543210fedcba9876543210" };
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

// biome-ignore lint/suspicious/noExplicitAny: test JSON is read loosely by design
export type Json = Record<string, any>;

export interface TestServerOptions extends Partial<Omit<BuildDepsInput, "db" | "secret">> {
  /** A database URL; defaults to a fresh database on the test engine (see test/engine.ts). */
  url?: string;
  /** The app's logger; by default errors only, collected in `errors` (their stacks). */
  logger?: Logger;
  /** Sees every statement the app sends through drizzle. */
  logQuery?: (sql: string, params: unknown[]) => void;
  /** Connections of a PostgreSQL pool (4 by default; the benches use production's 10). */
  pool?: number;
}

/** A real app over a real migrated database (libsql or PostgreSQL), with a hand-moved clock. */
export async function createTestServer(options: TestServerOptions = {}) {
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock(Date.UTC(2030, 0, 1, 8, 0, 0));
  const fresh = options.url === undefined ? await serverDatabase() : null;
  const database = await openStorage(options.url ?? fresh?.url ?? "", {
    pool: options.pool ?? 4,
    logQuery: options.logQuery,
  });
  const { logQuery: _logQuery, pool: _pool, ...depsOptions } = options;
  const deps = buildDeps({
    agoraFallback: AGORA,
    writeGeneration: database.writeGeneration,
    changeVersion: database.changeVersion,
    ...depsOptions,
    db: database.db,
    secret: SECRET,
    clock,
  });
  const errors: string[] = [];
  const logger =
    options.logger ??
    createLogger({
      level: "error",
      format: "json",
      destination: {
        write(line: string) {
          const entry = JSON.parse(line) as { msg: string; err?: { stack?: string } };
          errors.push(entry.err?.stack ?? entry.msg);
        },
      },
    });
  const app = createApp(deps, { adminKey: ADMIN_KEY, logger });

  async function call(
    method: string,
    path: string,
    init: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...init.headers };
    if (init.key) headers.Authorization = `Bearer ${init.key}`;
    if (init.body !== undefined) headers["Content-Type"] = "application/json";
    const res = await app.request(path, {
      method,
      headers,
      body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
    });
    const text = await res.text();
    let body: Json;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { raw: text };
    }
    return { status: res.status, body, headers: res.headers };
  }

  async function createTenant(input: Json = {}) {
    const res = await call("POST", "/v1/admin/tenants", {
      key: ADMIN_KEY,
      body: { name: "Acme Tutoring", payment_provider: "sandbox", ...input },
    });
    if (res.status !== 200) throw new Error(`tenant creation failed: ${JSON.stringify(res.body)}`);
    return { tenant: res.body.tenant as Json, key: res.body.secret_key as string };
  }

  async function close() {
    await database.close();
    await fresh?.cleanup();
  }

  return { app, deps, clock, db: database.db, database, errors, call, createTenant, close };
}

export type TestServer = Awaited<ReturnType<typeof createTestServer>>;

let counter = 0;

/** A booking body starting `startsIn` ms from the clock's now. */
export function bookingBody(clock: { now(): number }, overrides: Json = {}, startsIn = 2 * HOUR): Json {
  counter += 1;
  return {
    external_id: `lesson_${counter}_${Math.random().toString(36).slice(2, 8)}`,
    student: { id: "student_1", name: "Sam Student" },
    tutor: { id: "tutor_1", name: "Tina Tutor" },
    subject: "Algebra",
    scheduled_start: new Date(clock.now() + startsIn).toISOString(),
    duration_minutes: 60,
    amount: 5000,
    currency: "usd",
    platform_fee: 1000,
    ...overrides,
  };
}

/** A booked, paid lesson with tokens for both participants. */
export async function paidBooking(server: TestServer, key: string, overrides: Json = {}, startsIn = 2 * HOUR) {
  const created = await server.call("POST", "/v1/bookings", {
    key,
    body: bookingBody(server.clock, overrides, startsIn),
  });
  if (created.status !== 200) throw new Error(`booking failed: ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const paid = await server.call("POST", `/v1/sandbox/bookings/${id}/pay`, { key, body: {} });
  if (paid.status !== 200) throw new Error(`pay failed: ${JSON.stringify(paid.body)}`);
  const tokens = await participantTokens(server, key, id);
  return { id, escrowId: paid.body.escrow.id as string, booking: paid.body, ...tokens };
}

export async function participantTokens(server: TestServer, key: string, bookingId: string) {
  const mint = async (role: "student" | "tutor") => {
    const res = await server.call("POST", `/v1/bookings/${bookingId}/participant-tokens`, {
      key,
      body: { role, ttl_seconds: 30 * 24 * 3600 },
    });
    if (res.status !== 200) throw new Error(`token failed: ${JSON.stringify(res.body)}`);
    return res.body.token as string;
  };
  return { student: await mint("student"), tutor: await mint("tutor") };
}

/** Moves a sandbox tenant's clock (and runs its due work) through the API. */
export async function advance(server: TestServer, key: string, ms: number) {
  const res = await server.call("POST", "/v1/sandbox/clock", { key, body: { advance_seconds: Math.round(ms / 1000) } });
  if (res.status !== 200) throw new Error(`clock failed: ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Checks `amount = held + released + refunded` for every escrow, that the ledger sums to zero, and
 * that every tutor's running totals match the ledger.
 */
export async function ledgerInvariant(deps: Deps) {
  const escrowRows = await selectRows<{
    id: string;
    amount: number;
    status: string;
    refunded_amount: number;
    released_amount: number;
    held: number;
    released: number;
    refunded: number;
  }>(
    deps.db,
    sql`
    select e.id, e.amount, e.status, e.refunded_amount, e.released_amount,
      coalesce(sum(case when l.account in ('tutor_pending','tutor_disputed','platform_pending') then l.amount end), 0) as held,
      coalesce(sum(case when l.account in ('tutor_released','platform_revenue') then l.amount end), 0) as released,
      coalesce(sum(case when l.account = 'refunded' then l.amount end), 0) as refunded
    from escrows e left join ledger_entries l on l.escrow_id = e.id
    group by e.id, e.amount, e.status, e.refunded_amount, e.released_amount`,
  );
  const [total] = await selectRows<{ total: number | null }>(
    deps.db,
    sql`select sum(amount) as total from ledger_entries`,
  );
  const broken: unknown[] = escrowRows.filter((e) => {
    const paid = e.status !== "awaiting_payment" && e.status !== "canceled";
    const ledgerSum = e.held + e.released + e.refunded;
    return (
      (paid ? ledgerSum !== e.amount : ledgerSum !== 0) ||
      e.released !== e.released_amount ||
      e.refunded !== e.refunded_amount
    );
  });
  // The tutors' running totals agree with the ledger they are kept from.
  broken.push(...(await reconcileBalances(deps.db)).mismatches);
  return { broken, ledgerTotal: total?.total ?? 0 };
}

/**
 * The rows a test of several processes checks, read through a connection of its own once the
 * processes are done (or between their runs): operations, escrows, webhook deliveries, events, and
 * the ledger invariant.
 */
export async function readDatabase(url: string) {
  const database = await openStorage(url, { migrate: false });
  try {
    return {
      operations: await database.db.select().from(moneyOperations),
      escrows: await database.db.select().from(escrows),
      deliveries: await database.db.select().from(webhookDeliveries),
      events: await database.db.select().from(events),
      ledger: await ledgerInvariant(buildDeps({ db: database.db, secret: SECRET })),
    };
  } finally {
    await database.close();
  }
}

/** A new database several clients can open (a file, or a PostgreSQL schema): `cleanup` removes it. */
export function tempDatabaseUrl() {
  return newTestDatabase();
}
