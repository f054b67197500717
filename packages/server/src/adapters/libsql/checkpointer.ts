import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * Checkpoints a WAL database from a worker thread. SQLite's automatic checkpoint runs inside the
 * COMMIT that crosses the WAL's size limit: it copies the WAL into the database file and, with
 * `synchronous = NORMAL`, waits for the disk (fsync) — tens of milliseconds on the event loop every
 * few dozen writes, during which no request is answered. Here a thread of its own runs a PASSIVE
 * checkpoint (it never blocks a reader or a writer) every `intervalMs` on a connection of its own,
 * and the app's connection keeps only a far larger automatic limit as a backstop. Should the thread
 * stop, the caller puts the usual limit back.
 */
export interface Checkpointer {
  stop(): Promise<void>;
}

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.libsql);
const db = new Database(workerData.path, { timeout: 0 });
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const timer = setInterval(() => {
  try {
    checkpoint.all();
  } catch {
    // Busy (another checkpoint is running, from this process or another): the next tick tries again.
  }
}, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  try { checkpoint.all(); } catch {}
  db.close();
  parentPort.close();
});
`;

export function startCheckpointer(path: string, options: { intervalMs: number; onStop: () => void }): Checkpointer {
  const libsql = createRequire(import.meta.url).resolve("libsql");
  const worker = new Worker(WORKER, { eval: true, workerData: { path, libsql, intervalMs: options.intervalMs } });
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    worker.once("exit", () => {
      if (!stopping) options.onStop();
      resolve();
    });
    worker.once("error", () => {
      // The exit event follows.
    });
  });
  return {
    async stop() {
      if (stopping) return exited;
      stopping = true;
      worker.postMessage("stop");
      await exited;
    },
  };
}
