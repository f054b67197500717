import { afterEach, describe, expect, it } from "vitest";
import { seedDueReleases } from "../../bench/escrow";
import { connectedAccounts } from "../../src/db/schema";
import { ManualClock } from "../../src/ports/clock";
import { type LogLine, runScript, slowStripe, waitFor } from "../cli-process";
import {
  ADMIN_KEY,
  AGORA,
  bookingBody,
  HOUR,
  type Json,
  MINUTE,
  readDatabase,
  SECRET,
  tempDatabaseUrl,
} from "../harness";
import { createStripeTestServer } from "../stripe-mock";
import { Receiver } from "../webhook-receiver";

/**
 * Three LessonKit processes (`lessonkit start`: API, tick and webhook worker each) on one PostgreSQL
 * database, as a hosted deployment runs them: they race for the same due work and must share it
 * without doing any of it twice, survive one of them being killed, and show each other's writes.
 */

const DAY = 24 * HOUR;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface ServerProcess {
  url: string;
  lines(): LogLine[];
  kill(signal: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

/** Starts one server process and waits until it serves. */
async function startProcess(env: Record<string, string>): Promise<ServerProcess> {
  const run = runScript("test/postgres/server-process.ts", [], {
    PORT: "0",
    LESSONKIT_ADMIN_KEY: ADMIN_KEY,
    LESSONKIT_SECRET: SECRET,
    LESSONKIT_LOG_FORMAT: "json",
    LESSONKIT_TICK_INTERVAL: "1s",
    LESSONKIT_DATABASE_POOL: "4",
    AGORA_APP_ID: AGORA.appId,
    AGORA_APP_CERTIFICATE: AGORA.appCertificate,
    ...env,
  });
  cleanups.push(() => run.child.kill("SIGKILL"));
  await waitFor(
    () => run.lines().some((line) => line.msg === "started") || run.child.exitCode !== null,
    30_000,
    "a server process",
  );
  const started = run.lines().find((line) => line.msg === "started");
  if (!started) throw new Error(`the server process did not start: ${run.output().stderr}`);
  return {
    url: started.url as string,
    lines: run.lines,
    kill: (signal) => run.child.kill(signal),
    exited: run.exited,
  };
}

async function call(base: string, method: string, path: string, key: string, body?: Json) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
}

describe("three processes on one PostgreSQL database", () => {
  it("race their ticks over 1,000 due releases, one killed mid-run: each escrow is paid once, nothing stays stuck", async () => {
    const db = await tempDatabaseUrl();
    cleanups.push(db.cleanup);
    const count = 1000;
    // Seeded ten days back, so every release is due for processes on the real clock: a few lessons
    // walked through the API, the rest copies of them on a Stripe tenant, each with its own charge.
    const s = await createStripeTestServer({ url: db.url, clock: new ManualClock(Date.now() - 10 * DAY) });
    const { key: sandboxKey } = await s.createTenant({ name: "Templates" });
    const account = (n: number) => `acct_1Proc${String(n % 50).padStart(12, "0")}`;
    const seeded = await seedDueReleases(s, sandboxKey, count + 8, (copy, n) => {
      const chargeId = `ch_proc${n}`;
      s.fake.charges.set(chargeId, { id: chargeId, object: "charge", amount: copy.escrow.amount, amount_refunded: 0 });
      return {
        booking: { ...copy.booking, tenantId: s.tenant.id, tutorStripeAccount: account(n) },
        escrow: { ...copy.escrow, tenantId: s.tenant.id, provider: "stripe", chargeId },
        ledger: copy.ledger.map((leg) => ({ ...leg, tenantId: s.tenant.id })),
      };
    });
    const stripeEscrows = seeded.slice(8);
    expect(stripeEscrows).toHaveLength(count);
    await s.db.insert(connectedAccounts).values(
      Array.from({ length: 50 }, (_, n) => ({
        tenantId: s.tenant.id,
        accountId: account(n),
        payoutsEnabled: true,
        asOf: 1,
        updatedAt: s.clock.now(),
      })),
    );
    await s.close();

    // The fake Stripe over real HTTP, 5 ms a transfer: slow enough that the kill lands mid-batch.
    const { url: stripeUrl, transfersArrived } = await slowStripe(cleanups, (request) => s.fake.handle(request), 5);
    const env = {
      LESSONKIT_DATABASE_URL: db.url,
      LESSONKIT_STRIPE_API_URL: stripeUrl,
      // A killed process's claims are taken over after 3 s instead of 5 minutes (a live process
      // renews its leases every second, however long its batch takes).
      TEST_RELEASE_LEASE_MS: "3000",
    };
    const processes = await Promise.all([startProcess(env), startProcess(env), startProcess(env)]);

    await waitFor(() => transfersArrived() >= 150, 30_000, "the first transfers");
    const [victim, ...survivors] = processes as [ServerProcess, ServerProcess, ServerProcess];
    victim.kill("SIGKILL");
    expect(await victim.exited).toBeNull();

    // The survivors finish: every Stripe escrow released, nothing left pending or in flight.
    let state = await readDatabase(db.url);
    const deadline = Date.now() + 90_000;
    const stripeIds = new Set(stripeEscrows);
    const released = () => state.escrows.filter((e) => stripeIds.has(e.id) && e.status === "released").length;
    const open = () => state.operations.filter((op) => op.status === "pending" || op.status === "in_flight").length;
    while (released() < count || open() > 0) {
      if (Date.now() > deadline) {
        const stuck = state.operations.filter((op) => op.status === "pending" || op.status === "in_flight");
        const escrowOf = new Map(state.escrows.map((e) => [e.id, e]));
        const about = stuck.slice(0, 3).map((op) => ({
          op,
          escrow: escrowOf.get(op.escrowId)?.status,
          stripe: stripeIds.has(op.escrowId),
          opsOfEscrow: state.operations.filter((o) => o.escrowId === op.escrowId).map((o) => [o.kind, o.status]),
        }));
        throw new Error(
          `released ${released()} of ${count}; ${open()} operations open, e.g. ${JSON.stringify(about)}; ` +
            `logs: ${JSON.stringify(survivors.flatMap((p) => p.lines().filter((l) => l.level >= 40)).slice(0, 5))}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
      state = await readDatabase(db.url);
    }

    // Stripe made one transfer per escrow: any repeat was answered from its idempotency key.
    const made = s.fake.requests.filter((r) => r.method === "POST" && r.path === "/v1/transfers" && !r.replayed);
    expect(made).toHaveLength(count);
    expect(new Set(made.map((r) => r.idempotencyKey)).size).toBe(count);
    expect(s.fake.transfers.size).toBe(count);
    const transfersPerEscrow = new Map<string, number>();
    for (const transfer of s.fake.transfers.values()) {
      const escrowId = String((transfer.metadata as Json).lessonkit_escrow_id);
      transfersPerEscrow.set(escrowId, (transfersPerEscrow.get(escrowId) ?? 0) + 1);
    }
    expect([...transfersPerEscrow.keys()].sort()).toEqual([...stripeIds].sort());
    expect(new Set(transfersPerEscrow.values())).toEqual(new Set([1]));
    // One succeeded operation per escrow, no lease left held, and a ledger that sums to zero.
    const transfers = state.operations.filter((op) => op.kind === "transfer" && stripeIds.has(op.escrowId));
    expect(transfers).toHaveLength(count);
    expect(transfers.every((op) => op.status === "succeeded" && op.leaseToken === null)).toBe(true);
    // The killed process held claims: they were taken over once its lease ran out, and found made or made once.
    expect(transfers.some((op) => op.attempts > 1)).toBe(true);
    expect(state.ledger).toEqual({ broken: [], ledgerTotal: 0 });
    // Both survivors paid some: the work was shared, not left to one.
    for (const survivor of survivors) {
      const paid = survivor
        .lines()
        .filter((line) => line.msg === "tick")
        .reduce((n, line) => n + line.released, 0);
      expect(paid).toBeGreaterThan(0);
    }
  }, 150_000);

  it("deliver every webhook through receiver failures (a 503 or a dropped connection each): none lost, none twice", async () => {
    const db = await tempDatabaseUrl();
    cleanups.push(db.cleanup);
    const receiver = await new Receiver().start();
    cleanups.push(() => receiver.close());
    // Every event's first attempt meets an outage (a 503, or the connection dropped without an
    // answer, in turn); its retry 5 s later gets through.
    const failedOnce = new Map<string, "503" | "drop">();
    const answeredOk = new Map<string, number>();
    receiver.on("/hook", (request, nth) => {
      if (failedOnce.has(request.id)) {
        answeredOk.set(request.id, (answeredOk.get(request.id) ?? 0) + 1);
        return { status: 200, body: "ok" };
      }
      failedOnce.set(request.id, nth % 2 ? "503" : "drop");
      return nth % 2 ? { status: 503 } : "drop";
    });

    // Development mode: webhooks may go to a loopback receiver.
    const env = { LESSONKIT_DATABASE_URL: db.url, LESSONKIT_MODE: "development" };
    const processes = await Promise.all([startProcess(env), startProcess(env), startProcess(env)]);
    const bases = processes.map((p) => p.url);
    const tenant = await call(bases[0] as string, "POST", "/v1/admin/tenants", ADMIN_KEY, {
      name: "Outages",
      payment_provider: "sandbox",
    });
    expect(tenant.status).toBe(200);
    const key = tenant.body.secret_key as string;
    const endpoint = await call(bases[1] as string, "POST", "/v1/webhook-endpoints", key, {
      url: receiver.url("/hook"),
    });
    expect(endpoint.status).toBe(200);

    // Lessons booked and paid through all three processes in turn: each makes events.
    const lessons = 45;
    for (let i = 0; i < lessons; i++) {
      const base = bases[i % 3] as string;
      const booked = await call(base, "POST", "/v1/bookings", key, bookingBody({ now: () => Date.now() }));
      expect(booked.status).toBe(200);
      const paid = await call(base, "POST", `/v1/sandbox/bookings/${booked.body.id}/pay`, key, {});
      expect(paid.status).toBe(200);
    }
    // What is visible now (session.join_window_opened waits for its time, two hours on).
    const made = (await readDatabase(db.url)).events.filter((event) => event.availableAt <= Date.now());
    expect(made.length).toBeGreaterThanOrEqual(2 * lessons);
    const due = new Set(made.map((event) => event.id));
    // Retries reach the receiver: every event arrives and is answered 2xx, after exactly one failure.
    let state = await readDatabase(db.url);
    const deliveries = () => state.deliveries.filter((d) => due.has(d.eventId));
    const deadline = Date.now() + 60_000;
    while (deliveries().some((d) => d.status !== "succeeded")) {
      if (Date.now() > deadline) {
        throw new Error(`deliveries not done: ${JSON.stringify(deliveries().filter((d) => d.status !== "succeeded"))}`);
      }
      await new Promise((r) => setTimeout(r, 250));
      state = await readDatabase(db.url);
    }
    expect(deliveries()).toHaveLength(made.length);
    const answered = receiver.at("/hook");
    const ids = new Set(answered.map((r) => r.id));
    expect([...ids].sort()).toEqual(made.map((e) => e.id).sort());
    // Each event answered 2xx once: no worker sent it again after it got through.
    expect(new Set(answeredOk.values())).toEqual(new Set([1]));
    expect(answeredOk.size).toBe(made.length);
    const received = new Map<string, number>();
    for (const r of answered) received.set(r.id, (received.get(r.id) ?? 0) + 1);
    for (const delivery of deliveries()) {
      expect(received.get(delivery.eventId)).toBe(2);
      // A 503 is an attempt of its own; a connection dropped on a reused socket is sent again at once
      // on a new one, within the same attempt (webhooks are at least once; the id lets receivers dedupe).
      if (failedOnce.get(delivery.eventId) === "503") expect(delivery.attemptCount).toBe(2);
      else expect([1, 2]).toContain(delivery.attemptCount);
    }
    // All three workers delivered.
    for (const process of processes) {
      const claimed = process.lines().filter((line) => line.msg === "webhook batch");
      expect(claimed.reduce((n, line) => n + line.claimed, 0)).toBeGreaterThan(0);
    }
  }, 150_000);

  it("a write through one process is seen by a status poll on another within a second, at once when announced", async () => {
    const db = await tempDatabaseUrl();
    cleanups.push(db.cleanup);
    const [writer, reader] = await Promise.all([
      startProcess({ LESSONKIT_DATABASE_URL: db.url }),
      startProcess({ LESSONKIT_DATABASE_URL: db.url }),
    ]);
    const w = writer.url;
    const r = reader.url;
    const tenant = await call(w, "POST", "/v1/admin/tenants", ADMIN_KEY, {
      name: "Polls",
      payment_provider: "sandbox",
    });
    expect(tenant.status).toBe(200);
    const key = tenant.body.secret_key as string;
    // A lesson starting in 3 minutes: inside the join window, so the tutor can start it now.
    const booked = await call(w, "POST", "/v1/bookings", key, bookingBody({ now: () => Date.now() }, {}, 3 * MINUTE));
    expect(booked.status).toBe(200);
    expect((await call(w, "POST", `/v1/sandbox/bookings/${booked.body.id}/pay`, key, {})).status).toBe(200);
    const token = async (role: string) =>
      (await call(w, "POST", `/v1/bookings/${booked.body.id}/participant-tokens`, key, { role })).body.token as string;
    const tutor = await token("tutor");
    // The tutor's screen polls the reader (the tutor sees the notes too).
    const poll = () => call(r, "GET", `/v1/sessions/${booked.body.id}`, tutor);

    /**
     * Polls the reader until `seen` holds: no poll that began a second or more after the write may
     * miss it. Returns how long it took.
     */
    async function seenWithinBound(
      write: () => Promise<{ status: number; body: Json }>,
      seen: (status: Json) => boolean,
    ) {
      expect((await poll()).status).toBe(200); // warms the reader's snapshot
      const written = await write();
      expect(written.status, JSON.stringify(written.body)).toBe(200);
      const writtenAt = performance.now();
      for (;;) {
        const began = performance.now();
        const status = (await poll()).body;
        if (seen(status)) return began - writtenAt;
        expect(began - writtenAt, "a poll a second after the write still shows the old state").toBeLessThan(1000);
      }
    }

    await seenWithinBound(
      () => call(w, "POST", `/v1/sessions/${booked.body.id}/start`, tutor, {}),
      (status) => status.status === "in_progress",
    );
    await seenWithinBound(
      () => call(w, "PUT", `/v1/sessions/${booked.body.id}/notes`, tutor, { notes: "Quadratics" }),
      (status) => status.notes === "Quadratics",
    );
    // The reader does not wait out its snapshots: the write is announced (LISTEN/NOTIFY) and seen first.
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      waits.push(
        await seenWithinBound(
          () => call(w, "PUT", `/v1/sessions/${booked.body.id}/notes`, tutor, { notes: `Note ${i}` }),
          (status) => status.notes === `Note ${i}`,
        ),
      );
    }
    expect(Math.min(...waits)).toBeLessThan(500);
  }, 60_000);
});
