import { and, eq, sql } from "drizzle-orm";
import { connectedAccounts, escrows } from "../src/db/schema";
import { runDueWork } from "../src/domain/due/run";
import { createTestServer, HOUR, ledgerInvariant } from "../test/harness";
import { startChild } from "./child";
import { type BenchEngine, benchPool, refreshStatistics, withBenchDatabase } from "./engine";
import { type LessonCopy, seedDueReleases } from "./escrow";
import { type BenchRow, type Findings, fmt } from "./report";
import type { StripeServerReport } from "./stripe-server";

const LATENCY_MS = 250;
/** Stripe's test-mode limit: the server below refuses beyond it, as Stripe does. */
const STRIPE_LIMIT = 25;
const ACCOUNTS = 20;

export interface StripeReleaseOptions {
  engine: BenchEngine;
  count: number;
  log: (line: string) => void;
}

/**
 * Releases on Stripe, paced: `count` due escrows of a Stripe tenant (default budget, test-mode key)
 * paid by one tick against a Stripe-compatible server in another process that answers after 250 ms
 * and limits to 25 requests a second (429 beyond). The executor's concurrency and the adapter's
 * pacing should keep the releases close to the limit (target ≥ 0.9 of it) with every escrow paid once.
 */
export function benchStripeReleases(options: StripeReleaseOptions, findings: Findings): Promise<BenchRow[]> {
  return withBenchDatabase(options.engine, (database) => measureStripeReleases(database.url, options, findings));
}

async function measureStripeReleases(
  url: string,
  { count, log }: StripeReleaseOptions,
  findings: Findings,
): Promise<BenchRow[]> {
  const stripe = await startChild<{ url: string }>("./stripe-server.ts", {
    STRIPE_LATENCY_MS: String(LATENCY_MS),
    STRIPE_RATE_LIMIT: String(STRIPE_LIMIT),
  });
  const server = await createTestServer({
    url,
    pool: benchPool(),
    stripe: { apiUrl: stripe.ready.url, maxNetworkRetries: 0 },
  });
  try {
    const { key: sandboxKey } = await server.createTenant({ name: "Templates" });
    const { tenant } = await server.createTenant({
      name: "Stripe Tutoring",
      payment_provider: "stripe",
      stripe: { secret_key: "sk_test_benchmark0123456789", webhook_secret: "whsec_benchmark0123456789" },
    });
    const account = (n: number) => `acct_1Bench${String(n % ACCOUNTS).padStart(10, "0")}`;
    const toStripe = (copy: LessonCopy, n: number): LessonCopy => ({
      booking: { ...copy.booking, tenantId: tenant.id, tutorStripeAccount: account(n) },
      escrow: { ...copy.escrow, tenantId: tenant.id, provider: "stripe", chargeId: `ch_bench${n}` },
      ledger: copy.ledger.map((leg) => ({ ...leg, tenantId: tenant.id })),
    });
    // The templates (walked through the API) stay on the sandbox tenant; the copies are Stripe's.
    await seedDueReleases(server, sandboxKey, count + 8, toStripe);
    // The tutors' accounts are known to take payouts (as account.updated would have said).
    await server.db.insert(connectedAccounts).values(
      Array.from({ length: ACCOUNTS }, (_, n) => ({
        tenantId: tenant.id,
        accountId: account(n),
        payoutsEnabled: true,
        asOf: 1,
        updatedAt: server.clock.now(),
      })),
    );
    await refreshStatistics(server.db);
    server.clock.advance(24 * HOUR + 60_000);

    const started = performance.now();
    const summary = await runDueWork(server.deps, { tenantId: tenant.id as string });
    const seconds = (performance.now() - started) / 1000;
    const perSecond = summary.released / seconds;
    const ratio = perSecond / STRIPE_LIMIT;
    const report = await stripe.ask<StripeServerReport>({ type: "report" });
    log(
      `stripe releases: ${fmt(summary.released)} in ${fmt(seconds, 2)} s; Stripe saw ${fmt(report.requests)} requests, ${fmt(report.limited)} refused 429`,
    );

    findings.check(summary.released === count, `the tick released ${summary.released} of ${count} Stripe escrows`);
    findings.check(summary.release_failures === 0, `${summary.release_failures} releases failed`);
    findings.check(report.transfers === count, `Stripe made ${report.transfers} transfers for ${count} escrows`);
    findings.check(report.paidTwice === 0, `${report.paidTwice} escrows were paid twice`);
    const [released] = await server.db
      .select({ n: sql<number>`count(*)` })
      .from(escrows)
      .where(and(eq(escrows.tenantId, tenant.id as string), eq(escrows.status, "released")));
    findings.check(released?.n === count, `${released?.n} Stripe escrows are released, expected ${count}`);
    const invariant = await ledgerInvariant(server.deps);
    findings.check(invariant.broken.length === 0 && invariant.ledgerTotal === 0, "the ledger invariant is broken");
    findings.check(server.errors.length === 0, `the app logged ${server.errors.length} errors`);

    return [
      {
        name: `Stripe releases/s (${fmt(count)} due, ${LATENCY_MS} ms latency, ${STRIPE_LIMIT}/s limit)`,
        value: fmt(perSecond, 1),
        baseline: `${STRIPE_LIMIT}/s Stripe's limit; ${fmt(report.limited)} × 429`,
        against: `${fmt(ratio, 2)} of the limit (≥ 0.9)`,
        pass: ratio >= 0.9,
      },
    ];
  } finally {
    await server.close();
    await stripe.stop();
  }
}
