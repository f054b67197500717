/**
 * Child of the exit test in test/logs.test.ts: logs `LINES` lines to stdout through the production
 * JSON logger (an asynchronous buffer): a burst, then after a pause (the burst still being written
 * to the pipe) the last one; then waits for `flushLogger` and exits at once, as `lessonkit start`
 * does after its shutdown.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createLogger, flushLogger } from "../src/lib/logger";

// A child logger, as the parts of the server use: it shares its parent's buffer.
const logger = createLogger({ level: "info", format: "json" }).child({ part: "exit-test" });
const lines = Number(process.env.LINES ?? 1000);
for (let n = 1; n < lines; n++) logger.info({ n, padding: "x".repeat(200) }, "line");
await sleep(Number(process.env.PAUSE_MS ?? 0));
logger.info({ n: lines }, "last");
await flushLogger(logger);
process.exit(0);
