import { createHash } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { PrometheusMetrics } from "./adapters/prometheus/metrics";
import { openStorage } from "./adapters/storage";
import { createApp } from "./app";
import { buildDeps } from "./deps";
import type { Deps } from "./domain/context";
import type { Env } from "./env";
import { startTickLoop } from "./jobs/tick";
import { startDeliveryWorker } from "./jobs/webhooks";
import { createLogger, flushLogger, type Logger } from "./lib/logger";
import { metricsResponse } from "./routes/system/metrics";
import { checkReadiness, type Readiness } from "./routes/system/routes";
import { seedDemoTenant } from "./seed";

/**
 * What a process runs: `api` serves HTTP; `worker` runs the tick (due work, the money executor) and
 * the webhook delivery worker. `lessonkit start` runs both; production can scale them apart.
 */
export const ROLES = ["api", "worker"] as const;
export type Role = (typeof ROLES)[number];

export interface StartOptions {
  /** Both by default. */
  roles?: readonly Role[];
  /** The process's logger (by default one built from the configuration). */
  logger?: Logger;
  /**
   * How long a money operation claimed by this process stays its own before another process may
   * take it up (5 minutes by default): the wait after a crash. Tests of crashes shorten it.
   */
  releaseLeaseMs?: number;
}

export interface RunningServer {
  /** The API's address, when this process serves it. */
  url: string | undefined;
  /** The metrics port's address, when LESSONKIT_METRICS_PORT is set. */
  metricsUrl: string | undefined;
  /**
   * Drains and stops: /readyz answers 503, no new connection is accepted, requests in flight finish,
   * the tick and the webhook worker finish their current item and hand back the leases of the rest,
   * then the database is closed. Whatever is still running after LESSONKIT_SHUTDOWN_TIMEOUT is cut
   * off (`clean: false`). Safe to call more than once.
   */
  shutdown(): Promise<{ clean: boolean }>;
  close(): Promise<void>;
}

/** Opens the database, migrates, seeds the demo tenant (development), then runs the roles asked for. */
export async function startServer(env: Env, options: StartOptions = {}): Promise<RunningServer> {
  const roles = new Set<Role>(options.roles ?? ROLES);
  const logger = options.logger ?? createLogger({ level: env.logLevel, format: env.logFormat });
  const database = await openStorage(env.databaseUrl, { pool: env.databasePool });
  const deps = buildDeps({
    db: database.db,
    writeGeneration: database.writeGeneration,
    changeVersion: database.changeVersion,
    secret: env.secret,
    mode: env.mode,
    agoraFallback: env.agora,
    stripe: { apiUrl: env.stripeApiUrl },
    releaseLeaseMs: options.releaseLeaseMs,
    metrics: new PrometheusMetrics({
      tenantLabels: env.metricsTenantLabels,
      processMetrics: true,
      pool: database.poolUse,
    }),
  });
  let shuttingDown = false;
  const readiness: Readiness = {
    shuttingDown: () => shuttingDown,
    migrationsCurrent: () => database.migrationsCurrent(),
  };

  let demo: Awaited<ReturnType<typeof seedDemoTenant>> | undefined;
  if (env.mode === "development") {
    // Beside the database file; for a database elsewhere (a server), one file per database.
    const keyFile = env.databaseUrl.startsWith("file:")
      ? resolve(env.databaseUrl.slice("file:".length), "..", "demo-tenant.json")
      : resolve(
          ".lessonkit",
          `demo-tenant-${createHash("sha256").update(env.databaseUrl).digest("hex").slice(0, 12)}.json`,
        );
    demo = await seedDemoTenant(deps, keyFile);
  }

  const api = roles.has("api")
    ? await listen(
        createApp(deps, { adminKey: env.adminKey, logger, readiness, metrics: env.metricsPort === undefined }).fetch,
        env.port,
      )
    : undefined;
  const metricsServer =
    env.metricsPort === undefined ? undefined : await listen(metricsApp(deps, readiness).fetch, env.metricsPort);
  const ticks = roles.has("worker") ? startTickLoop(deps, env.tickIntervalMs, logger) : undefined;
  const deliveries = roles.has("worker") ? startDeliveryWorker(deps, { logger }) : undefined;

  logger.info(
    {
      mode: env.mode,
      roles: [...roles],
      url: api?.url,
      metrics_url: metricsServer?.url,
      database: describeDatabase(env.databaseUrl),
    },
    "started",
  );
  if (env.mode === "development") {
    // The developer's banner (development only: the demo key is meant to be copied from here).
    const print = (line: string) => process.stdout.write(`${line}\n`);
    if (api) {
      print(`LessonKit ${env.mode} server listening on ${api.url}`);
      print(`  API docs:  ${api.url}/docs   (OpenAPI: ${api.url}/openapi.json)`);
    }
    print(`  database:  ${describeDatabase(env.databaseUrl)}`);
    if (demo && api) {
      print(`  demo sandbox tenant ${demo.tenantId}${demo.created ? " (created)" : ""}`);
      print(`  demo secret key:  ${demo.secretKey}`);
      print(`  admin key:        ${env.adminKey}`);
    }
  }

  let stopped: Promise<{ clean: boolean }> | undefined;
  const shutdown = () => {
    stopped ??= (async () => {
      shuttingDown = true;
      logger.info({ timeout_ms: env.shutdownTimeoutMs }, "shutting down");
      const deadline = Date.now() + env.shutdownTimeoutMs;
      const [httpDrained, workersStopped] = await Promise.all([
        api ? api.drain(deadline) : true,
        withDeadline(Promise.all([ticks?.stop(), deliveries?.stop()]), deadline),
      ]);
      await metricsServer?.drain(Date.now());
      await database.close();
      const clean = httpDrained && workersStopped;
      if (clean) logger.info("stopped");
      else
        logger.warn({ http_drained: httpDrained, workers_stopped: workersStopped }, "stopped at the shutdown timeout");
      // The log lines' own wait: what is left of the shutdown timeout, and a moment even past it.
      await flushLogger(logger, Math.min(2_000, Math.max(100, deadline - Date.now())));
      return { clean };
    })();
    return stopped;
  };
  return {
    url: api?.url,
    metricsUrl: metricsServer?.url,
    shutdown,
    async close() {
      await shutdown();
    },
  };
}

/** The metrics port: /metrics without a key (keep the port private), and the health checks for processes without the API. */
function metricsApp(deps: Deps, readiness: Readiness) {
  const app = new Hono();
  app.get("/metrics", () => metricsResponse(deps));
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/readyz", async (c) => {
    const state = await checkReadiness(deps, readiness);
    return c.json(state, state.ok ? 200 : 503);
  });
  return app;
}

interface Listening {
  url: string;
  /** Stops accepting connections and waits for requests in flight until `deadline`; false if some were cut off. */
  drain(deadline: number): Promise<boolean>;
}

async function listen(fetch: (request: Request) => Response | Promise<Response>, port: number): Promise<Listening> {
  const server = serve({ fetch, port }) as Server;
  await new Promise<void>((done) => server.once("listening", done));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    url,
    drain(deadline) {
      return new Promise<boolean>((done) => {
        let cutOff = false;
        // Idle keep-alive connections are closed as soon as their request is answered.
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        const timer = setTimeout(
          () => {
            cutOff = true;
            server.closeAllConnections();
          },
          Math.max(0, deadline - Date.now()),
        );
        server.close(() => {
          clearInterval(idle);
          clearTimeout(timer);
          done(!cutOff);
        });
        server.closeIdleConnections();
      });
    },
  };
}

/** Resolves true when `work` settles before `deadline`, false otherwise. */
async function withDeadline(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((done) => {
    timer = setTimeout(() => done(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The database URL without credentials (a password, an auth token in the query). */
function describeDatabase(url: string): string {
  if (!/^[a-z]+:\/\//i.test(url)) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "redacted";
    parsed.search = "";
    return parsed.toString();
  } catch {
    return url.replace(/\?.*$/, "");
  }
}
