import { lt } from "drizzle-orm";
import { idempotencyKeys } from "../db/schema";
import type { Deps } from "../domain/context";
import { type DueWorkSummary, runDueWork } from "../domain/due/run";

const IDEMPOTENCY_KEY_TTL_MS = 24 * 3600_000;

/**
 * The due-work entry point: `tick(deps)` runs everything that is due now (see domain/due/run.ts)
 * and forgets idempotency keys older than 24 hours. It runs on start-up, on a timer, on
 * POST /v1/admin/tick and as `lessonkit tick` for an external cron; runs in several processes at
 * once are safe.
 */
export async function tick(deps: Deps): Promise<DueWorkSummary> {
  const summary = await runDueWork(deps);
  await deps.db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, deps.clock.now() - IDEMPOTENCY_KEY_TTL_MS));
  return summary;
}

export interface TickLoop {
  stop(): Promise<void>;
}

/** Runs the tick now and every `intervalMs`, never two at once in this process. */
export function startTickLoop(deps: Deps, intervalMs: number, log: (line: string) => void): TickLoop {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const runOnce = () => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        const summary = await tick(deps);
        const work = Object.entries(summary).filter(([, n]) => n > 0);
        if (work.length > 0) log(`tick: ${work.map(([k, n]) => `${k}=${n}`).join(" ")}`);
      } catch (error) {
        log(`tick failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  };
  runOnce();
  const timer = setInterval(runOnce, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
