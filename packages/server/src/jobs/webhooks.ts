import type { Deps } from "../domain/context";
import { deliverDueWebhooks } from "../domain/webhooks/deliver";

export interface DeliveryWorker {
  stop(): Promise<void>;
}

/**
 * Delivers due webhooks continuously, separately from any API request: it drains what is due,
 * then polls every `pollMs`. Several processes may run one against the same database; each
 * delivery is claimed with a lease, so it is attempted by one of them, and retried if that one dies.
 */
export function startDeliveryWorker(
  deps: Deps,
  options: { pollMs?: number; log?: (line: string) => void } = {},
): DeliveryWorker {
  const pollMs = options.pollMs ?? 1000;
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      let attempted = 0;
      try {
        attempted = await deliverDueWebhooks(deps);
      } catch (error) {
        options.log?.(`webhook delivery failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (attempted === 0 && !stopped) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, pollMs).unref();
        });
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
