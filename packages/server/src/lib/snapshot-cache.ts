/**
 * Read-through snapshots for rows that are read far more often than they are written (the session
 * status every participant's screen polls). A snapshot is served only while
 *
 * - no write has reached the database through this process since it was read (`generation`, which
 *   the database adapter bumps after every committed write, from any client of the same file), and
 * - no other process announced a change of its row since (`version`, when the database announces
 *   changes row by row: PostgreSQL), and
 * - it is younger than `ttlMs`, which bounds how stale a write made by another process can look.
 *
 * The generation is read before the row is loaded: a write that lands in between makes the new
 * snapshot stale at once rather than letting an old row pass for a new one.
 */
export interface SnapshotCacheOptions {
  generation: () => number;
  /** Changes of the key's row announced by other processes (0 when the database does not announce rows). */
  version?: (key: string) => number;
  now: () => number;
  /** 0 turns caching off: every get loads. */
  ttlMs: number;
  maxEntries?: number;
}

export class SnapshotCache<T extends object> {
  private readonly entries = new Map<string, { value: T; generation: number; version: number; expiresAt: number }>();
  private readonly maxEntries: number;

  constructor(private readonly options: SnapshotCacheOptions) {
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** The snapshot, without a promise when it is fresh (a poll then never waits a turn for it). */
  get(key: string, load: () => Promise<T>): T | Promise<T> {
    const generation = this.options.generation();
    const version = this.options.version?.(key) ?? 0;
    const now = this.options.now();
    const hit = this.entries.get(key);
    if (hit && hit.generation === generation && hit.version === version && hit.expiresAt > now) return hit.value;
    return this.fill(key, generation, version, now, load);
  }

  private async fill(
    key: string,
    generation: number,
    version: number,
    now: number,
    load: () => Promise<T>,
  ): Promise<T> {
    const value = deepFreeze(await load());
    if (this.options.ttlMs > 0) {
      this.entries.delete(key);
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
      this.entries.set(key, { value, generation, version, expiresAt: now + this.options.ttlMs });
    }
    return value;
  }
}

/** Shared snapshots must not be changed by whoever reads them. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * A bounded memo for values that never go stale (a token's signature checks out or it does not):
 * the oldest entry makes room for a new one.
 */
export class Memo<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly maxEntries = 10_000) {}

  get(key: string, compute: () => V): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
    return value;
  }
}
