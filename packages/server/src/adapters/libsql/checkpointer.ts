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
  /** Closes the thread's connection before returning, so the app's own is the last to close. */
  stop(): void;
}

/** [0]: 1 once the worker's connection is closed. */
const CLOSED = 0;

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.libsql);
const state = new Int32Array(workerData.state);
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
  try { db.close(); } finally {
    Atomics.store(state, ${CLOSED}, 1);
    Atomics.notify(state, ${CLOSED});
    parentPort.close();
  }
});
`;

export function startCheckpointer(path: string, options: { intervalMs: number; onStop: () => void }): Checkpointer {
  const libsql = createRequire(import.meta.url).resolve("libsql");
  const state = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { path, libsql, intervalMs: options.intervalMs, state },
  });
  worker.unref();
  let stopping = false;
  let exited = false;
  worker.once("exit", () => {
    exited = true;
    if (!stopping) options.onStop();
  });
  worker.once("error", () => {
    // The exit event follows.
  });
  return {
    stop() {
      if (stopping || exited) return;
      stopping = true;
      worker.postMessage("stop");
      // At most one checkpoint's time: the worker closes between two of them.
      Atomics.wait(new Int32Array(state), CLOSED, 0, 5_000);
    },
  };
}
