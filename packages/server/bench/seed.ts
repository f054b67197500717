import { statSync } from "node:fs";
import { getTableColumns, like, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { OpenLibsql } from "../src/adapters/libsql/database";
import { engineOf, execute } from "../src/db/queries";
import { bookings, escrows, events, ledgerEntries, moneyOperations } from "../src/db/schema";
import { rebuildBalances } from "../src/domain/ledger/reconcile";
import { tick } from "../src/jobs/tick";
import { bookingBody, HOUR, MINUTE, paidBooking, type TestServer } from "../test/harness";

/**
 * Grows a bench database by copying lessons in SQL (never through the API): a few template lessons
 * are walked through the real API, then each copy is one `INSERT … SELECT` per table over a
 * recursive counter, with its own ids, tenant, tutor and student, and its times shifted. The copies
 * are genuine rows: bookings, escrows, ledger legs, events and money operations as the code writes
 * them; the tutors' running totals are rebuilt from the ledger at the end. The copies run on either
 * engine (the top of the hour of the write bench uses them on both); growing a whole database
 * (`growTo`, the scale bench) is libsql's only.
 */

const DAY = 24 * HOUR;
const TENANTS = 20;
const TUTORS = 200;
const STUDENTS = 250;
const CHUNK = 20_000;

/** The kinds of lesson a platform's database holds, and their share of it. */
const KINDS = [
  { name: "upcoming", share: 0.6 },
  { name: "released", share: 0.3 },
  { name: "canceled", share: 0.05 },
  { name: "release_scheduled", share: 0.05 },
] as const;
type Kind = (typeof KINDS)[number]["name"];

interface Template {
  bookingId: string;
  escrowId: string;
  /** How copy `i`'s times move (SQL over `i`, in ms). */
  shift: string;
}

export interface ScaleReport {
  bookings: number;
  copied: number;
  seconds: number;
  databaseBytes: number;
  /** A booking, escrow and tutor of the bench tenant to measure single reads with. */
  sample: { bookingId: string; escrowId: string; tutorId: string; releasedEscrowId: string };
}

const state = {
  next: 0,
  tenants: [] as string[],
  templates: null as Record<Kind, Template> | null,
};

type Engine = ReturnType<typeof engineOf>;

/** A unique, scattered id suffix for copy `i` (ids are random in production; the order of inserts should be too). */
const suffixes: Record<Engine, string> = {
  libsql: "printf('%08x%08d', (i * 2654435761) % 4294967296, i)",
  postgres: "lpad(to_hex((i::bigint * 2654435761) % 4294967296), 8, '0') || lpad(i::text, 8, '0')",
};

/** The counter `n(i)` over `from` … `to - 1`. */
const counters: Record<Engine, (from: number, to: number) => string> = {
  libsql: (from, to) => `with recursive n(i) as (select ${from} union all select i + 1 from n where i < ${to - 1})`,
  postgres: (from, to) => `with n(i) as (select generate_series(${from}, ${to - 1}))`,
};

/** `INSERT INTO table (…) SELECT … FROM counter, table t WHERE <template>`, with some columns rewritten. */
function copyStatement(
  engine: Engine,
  table: SQLiteTable,
  from: number,
  to: number,
  where: string,
  rewrite: Record<string, string>,
  timeColumns: string[],
  shift: string,
) {
  const columns = Object.values(getTableColumns(table))
    .map((column) => column.name)
    .filter((name) => name !== "seq");
  const select = columns.map(
    (name) => rewrite[name] ?? (timeColumns.includes(name) ? `t.${name} + (${shift})` : `t.${name}`),
  );
  const name = (table as unknown as { [key: symbol]: string })[Symbol.for("drizzle:Name")];
  return sql.raw(`${counters[engine](from, to)}
    insert into ${name} (${columns.join(", ")})
    select ${select.join(", ")} from n, ${name} t where ${where}`);
}

const BOOKING_TIMES = [
  "scheduled_start",
  "ends_at",
  "payment_expires_at",
  "join_opens_at",
  "no_show_at",
  "auto_complete_at",
  "started_at",
  "student_joined_at",
  "tutor_joined_at",
  "ended_at",
  "canceled_at",
  "notes_updated_at",
  "rated_at",
  "created_at",
  "updated_at",
];
const ESCROW_TIMES = ["release_at", "held_at", "released_at", "disputed_at", "created_at", "updated_at"];
const OPERATION_TIMES = ["due_at", "lease_expires_at", "created_at", "updated_at", "completed_at"];

/** Copies `template` as lessons `from` … `to - 1`: one statement per table, in one transaction. */
async function copyLessons(
  server: TestServer,
  template: Template,
  from: number,
  to: number,
  who: { tenant: string; tutor: string; student: string; external: string },
) {
  const owner = { tenant_id: who.tenant };
  const engine = engineOf(server.db);
  const suffix = suffixes[engine];
  const bookingId = `'bk_' || ${suffix}`;
  const escrowId = `'esc_' || ${suffix}`;
  await server.db.transaction(async (tx) => {
    await execute(
      tx,
      copyStatement(
        engine,
        bookings,
        from,
        to,
        `t.id = '${template.bookingId}'`,
        { ...owner, id: bookingId, external_id: who.external, tutor_id: who.tutor, student_id: who.student },
        BOOKING_TIMES,
        template.shift,
      ),
    );
    await execute(
      tx,
      copyStatement(
        engine,
        escrows,
        from,
        to,
        `t.id = '${template.escrowId}'`,
        {
          ...owner,
          id: escrowId,
          booking_id: bookingId,
          tutor_id: who.tutor,
          payment_id: `'pi_copy_' || ${suffix}`,
          charge_id: `case when t.charge_id is null then null else 'ch_copy_' || ${suffix} end`,
          transfer_id: `case when t.transfer_id is null then null else 'tr_copy_' || ${suffix} end`,
        },
        ESCROW_TIMES,
        template.shift,
      ),
    );
    await execute(
      tx,
      copyStatement(
        engine,
        ledgerEntries,
        from,
        to,
        `t.escrow_id = '${template.escrowId}'`,
        {
          ...owner,
          id: `'led_' || ${suffix} || '_' || t.seq`,
          escrow_id: escrowId,
          booking_id: bookingId,
          tutor_id: who.tutor,
        },
        ["created_at"],
        template.shift,
      ),
    );
    await execute(
      tx,
      copyStatement(
        engine,
        events,
        from,
        to,
        `t.booking_id = '${template.bookingId}'`,
        { ...owner, id: `'evt_' || ${suffix} || '_' || t.seq`, booking_id: bookingId },
        ["created_at", "available_at"],
        template.shift,
      ),
    );
    await execute(
      tx,
      copyStatement(
        engine,
        moneyOperations,
        from,
        to,
        `t.escrow_id = '${template.escrowId}'`,
        {
          ...owner,
          id: `'op_' || ${suffix} || '_' || t.seq`,
          escrow_id: escrowId,
          booking_id: bookingId,
          idempotency_key: `t.kind || ':esc_' || ${suffix} || ':' || t.seq`,
        },
        OPERATION_TIMES,
        template.shift,
      ),
    );
  });
}

async function ok(server: TestServer, method: string, path: string, key: string, body?: unknown) {
  const res = await server.call(method, path, { key, body });
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function walk(server: TestServer, lesson: { id: string; student: string; tutor: string }) {
  for (const [action, token] of [
    ["start", lesson.student],
    ["join", lesson.tutor],
    ["end", lesson.tutor],
  ] as const) {
    await ok(server, "POST", `/v1/sessions/${lesson.id}/${action}`, token);
  }
}

/**
 * One lesson of each kind through the real API, as a platform's history would hold them: the
 * upcoming one booked now for two months ahead, one given and released, one never paid, then the
 * clock moved 40 days on and one given just now, waiting for its release. Each copy moves all its
 * times by the same amount, always into the past, so nothing is created in the future and nothing
 * the idle tick would find becomes due: upcoming lessons still start after the clock.
 */
async function makeTemplates(server: TestServer, key: string): Promise<Record<Kind, Template>> {
  const upcoming = await paidBooking(server, key, { tutor: { id: "template_tutor" } }, 60 * DAY);
  const released = await paidBooking(server, key, { tutor: { id: "template_tutor" } }, 10 * MINUTE);
  server.clock.advance(10 * MINUTE);
  await walk(server, released);
  const unpaid = await ok(server, "POST", "/v1/bookings", key, bookingBody(server.clock, {}, 2 * HOUR));
  server.clock.advance(25 * HOUR);
  await tick(server.deps);
  server.clock.advance(40 * DAY);
  const scheduled = await paidBooking(server, key, { tutor: { id: "template_tutor" } }, 10 * MINUTE);
  server.clock.advance(10 * MINUTE);
  await walk(server, scheduled);
  const escrowOf = async (bookingId: string) =>
    ((await ok(server, "GET", `/v1/bookings/${bookingId}`, key)) as { escrow: { id: string } }).escrow.id;
  const hoursBack = (spread: number) => `-(i % ${spread}) * ${HOUR}`;
  return {
    // Booked up to 10 days earlier, starting 50 to 60 days after that: all after the clock.
    upcoming: { bookingId: upcoming.id, escrowId: upcoming.escrowId, shift: hoursBack(240) },
    released: { bookingId: released.id, escrowId: released.escrowId, shift: hoursBack(720) },
    canceled: { bookingId: unpaid.id as string, escrowId: await escrowOf(unpaid.id as string), shift: hoursBack(720) },
    // Given up to 16 minutes earlier: released about a day from now.
    release_scheduled: { bookingId: scheduled.id, escrowId: scheduled.escrowId, shift: `-(i % 1000) * 1000` },
  };
}

/**
 * Grows the database to about `total` bookings over 20 tenants (the bench tenant first), 200 tutors
 * (10 a tenant: at a million, each has about 5,000 lessons) and 250 students (40 lessons each at 10,000): 60 % upcoming and
 * paid, 30 % given and released, 5 % canceled unpaid, 5 % given and waiting for their release.
 */
export async function growTo(server: TestServer, key: string, total: number, file: string): Promise<ScaleReport> {
  const started = performance.now();
  if (!state.templates) {
    state.tenants = [((await ok(server, "GET", "/v1/tenant", key)) as { id: string }).id];
    for (let n = 1; n < TENANTS; n++) state.tenants.push((await server.createTenant({ name: `Scale ${n}` })).tenant.id);
    state.templates = await makeTemplates(server, key);
  }
  const [{ count: existing } = { count: 0 }] = await server.db.all<{ count: number }>(
    sql`select count(*) as count from bookings`,
  );
  const grow = Math.max(0, total - existing);
  const who = {
    tenant: `case i % ${TENANTS} ${state.tenants.map((id, n) => `when ${n} then '${id}'`).join(" ")} end`,
    tutor: `'tutor_' || (i % ${TUTORS})`,
    student: `'student_' || (i % ${STUDENTS})`,
    external: `'scale_' || i`,
  };
  // Copying touches every index of every table: a page cache that holds them makes it several times faster.
  const [{ cache_size: cacheSize } = { cache_size: -2000 }] = await server.db.all<{ cache_size: number }>(
    sql`pragma cache_size`,
  );
  const client = (server.database as Partial<OpenLibsql>).client;
  if (!client) throw new Error("The scale seed copies rows with SQLite statements: run it on libsql");
  await client.execute("PRAGMA cache_size = -1048576");
  for (const kind of KINDS) {
    const count = Math.round(grow * kind.share);
    for (let from = state.next; from < state.next + count; from += CHUNK) {
      await copyLessons(server, state.templates[kind.name], from, Math.min(from + CHUNK, state.next + count), who);
    }
    state.next += count;
  }
  await rebuildBalances(server.db, server.clock.now());
  await client.execute(`PRAGMA cache_size = ${cacheSize}`);
  await client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
  const [{ count: bookingsNow } = { count: 0 }] = await server.db.all<{ count: number }>(
    sql`select count(*) as count from bookings`,
  );
  const sample = await server.db.all<{ booking_id: string; escrow_id: string; tutor_id: string }>(
    sql`select b.id as booking_id, e.id as escrow_id, b.tutor_id from bookings b join escrows e on e.booking_id = b.id
      where b.tenant_id = ${state.tenants[0]} and b.tutor_id = 'tutor_0' and e.status = 'released' limit 1`,
  );
  const upcoming = await server.db.all<{ booking_id: string; escrow_id: string }>(
    sql`select b.id as booking_id, e.id as escrow_id from bookings b join escrows e on e.booking_id = b.id
      where b.tenant_id = ${state.tenants[0]} and b.status = 'confirmed' and b.external_id like 'scale_%' limit 1`,
  );
  return {
    bookings: bookingsNow,
    copied: grow,
    seconds: (performance.now() - started) / 1000,
    databaseBytes: statSync(file).size,
    sample: {
      bookingId: upcoming[0]?.booking_id ?? "",
      escrowId: upcoming[0]?.escrow_id ?? "",
      tutorId: sample[0]?.tutor_id ?? "tutor_0",
      releasedEscrowId: sample[0]?.escrow_id ?? "",
    },
  };
}

/**
 * `count` paid lessons of the bench tenant, each with its own tutor and student, all starting
 * `startsInMs` from now (the top of the hour): one made through the API, the rest copied from it.
 */
export async function copyPaidLessons(server: TestServer, key: string, count: number, startsInMs: number) {
  const template = await paidBooking(server, key, { tutor: { id: "hour_tutor" } }, startsInMs);
  const first = state.next + 10_000_000;
  const tenantId = ((await ok(server, "GET", "/v1/tenant", key)) as { id: string }).id;
  for (let from = first; from < first + count - 1; from += CHUNK) {
    await copyLessons(
      server,
      { bookingId: template.id, escrowId: template.escrowId, shift: "0" },
      from,
      Math.min(from + CHUNK, first + count - 1),
      {
        tenant: `'${tenantId}'`,
        tutor: "'hour_tutor_' || i",
        student: "'hour_student_' || i",
        external: "'hour_' || i",
      },
    );
  }
  state.next = first + count;
  const rows = await server.db
    .select({ id: bookings.id })
    .from(bookings)
    .where(like(bookings.externalId, "hour_%"))
    .orderBy(bookings.seq);
  await rebuildBalances(server.db, server.clock.now());
  return [template.id, ...rows.map((row) => row.id)];
}
