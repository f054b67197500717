/** A small FIFO async mutex. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  /** Holders and waiters: callers that acquired and have not released yet. */
  #queued = 0;

  /** Whether someone holds it now. */
  get held(): boolean {
    return this.#queued > 0;
  }

  /** How many wait behind the holder. */
  get waiting(): number {
    return Math.max(0, this.#queued - 1);
  }

  /** Resolves with a release function once every earlier holder has released. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    this.#queued++;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ready = this.#tail.then(() => {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        this.#queued--;
        release();
      };
    });
    this.#tail = this.#tail.then(() => next);
    return ready;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
