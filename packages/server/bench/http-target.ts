/**
 * Child process of the HTTP benchmark: the real app (real migrated libsql file database, a real
 * sandbox tenant and a paid booking made through the API) and a bare Hono app returning the same
 * JSON, each served by @hono/node-server on 127.0.0.1.
 */

import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import pino from "pino";
import { createLogger } from "../src/lib/logger";
import { createTestServer, paidBooking, tempDatabaseUrl } from "../test/harness";
import { serveParent } from "./child";

export interface HttpTarget {
  apiUrl: string;
  bareUrl: string;
  sessionPath: string;
  token: string;
  bytes: number;
}

const database = await tempDatabaseUrl();
// As in production: one JSON line per request at info, through pino's asynchronous buffer (to a
// file beside the database rather than stdout, which the parent does not read).
const logFile = join(database.url.slice("file:".length), "..", "requests.log");
const logDestination = pino.destination({ dest: logFile, sync: false });
const logger = createLogger({ level: "info", format: "json", destination: logDestination });
/** Errors the app logged (read from the log file when asked). */
const loggedErrors = () => {
  logDestination.flushSync();
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line.includes('"level":"error"')).length;
};
const server = await createTestServer({ url: database.url, logger });
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
  server.close();
  database.cleanup();
});
const ready: HttpTarget = {
  apiUrl: api.url,
  bareUrl: bareServer.url,
  sessionPath,
  token: booking.student,
  bytes: JSON.stringify(sample.body).length,
};
process.send?.(ready);
