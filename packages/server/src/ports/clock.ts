/** The time source. Domain code never reads the wall clock; it asks this (epoch milliseconds). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests and benchmarks move by hand. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start: number | Date = Date.UTC(2030, 0, 1, 9, 0, 0)) {
    this.#now = typeof start === "number" ? start : start.getTime();
  }
  now(): number {
    return this.#now;
  }
  set(at: number | Date): void {
    this.#now = typeof at === "number" ? at : at.getTime();
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}
