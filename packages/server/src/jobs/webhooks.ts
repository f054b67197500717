import type { Deps } from "../domain/context";
import { deliverWebhookBatch } from "../domain/webhooks/deliver";
import type { Logger } from "../lib/logger";

export interface DeliveryWorker {
  /** Stops the worker: attempts under way finish and are recorded, the rest of the batch is handed back. */
  stop(): Promise<void>;
}

/**
 * Delivers due webhooks continuously, separately from any API request: it drains what is due,
 * then polls every `pollMs`. Several processes may run one against the same database; each
 * delivery is claimed with a lease, so it is attempted by one of them, and retried if that one dies.
 * Logs one line per batch that found work.
 */
export function startDeliveryWorker(deps: Deps, options: { pollMs?: number; logger?: Logger } = {}): DeliveryWorker {
  const pollMs = options.pollMs ?? 1000;
  const stopping = new AbortController();
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      let attempted = 0;
      const started = performance.now();
      try {
        const batch = await deliverWebhookBatch(deps, { signal: stopping.signal });
        attempted = batch.succeeded + batch.retry_scheduled + batch.failed;
        if (batch.claimed > 0) {
          options.logger?.info({ ...batch, duration_ms: Math.round(performance.now() - started) }, "webhook batch");
        }
      } catch (error) {
        options.logger?.error({ err: error }, "webhook delivery failed");
      }
      if (attempted === 0 && !stopping.signal.aborted) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, pollMs).unref();
        });
      }
    }
  })();
  return {
    async stop() {
      stopping.abort();
      wake?.();
      await loop;
    },
  };
}
