/**
 * Child process of the HTTP benchmark: the real app (over the migrated database BENCH_DATABASE_URL
 * names, libsql or PostgreSQL, with a real sandbox tenant and a paid booking made through the API)
 * and a bare Hono app returning the same JSON, each served by @hono/node-server on 127.0.0.1.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import pino from "pino";
import { createLogger } from "../src/lib/logger";
import { createTestServer, paidBooking } from "../test/harness";
import { databaseUrlFromParent, serveParent } from "./child";
import { benchPool } from "./engine";

export interface HttpTarget {
  apiUrl: string;
  bareUrl: string;
  sessionPath: string;
  token: string;
  bytes: number;
}

const databaseUrl = databaseUrlFromParent();
// As in production: one JSON line per request at info, through pino's asynchronous buffer (to a
// file in a temp directory rather than stdout, which the parent does not read).
const logDir = mkdtempSync(join(tmpdir(), "lessonkit-bench-log-"));
const logFile = join(logDir, "requests.log");
const logDestination = pino.destination({ dest: logFile, sync: false });
const logger = createLogger({ level: "info", format: "json", destination: logDestination });
/** Errors the app logged (read from the log file when asked). */
const loggedErrors = () => {
  logDestination.flushSync();
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line.includes('"level":"error"')).length;
};
const server = await createTestServer({ url: databaseUrl, logger, pool: benchPool() });
const { key } = await server.createTenant();
const booking = await paidBooking(server, key);
const sessionPath = `/v1/sessions/${booking.id}`;
const sample = await server.call("GET", sessionPath, { key: booking.student });
if (sample.status !== 200) throw new Error(`session status failed: ${JSON.stringify(sample.body)}`);

const bare = new Hono();
bare.get("/bare", (c) => c.json(sample.body));

const listen = (fetch: (request: Request) => Response | Promise<Response>) =>
  new Promise<{ url: string; close(): Promise<void> }>((resolve) => {
    const http = serve({ fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => http.close(() => done())),
      }),
    );
  });
const api = await listen(server.app.fetch);
const bareServer = await listen(bare.fetch);

serveParent({ errors: () => ({ count: loggedErrors() }) }, async () => {
  await Promise.all([api.close(), bareServer.close()]);
  await server.close();
  rmSync(logDir, { recursive: true, force: true });
});
const ready: HttpTarget = {
  apiUrl: api.url,
  bareUrl: bareServer.url,
  sessionPath,
  token: booking.student,
  bytes: JSON.stringify(sample.body).length,
};
process.send?.(ready);
