import { resolve } from "node:path";
import { serve } from "@hono/node-server";
import { openDatabase } from "./adapters/libsql/database";
import { createApp } from "./app";
import { buildDeps } from "./deps";
import type { Env } from "./env";
import { startTickLoop } from "./jobs/tick";
import { startDeliveryWorker } from "./jobs/webhooks";
import { seedDemoTenant } from "./seed";

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Opens the database, migrates, seeds the demo tenant (development), serves HTTP and runs the tick. */
export async function startServer(env: Env, log: (line: string) => void = console.log): Promise<RunningServer> {
  const database = await openDatabase(env.databaseUrl);
  const deps = buildDeps({
    db: database.db,
    writeGeneration: database.writeGeneration,
    secret: env.secret,
    mode: env.mode,
    agoraFallback: env.agora,
    stripe: { apiUrl: env.stripeApiUrl },
  });
  const app = createApp(deps, { adminKey: env.adminKey });

  let demo: Awaited<ReturnType<typeof seedDemoTenant>> | undefined;
  if (env.mode === "development") {
    const keyFile = env.databaseUrl.startsWith("file:")
      ? resolve(env.databaseUrl.slice("file:".length), "..", "demo-tenant.json")
      : resolve(".lessonkit", "demo-tenant.json");
    demo = await seedDemoTenant(deps, keyFile);
  }

  const server = serve({ fetch: app.fetch, port: env.port });
  await new Promise<void>((done) => server.once("listening", done));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.port;
  const url = `http://localhost:${port}`;
  const ticks = startTickLoop(deps, env.tickIntervalMs, log);
  const deliveries = startDeliveryWorker(deps, { log });

  log(`LessonKit ${env.mode} server listening on ${url}`);
  log(`  API docs:  ${url}/docs   (OpenAPI: ${url}/openapi.json)`);
  log(`  database:  ${env.databaseUrl}`);
  if (demo) {
    log(`  demo sandbox tenant ${demo.tenantId}${demo.created ? " (created)" : ""}`);
    log(`  demo secret key:  ${demo.secretKey}`);
    log(`  admin key:        ${env.adminKey}`);
  }
  return {
    url,
    async close() {
      await ticks.stop();
      await deliveries.stop();
      await new Promise<void>((done) => server.close(() => done()));
      database.close();
    },
  };
}
