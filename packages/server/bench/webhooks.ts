import { and, eq, sql } from "drizzle-orm";
import { NodeWebhookTransport } from "../src/adapters/http/webhook-transport";
import { selectRows } from "../src/db/queries";
import { events, webhookDeliveries } from "../src/db/schema";
import { emitEvent } from "../src/domain/events/emit";
import { deliverDueWebhooks } from "../src/domain/webhooks/deliver";
import { systemClock } from "../src/ports/clock";
import { createTestServer, paidBooking } from "../test/harness";
import { startChild } from "./child";
import { type BenchEngine, benchPool, refreshStatistics, withBenchDatabase } from "./engine";
import type { ReceiverReport } from "./receiver";
import { type BenchRow, type Findings, fmt } from "./report";

export interface WebhookOptions {
  engine: BenchEngine;
  events: number;
}

const QUEUE_CHUNK = 500;
/** deliverDueWebhooks' default number of attempts in flight. */
const CONCURRENCY = 32;

/**
 * The HTTP ceiling: the same transport POSTing a body of similar size to the same receiver,
 * as many at once as the delivery code, with no database work.
 */
async function rawPostsPerSecond(url: string, count: number): Promise<number> {
  const transport = new NodeWebhookTransport();
  const body = JSON.stringify({ id: "evt_baseline", type: "escrow.held", data: { padding: "x".repeat(1500) } });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < count) {
        const response = await transport.send({
          url,
          headers: { "content-type": "application/json" },
          body,
          timeoutMs: 15_000,
          allowLoopback: true,
        });
        if (response.status !== 200) throw new Error(`baseline POST failed: ${response.error ?? response.status}`);
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/**
 * A development-mode server (loopback receivers allowed) with one endpoint pointing at a receiver
 * in another process; `events` events are written to the outbox (each with its delivery, as every
 * state change does), then the real delivery code drains them. Every event must arrive exactly
 * once, correctly signed.
 */
export function benchWebhooks(options: WebhookOptions, findings: Findings): Promise<BenchRow[]> {
  return withBenchDatabase(options.engine, (database) => measureWebhooks(database.url, options, findings));
}

async function measureWebhooks(url: string, options: WebhookOptions, findings: Findings): Promise<BenchRow[]> {
  const receiver = await startChild<{ url: string; baselineUrl: string }>("./receiver.ts");
  // The system clock: the receiver checks webhook-timestamp against its own.
  const server = await createTestServer({
    url,
    pool: benchPool(),
    mode: "development",
    clock: systemClock,
  });
  try {
    const { key, tenant } = await server.createTenant({ name: "Bench Tutoring" });
    const booking = await paidBooking(server, key);
    const endpoint = await server.call("POST", "/v1/webhook-endpoints", { key, body: { url: receiver.ready.url } });
    if (endpoint.status !== 200) throw new Error(`endpoint creation failed: ${JSON.stringify(endpoint.body)}`);

    const count = options.events;
    const eventIds: string[] = [];
    for (let start = 0; start < count; start += QUEUE_CHUNK) {
      await server.db.transaction(async (tx) => {
        for (let i = start; i < Math.min(start + QUEUE_CHUNK, count); i++) {
          const at = server.deps.clock.now();
          const data = { booking: { ...booking.booking, external_id: `bench_event_${i}` } };
          eventIds.push(
            await emitEvent(tx, {
              tenantId: tenant.id as string,
              type: "escrow.held",
              bookingId: booking.id,
              data,
              at,
            }),
          );
        }
      });
    }
    const pending = await server.db.$count(
      webhookDeliveries,
      and(eq(webhookDeliveries.status, "pending"), eq(webhookDeliveries.endpointId, endpoint.body.id as string)),
    );
    findings.check(pending === count, `${pending} deliveries queued for ${count} events`);
    await refreshStatistics(server.db);

    const baseline = await rawPostsPerSecond(receiver.ready.baselineUrl, Math.min(count, 2000));

    const started = performance.now();
    let rounds = 0;
    // What the delivery worker (src/jobs/webhooks.ts) does while there is work: batch after batch.
    while ((await deliverDueWebhooks(server.deps)) > 0) rounds++;
    const seconds = (performance.now() - started) / 1000;
    const perSecond = count / seconds;

    const [facts] = await selectRows<{ succeeded: number; once: number; attempts: number }>(
      server.db,
      sql`select
      (select count(*) from webhook_deliveries where status = 'succeeded') as succeeded,
      (select count(*) from webhook_deliveries where status = 'succeeded' and attempt_count = 1) as once,
      (select count(*) from webhook_attempts) as attempts`,
    );
    findings.check(facts?.succeeded === count, `${facts?.succeeded} of ${count} deliveries succeeded`);
    findings.check(facts?.once === count, `${facts?.once} of ${count} deliveries succeeded at the first attempt`);
    findings.check(facts?.attempts === count, `${facts?.attempts} attempts recorded for ${count} deliveries`);
    const report = await receiver.ask<ReceiverReport>({ type: "report", secret: endpoint.body.secret });
    findings.check(report.received === count, `the receiver got ${report.received} requests for ${count} events`);
    findings.check(report.duplicates === 0, `the receiver got ${report.duplicates} events more than once`);
    findings.check(report.badSignatures === 0, `${report.badSignatures} deliveries failed signature verification`);
    const expected = new Set(eventIds);
    findings.check(
      report.distinct === count && report.ids.every((id) => expected.has(id)),
      `the receiver got ${report.distinct} distinct events, not the ${count} queued`,
    );
    const stored = await server.db.$count(events);
    findings.check(stored >= count, `only ${stored} events in the outbox`);
    findings.check(server.errors.length === 0, `the app logged ${server.errors.length} errors`);

    return [
      {
        name: `webhook deliveries/s (${fmt(count)} queued, 1 endpoint)`,
        value: fmt(perSecond),
        baseline: `${fmt(baseline)} raw POSTs/s`,
        against: `${fmt(perSecond)} (≥ 500/s); ${fmt(perSecond / baseline, 2)} of raw`,
        pass: perSecond >= 500,
      },
      {
        name: `webhook backlog of ${fmt(count)} drained in`,
        value: `${fmt(seconds, 1)} s`,
        baseline: `${fmt(rounds)} batches of ≤ 200`,
        against: "—",
        pass: null,
      },
    ];
  } finally {
    await server.close();
    await receiver.stop();
  }
}
