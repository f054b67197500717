import { and, eq, sql } from "drizzle-orm";
import { drizzle as overPg } from "drizzle-orm/node-postgres";
import { drizzle as overPostgresJs } from "drizzle-orm/postgres-js";
import pg from "pg";
import postgres from "postgres";
import { bookings, escrows } from "../src/db/schema";
import type { Database } from "../src/ports/storage";
import { createTestServer, paidBooking } from "../test/harness";
import { benchRows, createBenchRows } from "./bare-rows";
import { benchPool, withBenchDatabase } from "./engine";
import { type BenchRow, type Findings, fmt } from "./report";

export interface DriverOptions {
  log: (line: string) => void;
}

/** Calls in flight at once in the concurrent measurements. */
const BATCH = 200;
/** Each measurement runs this long; two rounds in opposite orders, averaged. */
const WINDOW_MS = 750;
const ROUNDS = 2;

interface Driver {
  name: string;
  /** Typed as the app's port is (the adapter's cast): the app's tables, rendered for PostgreSQL. */
  db: Database;
  /** Named prepared statements (drizzle's `.prepare(name)`), or statements sent unnamed each time. */
  prepared: boolean;
  close(): Promise<void>;
}

interface Sample {
  tenantId: string;
  bookingId: string;
}

/** PostgreSQL's `.prepare(name)` (the port's libsql type has no name): a named statement, prepared once per connection. */
function named(query: unknown, name: string) {
  return (query as { prepare(name: string): { execute(values: Record<string, unknown>): Promise<unknown> } }).prepare(
    name,
  );
}

/** The status poll's read (domain/bookings/store.ts loadBooking): a booking and its escrow by id. */
function statusRead(driver: Driver, sample: Sample): () => Promise<unknown> {
  const query = (tenantId: unknown, bookingId: unknown) =>
    driver.db
      .select({ booking: bookings, escrow: escrows })
      .from(bookings)
      .innerJoin(escrows, eq(escrows.bookingId, bookings.id))
      .where(and(eq(bookings.tenantId, tenantId as string), eq(bookings.id, bookingId as string)))
      .limit(1);
  if (!driver.prepared) return () => query(sample.tenantId, sample.bookingId);
  const prepared = named(query(sql.placeholder("tenant"), sql.placeholder("booking")), "bench_status");
  return () => prepared.execute({ tenant: sample.tenantId, booking: sample.bookingId });
}

/** A write as a state change makes it: one row inserted in a transaction of its own (begin, insert, commit). */
function insertInTransaction(driver: Driver): () => Promise<unknown> {
  return () =>
    driver.db.transaction(async (tx) => {
      const values = { name: "row", createdAt: Date.now() };
      if (!driver.prepared) return tx.insert(benchRows).values(values);
      const insert = tx.insert(benchRows).values({ name: sql.placeholder("name"), createdAt: sql.placeholder("at") });
      return named(insert, "bench_insert").execute({ name: values.name, at: values.createdAt });
    });
}

/** Calls per second: one call at a time, or `BATCH` at once, batch after batch. */
async function rate(call: () => Promise<unknown>, inFlight: number): Promise<number> {
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < WINDOW_MS) {
    await Promise.all(Array.from({ length: inFlight }, call));
    calls += inFlight;
  }
  return calls / ((performance.now() - started) / 1000);
}

const WORKLOADS = [
  { name: "status read (booking + escrow by id), one at a time", make: statusRead, inFlight: 1 },
  { name: `status read, ${BATCH} at once`, make: statusRead, inFlight: BATCH },
  { name: "one-row insert in a transaction, one at a time", make: insertInTransaction, inFlight: 1 },
  { name: `one-row insert in a transaction, ${BATCH} at once`, make: insertInTransaction, inFlight: BATCH },
] as const;

/** The same pool size for both drivers (`--pool`, production's 10 by default). */
function drivers(url: string, size: number): Driver[] {
  const pool = new pg.Pool({ connectionString: url, max: size });
  // postgres.js returns bigint as text unless told; node-postgres is told by the adapter (numbers).
  const client = postgres(url, {
    max: size,
    onnotice: () => {},
    types: { bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: Number } },
  });
  const node = overPg(pool) as unknown as Database;
  const js = overPostgresJs(client) as unknown as Database;
  return [
    { name: "pg", db: node, prepared: false, close: () => pool.end() },
    { name: "pg prepared", db: node, prepared: true, close: async () => {} },
    { name: "postgres", db: js, prepared: false, close: () => client.end() },
    { name: "postgres prepared", db: js, prepared: true, close: async () => {} },
  ];
}

/**
 * The two PostgreSQL drivers drizzle supports, on the same migrated schema, with pools of one size:
 * `pg` (node-postgres, what the adapter uses) and `postgres` (postgres.js), each with statements sent
 * unnamed (drizzle's default: what the app does) and as named prepared statements (`.prepare(name)`).
 */
export function benchDrivers(options: DriverOptions, findings: Findings): Promise<BenchRow[]> {
  return withBenchDatabase("postgres", (database) => measureDrivers(database.url, options, findings));
}

async function measureDrivers(url: string, options: DriverOptions, findings: Findings): Promise<BenchRow[]> {
  const server = await createTestServer({ url });
  const { key, tenant } = await server.createTenant({ name: "Bench Tutoring" });
  const booking = await paidBooking(server, key);
  await createBenchRows(server.db);
  await server.close();
  const sample = { tenantId: tenant.id as string, bookingId: booking.id };

  const all = drivers(url, benchPool());
  try {
    // The same row through every driver, mapped the same way.
    const reads = await Promise.all(all.map((driver) => statusRead(driver, sample)()));
    const first = JSON.stringify(reads[0]);
    findings.check(
      reads.every((read) => JSON.stringify(read) === first && (read as unknown[]).length === 1),
      "the drivers read the booking differently",
    );
    const rates = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? all : [...all].reverse();
      for (const workload of WORKLOADS) {
        for (const driver of order) {
          const call = workload.make(driver, sample);
          // Warm: every connection of the pool open, and (prepared) its statement prepared.
          await Promise.all(Array.from({ length: BATCH }, call));
          const key = `${workload.name}|${driver.name}`;
          rates.set(key, [...(rates.get(key) ?? []), await rate(call, workload.inFlight)]);
        }
      }
    }
    const mean = (workload: string, driver: string) => {
      const runs = rates.get(`${workload}|${driver}`) ?? [];
      return runs.reduce((sum, n) => sum + n, 0) / Math.max(1, runs.length);
    };
    const [{ n: inserted } = { n: 0 }] = (await all[0]?.db.select({ n: sql<number>`count(*)` }).from(benchRows)) ?? [];
    findings.check(Number(inserted) > 0, "no row was inserted");
    for (const workload of WORKLOADS) {
      options.log(
        `drivers: ${workload.name}: ${all.map((driver) => `${driver.name} ${fmt(mean(workload.name, driver.name))}/s`).join(", ")}`,
      );
    }
    return WORKLOADS.map((workload) => {
      const ops = (driver: string) => mean(workload.name, driver);
      return {
        name: `drivers: ${workload.name} (pool ${benchPool()})`,
        value: `pg ${fmt(ops("pg"))}/s (prepared ${fmt(ops("pg prepared"))}/s)`,
        baseline: `postgres ${fmt(ops("postgres"))}/s (prepared ${fmt(ops("postgres prepared"))}/s)`,
        against: `pg ÷ postgres ${fmt(ops("pg") / ops("postgres"), 2)}`,
        pass: null,
      };
    });
  } finally {
    for (const driver of all) await driver.close();
  }
}
