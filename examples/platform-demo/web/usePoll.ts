import { useCallback, useEffect, useRef, useState } from "react";

/**
 * Loads now, then again every `intervalMs` (and whenever a value in `deps` changes); `reload()`
 * loads at once. Errors keep the last good data.
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: readonly unknown[] = []) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const [nudge, setNudge] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `deps` and `nudge` restart the loop on purpose.
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const next = await loadRef.current();
        if (!stopped) {
          setData(next);
          setError(null);
        }
      } catch (err) {
        if (!stopped) setError(err instanceof Error ? err.message : String(err));
      }
      if (!stopped) timer = setTimeout(tick, intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [intervalMs, nudge, ...deps]);

  const reload = useCallback(() => setNudge((n) => n + 1), []);
  return { data, error, reload };
}
