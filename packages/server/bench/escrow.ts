import { and, eq, sql } from "drizzle-orm";
import { SandboxPayments } from "../src/adapters/sandbox/payments";
import { selectRows } from "../src/db/queries";
import { type BookingRow, bookings, type EscrowRow, escrows, ledgerEntries, moneyOperations } from "../src/db/schema";
import { appendLedger } from "../src/domain/ledger/post";
import { tick } from "../src/jobs/tick";
import { newId } from "../src/lib/ids";
import type { TransferInput } from "../src/ports/payments";
import { createTestServer, HOUR, ledgerInvariant, paidBooking, type TestServer } from "../test/harness";
import { type BenchEngine, benchPool, refreshStatistics, withBenchDatabase } from "./engine";
import { type BenchRow, type Findings, fmt } from "./report";

/** Lessons walked through the real API (book, pay, start, join, end); the rest are copies of them. */
const TEMPLATES = 8;
const TUTORS = 200;
const INSERT_CHUNK = 250;

/** The sandbox provider, counting the transfers asked of it per idempotency key. */
class CountingSandbox extends SandboxPayments {
  readonly transfers = new Map<string, number>();
  override async transfer(input: TransferInput) {
    this.transfers.set(input.idempotencyKey, (this.transfers.get(input.idempotencyKey) ?? 0) + 1);
    return super.transfer(input);
  }
}

type LedgerRow = typeof ledgerEntries.$inferInsert;
interface Template {
  booking: BookingRow;
  escrow: EscrowRow;
  ledger: (typeof ledgerEntries.$inferSelect)[];
}

/** A completed lesson whose escrow is scheduled for release, through the participant routes. */
async function completedLesson(server: TestServer, key: string, tutor: number): Promise<Template> {
  const lesson = await paidBooking(
    server,
    key,
    { tutor: { id: `tutor_${tutor}`, name: `Tutor ${tutor}` } },
    10 * 60_000,
  );
  server.clock.advance(10 * 60_000);
  for (const [path, token] of [
    ["start", lesson.student],
    ["join", lesson.tutor],
    ["end", lesson.tutor],
  ] as const) {
    const res = await server.call("POST", `/v1/sessions/${lesson.id}/${path}`, { key: token });
    if (res.status !== 200) throw new Error(`${path} failed: ${JSON.stringify(res.body)}`);
  }
  const [row] = await server.db
    .select({ booking: bookings, escrow: escrows })
    .from(bookings)
    .innerJoin(escrows, eq(escrows.bookingId, bookings.id))
    .where(eq(bookings.id, lesson.id));
  if (!row) throw new Error(`template lesson ${lesson.id} vanished`);
  if (row.escrow.status !== "release_scheduled") throw new Error("template lesson is not release_scheduled");
  const ledger = await server.db.select().from(ledgerEntries).where(eq(ledgerEntries.escrowId, row.escrow.id));
  return { ...row, ledger };
}

/**
 * Copies a template lesson as another genuine one: new ids, its own tutor and provider ids, the same
 * times, policy and money, and the same capture ledger rows (payer → tutor_pending + platform_pending).
 */
export type LessonCopy = ReturnType<typeof copyLesson>;

function copyLesson(template: Template, n: number) {
  const bookingId = newId("bk");
  const escrowId = newId("esc");
  const tutorId = `tutor_${n % TUTORS}`;
  const { seq: _b, ...booking } = template.booking;
  const { seq: _e, ...escrow } = template.escrow;
  return {
    booking: { ...booking, id: bookingId, externalId: `bench_lesson_${n}`, tutorId, tutorName: `Tutor ${n % TUTORS}` },
    escrow: {
      ...escrow,
      id: escrowId,
      bookingId,
      tutorId,
      paymentId: `pi_sandbox_bench${n}`,
      paymentClientSecret: `pi_sandbox_bench${n}_secret_bench`,
      chargeId: escrow.chargeId === null ? null : `ch_sandbox_bench${n}`,
    },
    ledger: template.ledger.map(
      ({ seq: _l, ...entry }): LedgerRow => ({
        ...entry,
        id: newId("led"),
        escrowId,
        bookingId,
        tutorId,
      }),
    ),
  };
}

/**
 * `count` completed lessons due for release: a few walked through the API on the tenant of `key`, the
 * rest copies of them (`reshape` may move a copy elsewhere, e.g. to a Stripe tenant). Returns the
 * escrow ids.
 */
export async function seedDueReleases(
  server: TestServer,
  key: string,
  count: number,
  reshape: (copy: LessonCopy, n: number) => LessonCopy = (copy) => copy,
): Promise<string[]> {
  const templates: Template[] = [];
  for (let i = 0; i < Math.min(TEMPLATES, count); i++) templates.push(await completedLesson(server, key, i));
  const ids = templates.map((t) => t.escrow.id);
  for (let start = templates.length; start < count; start += INSERT_CHUNK) {
    const chunk = Array.from({ length: Math.min(INSERT_CHUNK, count - start) }, (_, i) =>
      reshape(copyLesson(templates[(start + i) % templates.length]!, start + i), start + i),
    );
    await server.db.transaction(async (tx) => {
      await tx.insert(bookings).values(chunk.map((c) => c.booking));
      await tx.insert(escrows).values(chunk.map((c) => c.escrow));
      await appendLedger(
        tx,
        chunk.flatMap((c) => c.ledger),
      );
    });
    ids.push(...chunk.map((c) => c.escrow.id));
  }
  return ids;
}

export interface EscrowOptions {
  engine: BenchEngine;
  count: number;
  log: (line: string) => void;
}

/**
 * Seeds `count` completed lessons whose escrows are due, then times the real tick releasing them
 * all, and checks that each was released exactly once with a consistent ledger.
 */
export function benchEscrowReleases(options: EscrowOptions, findings: Findings): Promise<BenchRow[]> {
  return withBenchDatabase(options.engine, (database) => measureReleases(database.url, options, findings));
}

async function measureReleases(url: string, { count, log }: EscrowOptions, findings: Findings): Promise<BenchRow[]> {
  const provider = new CountingSandbox();
  const server = await createTestServer({ url, providers: { sandbox: provider }, pool: benchPool() });
  try {
    const { key } = await server.createTenant({ name: "Bench Tutoring" });
    const seedStarted = performance.now();
    const ids = await seedDueReleases(server, key, count);
    log(`escrows: seeded ${fmt(count)} due releases in ${fmt((performance.now() - seedStarted) / 1000, 1)} s`);
    await refreshStatistics(server.db);
    server.clock.advance(24 * HOUR + 60_000);

    const started = performance.now();
    const summary = await tick(server.deps);
    const seconds = (performance.now() - started) / 1000;
    const perSecond = summary.released / seconds;

    // Exactly once: every seeded escrow released, one succeeded transfer and one release movement each.
    findings.check(summary.released === count, `tick released ${summary.released} of ${count} escrows`);
    findings.check(summary.release_failures === 0, `tick reported ${summary.release_failures} release failures`);
    const [facts] = await selectRows<{
      released: number;
      full: number;
      payouts: number;
      distinct_payouts: number;
      release_legs: number;
      events: number;
    }>(
      server.db,
      sql`select
      (select count(*) from escrows where status = 'released') as released,
      (select count(*) from escrows where status = 'released' and released_amount = amount and payout_amount = tutor_amount and transfer_id like 'tr_sandbox_%') as full,
      (select count(*) from money_operations where kind = 'transfer' and status = 'succeeded') as payouts,
      (select count(distinct escrow_id) from money_operations where kind = 'transfer' and status = 'succeeded') as distinct_payouts,
      (select count(*) from ledger_entries where kind = 'release') as release_legs,
      (select count(*) from events where type = 'escrow.released') as events`,
    );
    findings.check(facts?.released === count, `${facts?.released} escrows are released, expected ${count}`);
    findings.check(facts?.full === count, `${facts?.full} escrows released their whole amount, expected ${count}`);
    findings.check(
      facts?.payouts === count && facts.distinct_payouts === count,
      `${facts?.payouts} succeeded transfers for ${facts?.distinct_payouts} escrows, expected ${count} for ${count}`,
    );
    findings.check(
      facts?.release_legs === 4 * count,
      `${facts?.release_legs} release ledger rows, expected ${4 * count}`,
    );
    findings.check(facts?.events === count, `${facts?.events} escrow.released events, expected ${count}`);
    const seeded = new Set(ids);
    const paid = await server.db
      .select({ escrowId: moneyOperations.escrowId })
      .from(moneyOperations)
      .where(eq(moneyOperations.kind, "transfer"));
    findings.check(
      paid.every((p) => seeded.has(p.escrowId)) && seeded.size === count,
      "transfers do not match the seeded escrows",
    );
    const transferredOnce = ids.filter((id) => provider.transfers.get(`transfer:${id}:1`) === 1).length;
    findings.check(
      transferredOnce === count && provider.transfers.size === count,
      `${transferredOnce} of ${count} escrows were transferred exactly once (${provider.transfers.size} keys asked)`,
    );
    const invariant = await ledgerInvariant(server.deps);
    findings.check(
      invariant.broken.length === 0 && invariant.ledgerTotal === 0,
      `ledger invariant broken for ${invariant.broken.length} escrows (ledger total ${invariant.ledgerTotal})`,
    );
    const again = await tick(server.deps);
    findings.check(again.released === 0, `a second tick released ${again.released} more`);
    const [stillDue] = await server.db
      .select({ n: sql<number>`count(*)` })
      .from(escrows)
      .where(and(eq(escrows.status, "release_scheduled")));
    findings.check(stillDue?.n === 0, `${stillDue?.n} escrows are still release_scheduled`);
    findings.check(server.errors.length === 0, `the app logged ${server.errors.length} errors`);

    return [
      {
        name: `escrow releases/s (tick over ${fmt(count)} due)`,
        value: fmt(perSecond),
        baseline: `${fmt(seconds, 2)} s for ${fmt(summary.released)} in one tick`,
        against: `${fmt(perSecond)} (≥ 1,000/s)`,
        pass: perSecond >= 1000,
      },
    ];
  } finally {
    await server.close();
  }
}
