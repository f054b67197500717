import { describe, expect, it } from "vitest";
import { Pacer, type PacerTime } from "./pacer";

/** Time that moves only when a sleeper's turn comes: the pacer's schedule without waiting for it. */
function virtualTime() {
  let now = 0;
  const sleepers: { at: number; wake: () => void }[] = [];
  const time: PacerTime = {
    now: () => now,
    sleep: (ms) => new Promise<void>((wake) => sleepers.push({ at: now + ms, wake })),
  };
  /** Runs `calls` to completion, waking sleepers in time order; returns when each call started. */
  async function run(calls: (() => Promise<void>)[]) {
    const started: number[] = [];
    const done = Promise.all(
      calls.map(async (call, index) => {
        await call();
        started[index] = now;
      }),
    );
    let settled = false;
    done.then(() => {
      settled = true;
    });
    while (!settled) {
      await new Promise((resolve) => setImmediate(resolve));
      sleepers.sort((a, b) => a.at - b.at);
      const next = sleepers.shift();
      if (next) {
        now = Math.max(now, next.at);
        next.wake();
      }
    }
    return started;
  }
  return { time, run, advance: (ms: number) => (now += ms) };
}

describe("the provider pacer", () => {
  it("spaces a key's calls 1/rate apart with no burst, so no second holds more than rate + 1 starts", async () => {
    const clock = virtualTime();
    const pacer = new Pacer(clock.time);
    const started = await clock.run(Array.from({ length: 100 }, () => () => pacer.take("tn_a", 25)));
    const sorted = [...started].sort((a, b) => a - b);
    expect(sorted[0]).toBe(0);
    expect(sorted[99]).toBeCloseTo(99 * 40, 6);
    for (let i = 0; i + 25 < sorted.length; i++)
      expect(sorted[i + 25]! - sorted[i]!).toBeGreaterThanOrEqual(1000 - 1e-6);
  });

  it("keeps keys apart: one tenant's budget does not slow another's", async () => {
    const clock = virtualTime();
    const pacer = new Pacer(clock.time);
    const started = await clock.run([
      ...Array.from({ length: 10 }, () => () => pacer.take("tn_a", 10)),
      () => pacer.take("tn_b", 10),
    ]);
    expect(started[10]).toBe(0);
    expect(Math.max(...started.slice(0, 10))).toBeCloseTo(900, 6);
  });

  it("starts nothing of a paused key before the pause ends, even calls already waiting for a slot", async () => {
    const clock = virtualTime();
    const pacer = new Pacer(clock.time);
    const calls = Array.from({ length: 5 }, () => () => pacer.take("tn_a", 100));
    const waiting = clock.run(calls);
    pacer.pause("tn_a", 2000);
    const started = await waiting;
    // The first call had its slot at once; the four waiting ones start after the pause, still paced.
    expect([...started].sort((a, b) => a - b)).toEqual([0, 2000, 2010, 2020, 2030]);
  });

  it("does not pace an unlimited budget", async () => {
    const clock = virtualTime();
    const pacer = new Pacer(clock.time);
    expect(await clock.run(Array.from({ length: 50 }, () => () => pacer.take("sandbox", Infinity)))).toEqual(
      Array(50).fill(0),
    );
  });
});
