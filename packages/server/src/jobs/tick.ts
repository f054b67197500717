import { lt } from "drizzle-orm";
import { idempotencyKeys } from "../db/schema";
import type { Deps } from "../domain/context";
import { type DueWorkSummary, runDueWork } from "../domain/due/run";
import type { Logger } from "../lib/logger";

const IDEMPOTENCY_KEY_TTL_MS = 24 * 3600_000;

/**
 * The due-work entry point: `tick(deps)` runs everything that is due now (see domain/due/run.ts)
 * and forgets idempotency keys older than 24 hours. It runs on start-up, on a timer, on
 * POST /v1/admin/tick and as `lessonkit tick` for an external cron; runs in several processes at
 * once are safe. Once `signal` aborts, the item under way finishes and the rest is left (leases
 * handed back) for the next run.
 */
export async function tick(deps: Deps, options: { signal?: AbortSignal | undefined } = {}): Promise<DueWorkSummary> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const summary = await runDueWork(deps, { signal: options.signal });
    if (!options.signal?.aborted) {
      await deps.db
        .delete(idempotencyKeys)
        .where(lt(idempotencyKeys.createdAt, deps.clock.now() - IDEMPOTENCY_KEY_TTL_MS));
    }
    deps.metrics.tickRun(options.signal?.aborted ? "interrupted" : "completed", seconds());
    return summary;
  } catch (error) {
    deps.metrics.tickRun("failed", seconds());
    throw error;
  }
}

export interface TickLoop {
  /** Stops the loop: a run under way finishes its current item, hands back its leases and ends. */
  stop(): Promise<void>;
}

/** Runs the tick now and every `intervalMs`, never two at once in this process; logs one line a run. */
export function startTickLoop(deps: Deps, intervalMs: number, logger: Logger): TickLoop {
  let running: Promise<void> = Promise.resolve();
  const stopping = new AbortController();
  const runOnce = () => {
    running = running.then(async () => {
      if (stopping.signal.aborted) return;
      const started = performance.now();
      try {
        const summary = await tick(deps, { signal: stopping.signal });
        const duration_ms = Math.round(performance.now() - started);
        logger.info({ ...summary, duration_ms, interrupted: stopping.signal.aborted }, "tick");
      } catch (error) {
        logger.error({ err: error, duration_ms: Math.round(performance.now() - started) }, "tick failed");
      }
    });
  };
  runOnce();
  const timer = setInterval(runOnce, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopping.abort();
      clearInterval(timer);
      await running;
    },
  };
}
