import type { ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { webhookDeliveries } from "../src/db/schema";
import { emitEvent } from "../src/domain/events/emit";
import { ManualClock } from "../src/ports/clock";
import { listenOn, runCli, slowStripe, waitFor } from "./cli-process";
import { ADMIN_KEY, createTestServer, HOUR, paidBooking, readDatabase, SECRET, tempDatabaseUrl } from "./harness";
import { createStripeTestServer } from "./stripe-mock";

/**
 * SIGTERM in the middle of work, in real `lessonkit start` processes: what is under way finishes and
 * is recorded, what was claimed but not started is handed back at once (no lease is left to run
 * out), the process exits 0, and the next process finishes the work: nothing lost, nothing twice.
 */

const DAY = 24 * HOUR;
const children: ChildProcess[] = [];
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function start(args: string[], env: Record<string, string>) {
  const run = runCli(["start", ...args], { LESSONKIT_LOG_FORMAT: "json", LESSONKIT_SHUTDOWN_TIMEOUT: "20s", ...env });
  children.push(run.child);
  return run;
}

describe("graceful shutdown", () => {
  it("mid release batch: the transfers under way finish, the rest are handed back, the next process pays each once", async () => {
    const db = await tempDatabaseUrl();
    cleanups.push(db.cleanup);
    // 40 lessons held on a Stripe tenant, all ended days ago (on a clock that starts 10 days back), so
    // each release is due now for a process running on the real clock.
    const lessons = 40;
    const s = await createStripeTestServer({ url: db.url, clock: new ManualClock(Date.now() - 10 * DAY) });
    for (let i = 0; i < lessons; i++) await s.runSession((await s.paidBooking()).id);
    s.close();

    // The same fake Stripe over real HTTP, each transfer taking 300 ms: the batch is caught in the middle.
    const { url: stripeUrl, transfersArrived } = await slowStripe(cleanups, (request) => s.fake.handle(request), 300);
    const env = {
      LESSONKIT_DATABASE_URL: db.url,
      LESSONKIT_ADMIN_KEY: ADMIN_KEY,
      LESSONKIT_SECRET: SECRET,
      LESSONKIT_STRIPE_API_URL: stripeUrl,
    };

    const first = start(["--worker"], env);
    await waitFor(() => transfersArrived() > 0, 20_000, "the first transfer");
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const firstLog = first.lines();
    expect(firstLog.find((line) => line.msg === "started")).toMatchObject({ roles: ["worker"] });
    expect(firstLog.find((line) => line.msg === "started")?.url).toBeUndefined();
    expect(firstLog.find((line) => line.msg === "tick")).toMatchObject({ interrupted: true });
    expect(firstLog.at(-1)).toMatchObject({ msg: "stopped" });

    const afterFirst = await readDatabase(db.url);
    const paid = afterFirst.operations.filter((op) => op.status === "succeeded");
    const handedBack = afterFirst.operations.filter((op) => op.status === "pending");
    // No lease left to run out, nothing half-done: each operation was made and recorded, or never attempted.
    expect(afterFirst.operations.filter((op) => op.leaseToken !== null || op.leaseExpiresAt !== null)).toEqual([]);
    expect(paid.length + handedBack.length).toBe(lessons);
    expect(paid.length).toBeGreaterThan(0);
    expect(handedBack.length).toBeGreaterThan(0);
    expect(handedBack.every((op) => op.attempts === 0)).toBe(true);
    expect(s.fake.transfers.size).toBe(paid.length);
    expect(afterFirst.escrows.filter((e) => e.status === "released")).toHaveLength(paid.length);

    // The next process takes the handed-back work at once (a held lease would keep it waiting 5 minutes).
    const second = start(["--worker"], env);
    await waitFor(() => second.lines().some((line) => line.msg === "tick"), 20_000, "the second tick");
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(second.lines().find((line) => line.msg === "tick")).toMatchObject({
      released: handedBack.length,
      interrupted: false,
    });

    const done = await readDatabase(db.url);
    expect(done.operations.map((op) => op.status)).toEqual(Array(lessons).fill("succeeded"));
    expect(done.escrows.filter((e) => e.status === "released")).toHaveLength(lessons);
    expect(s.fake.transfers.size).toBe(lessons);
    const made = s.fake.requests.filter((r) => r.method === "POST" && r.path === "/v1/transfers" && !r.replayed);
    expect(new Set(made.map((r) => r.idempotencyKey)).size).toBe(lessons);
    expect(made).toHaveLength(lessons);
    expect(done.ledger).toEqual({ broken: [], ledgerTotal: 0 });
  }, 60_000);

  it("mid delivery batch: attempts under way finish, the rest are handed back; each event arrives once", async () => {
    const db = await tempDatabaseUrl();
    cleanups.push(db.cleanup);
    // A slow receiver (400 ms an answer) that remembers every webhook-id it got.
    const received: string[] = [];
    const receiverUrl = await listenOn(
      cleanups,
      createServer((req, res) => {
        received.push(String(req.headers["webhook-id"]));
        req.resume();
        setTimeout(() => res.writeHead(200).end("ok"), 400);
      }),
    );
    const events = 80;
    const server = await createTestServer({ url: db.url, mode: "development", clock: new ManualClock(Date.now()) });
    const { tenant, key } = await server.createTenant();
    const endpoint = await server.call("POST", "/v1/webhook-endpoints", { key, body: { url: `${receiverUrl}/hook` } });
    expect(endpoint.status).toBe(200);
    const lesson = await paidBooking(server, key);
    await server.db.delete(webhookDeliveries);
    await server.db.transaction(async (tx) => {
      for (let i = 0; i < events; i++) {
        await emitEvent(tx, {
          tenantId: tenant.id as string,
          type: "escrow.held",
          bookingId: lesson.id,
          data: { booking: lesson.booking },
          at: server.clock.now(),
        });
      }
    });
    server.close();
    const env = { LESSONKIT_DATABASE_URL: db.url, LESSONKIT_SECRET: SECRET, LESSONKIT_ADMIN_KEY: ADMIN_KEY };

    // An API-only process serves but delivers nothing.
    const api = start(["--dev", "--api"], { ...env, PORT: "0" });
    await waitFor(() => api.lines().some((line) => line.msg === "started"), 20_000, "the API process");
    const url = api.lines().find((line) => line.msg === "started")?.url as string;
    expect(api.lines().find((line) => line.msg === "started")).toMatchObject({ roles: ["api"] });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(received).toEqual([]);
    api.child.kill("SIGTERM");
    expect(await api.exited).toBe(0);

    const first = start(["--dev", "--worker"], env);
    await waitFor(() => received.length > 0, 20_000, "the first delivery");
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const batch = first.lines().find((line) => line.msg === "webhook batch");
    expect(batch).toMatchObject({ claimed: events });
    expect(batch?.handed_back).toBeGreaterThan(0);
    expect(batch?.succeeded + batch?.handed_back).toBe(events);

    const afterFirst = await readDatabase(db.url);
    const delivered = afterFirst.deliveries.filter((d) => d.status === "succeeded");
    const handedBack = afterFirst.deliveries.filter((d) => d.status === "pending");
    expect(afterFirst.deliveries.filter((d) => d.claimToken !== null || d.claimExpiresAt !== null)).toEqual([]);
    expect(delivered).toHaveLength(received.length);
    expect(handedBack).toHaveLength(events - received.length);
    expect(handedBack.every((d) => d.attemptCount === 0)).toBe(true);

    const second = start(["--dev", "--worker"], env);
    await waitFor(() => received.length >= events, 20_000, "every delivery");
    await waitFor(() => second.lines().some((line) => line.msg === "webhook batch"), 5_000, "the batch line");
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(new Set(received).size).toBe(events);
    expect(received).toHaveLength(events);
    const done = await readDatabase(db.url);
    expect(done.deliveries.map((d) => d.status)).toEqual(Array(events).fill("succeeded"));
  }, 60_000);
});
