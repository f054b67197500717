import { useCallback, useEffect, useRef, useState } from "react";
import type { SessionClientLike, SessionStatus } from "./client";

export interface SessionStatusOptions {
  /** A status already fetched (e.g. on the server for SSR); rendered first, then kept fresh. */
  initialStatus?: SessionStatus | null;
  /** Fetch at all (default true); false when a parent owns the status. */
  enabled?: boolean;
  /** Follow live updates through `client.watch` (default true). */
  watch?: boolean;
  /** Polling interval handed to `client.watch`. */
  intervalMs?: number;
}

export interface SessionStatusState {
  status: SessionStatus | null;
  error: unknown;
  loading: boolean;
  /** Fetch the status now; resolves with it (or rejects, leaving the last good status in place). */
  refetch: () => Promise<SessionStatus>;
  /** Replace the status with a fresher one you already have (e.g. the response of start or end). */
  update: (status: SessionStatus) => void;
}

/** The session's status for the client's participant: fetched on mount and followed through `watch`. */
export function useSessionStatus(
  client: Pick<SessionClientLike, "status" | "watch">,
  options: SessionStatusOptions = {},
): SessionStatusState {
  const [status, setStatus] = useState<SessionStatus | null>(options.initialStatus ?? null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(!options.initialStatus && (options.enabled ?? true));
  const mounted = useRef(true);
  const enabled = options.enabled ?? true;
  const watching = enabled && (options.watch ?? true);
  const { intervalMs } = options;

  const update = useCallback((next: SessionStatus) => {
    if (!mounted.current) return;
    setStatus(next);
    setError(null);
    setLoading(false);
  }, []);

  const refetch = useCallback(async () => {
    setLoading(true);
    try {
      const next = await client.status();
      update(next);
      return next;
    } catch (err) {
      if (mounted.current) {
        setError(err);
        setLoading(false);
      }
      throw err;
    }
  }, [client, update]);

  useEffect(() => {
    mounted.current = true;
    if (!enabled) return;
    let unsubscribe: (() => void) | undefined;
    if (watching) {
      // watch reports the first status itself, then every change.
      const onError = (err: unknown) => mounted.current && setError(err);
      unsubscribe = client.watch(update, intervalMs === undefined ? { onError } : { intervalMs, onError });
    } else {
      refetch().catch(() => {}); // kept in `error`
    }
    return () => {
      mounted.current = false;
      unsubscribe?.();
    };
  }, [client, refetch, update, enabled, watching, intervalMs]);

  return { status, error, loading, refetch, update };
}
