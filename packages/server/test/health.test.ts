import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { afterEach, describe, expect, it } from "vitest";
import { openStorage } from "../src/adapters/storage";
import { createApp } from "../src/app";
import { buildDeps } from "../src/deps";
import { loadEnv } from "../src/env";
import { createLogger } from "../src/lib/logger";
import { startServer } from "../src/server";
import { ADMIN_KEY, bookingBody, createTestServer, SECRET, tempDatabaseUrl } from "./harness";
import { createFakeStripe, SECRET_KEY, TUTOR_ACCOUNT, WEBHOOK_SECRET } from "./stripe-mock";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("/healthz and /readyz", () => {
  it("/healthz says the process lives, even with the database gone; /readyz says it is not ready then", async () => {
    const server = await createTestServer();
    expect((await server.call("GET", "/readyz")).body).toEqual({
      ok: true,
      database: "ok",
      migrations: "current",
      shutting_down: false,
    });
    await server.close();
    expect((await server.call("GET", "/healthz")).status).toBe(200);
    const ready = await server.call("GET", "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ ok: false, database: "unreachable" });
  });

  it("/readyz is 503 while the process shuts down", async () => {
    const server = await createTestServer();
    cleanups.push(() => server.close());
    let shuttingDown = false;
    const app = createApp(server.deps, { adminKey: ADMIN_KEY, readiness: { shuttingDown: () => shuttingDown } });
    expect((await app.request("/readyz")).status).toBe(200);
    shuttingDown = true;
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ok: false, database: "ok", migrations: "current", shutting_down: true });
  });

  it("/readyz is 503 on a database whose migrations are behind this build", async () => {
    const db = await tempDatabaseUrl();
    cleanups.push(db.cleanup);
    const database = await openStorage(db.url, { migrate: false });
    cleanups.push(() => database.close());
    const app = createApp(buildDeps({ db: database.db, secret: SECRET }), { adminKey: ADMIN_KEY });
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ok: false, database: "ok", migrations: "behind" });
  });
});

describe("draining the API", () => {
  it("finishes the request in flight, refuses new connections, serves /metrics and /readyz on the metrics port", async () => {
    const db = await tempDatabaseUrl();
    cleanups.push(db.cleanup);
    // A Stripe over real HTTP whose PaymentIntents take 600 ms: a booking is in flight long enough.
    const fake = createFakeStripe();
    let intents = 0;
    const stripe = createAdaptorServer({
      fetch: async (request: Request) => {
        if (new URL(request.url).pathname === "/v1/payment_intents") {
          intents++;
          await new Promise((r) => setTimeout(r, 600));
        }
        return fake.handle(request);
      },
    }) as Server;
    await new Promise<void>((done) => stripe.listen(0, "127.0.0.1", done));
    cleanups.push(() => new Promise((done) => stripe.close(done)));

    const lines: string[] = [];
    const running = await startServer(
      loadEnv({
        PORT: "0",
        LESSONKIT_DATABASE_URL: db.url,
        LESSONKIT_ADMIN_KEY: ADMIN_KEY,
        LESSONKIT_SECRET: SECRET,
        LESSONKIT_STRIPE_API_URL: `http://127.0.0.1:${(stripe.address() as AddressInfo).port}`,
        LESSONKIT_METRICS_PORT: "0",
        LESSONKIT_SHUTDOWN_TIMEOUT: "10s",
      }),
      {
        roles: ["api"],
        logger: createLogger({ level: "info", format: "json", destination: { write: (l: string) => lines.push(l) } }),
      },
    );
    cleanups.push(() => running.close());
    const api = running.url as string;
    const metrics = running.metricsUrl as string;

    const created = await fetch(`${api}/v1/admin/tenants`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        name: "Stripe platform",
        payment_provider: "stripe",
        stripe: { secret_key: SECRET_KEY, webhook_secret: WEBHOOK_SECRET },
      }),
    });
    const { secret_key: key } = (await created.json()) as { secret_key: string };
    // The metrics port has /metrics (no key: keep the port private); the API port has none.
    expect((await fetch(`${api}/metrics`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(404);
    const scraped = await fetch(`${metrics}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain(
      'lessonkit_http_request_duration_seconds_count{method="POST",route="/v1/admin/tenants",status="200"} 1',
    );

    const booking = fetch(`${api}/v1/bookings`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify(
        bookingBody({ now: () => Date.now() }, { tutor: { id: "t1", stripe_account: TUTOR_ACCOUNT } }),
      ),
    });
    while (intents === 0) await new Promise((r) => setTimeout(r, 5));
    const stopped = running.shutdown();

    // Draining: not ready, no new connection, and the booking under way still answered.
    const ready = await fetch(`${metrics}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ shutting_down: true });
    const port = new URL(api).port;
    const refused = await new Promise<string>((done) => {
      const socket = connect(Number(port), "127.0.0.1");
      socket.on("connect", () => done("connected"));
      socket.on("error", (error: NodeJS.ErrnoException) => done(error.code ?? "error"));
    });
    expect(refused).toBe("ECONNREFUSED");
    const answered = await booking;
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ status: "pending_payment" });
    expect(await stopped).toEqual({ clean: true });
    const messages = lines.map((line) => JSON.parse(line).msg);
    expect(messages).toContain("shutting down");
    expect(messages.at(-1)).toBe("stopped");
  });
});
