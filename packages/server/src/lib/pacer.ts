/** Real time for the pacer: a provider's rate limit counts in seconds of the world, not of a test clock. */
export interface PacerTime {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realTime: PacerTime = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Paces calls per key (a tenant's provider account) to a budget of calls per second: each call
 * takes the next free slot, one every 1/rate seconds, and waits for it. There is no burst, so no
 * one-second window ever holds more than `rate` + 1 starts, which keeps a provider's own limiter
 * (Stripe: 25/s in test mode, 100/s live) from refusing anything. A rate limit answered anyway
 * pauses the key: no call of it starts before the pause is over.
 */
export class Pacer {
  readonly #next = new Map<string, number>();
  readonly #pausedUntil = new Map<string, number>();

  constructor(private readonly time: PacerTime = realTime) {}

  /** Waits for this key's next slot. `perSecond` of Infinity (or 0 and below) does not pace. */
  async take(key: string, perSecond: number): Promise<void> {
    if (!Number.isFinite(perSecond) || perSecond <= 0) return;
    const now = this.time.now();
    const slot = Math.max(now, this.#next.get(key) ?? now, this.#pausedUntil.get(key) ?? now);
    this.#next.set(key, slot + 1000 / perSecond);
    if (slot <= now) return;
    await this.time.sleep(slot - now);
    // A pause that began while this call waited: it queues again behind the pause.
    if ((this.#pausedUntil.get(key) ?? 0) > this.time.now()) await this.take(key, perSecond);
  }

  /** The provider answered "too many requests": nothing of this key starts for `ms`. */
  pause(key: string, ms: number): void {
    const until = this.time.now() + ms;
    if (until > (this.#pausedUntil.get(key) ?? 0)) this.#pausedUntil.set(key, until);
    // Slots handed out before the pause would start inside it: they move behind it.
    if ((this.#next.get(key) ?? 0) < until) this.#next.set(key, until);
  }
}
