import { useCallback, useEffect, useRef, useState } from "react";
import {
  isTokenExpired,
  type RefreshableClient,
  type SessionClientLike,
  type SessionStatus,
  type TokenRefresher,
} from "./client";

export interface SessionStatusOptions {
  /** A status already fetched (e.g. on the server for SSR); rendered first, then kept fresh. */
  initialStatus?: SessionStatus | null;
  /** Fetch at all (default true); false when a parent owns the status. */
  enabled?: boolean;
  /** Follow live updates through `client.watch` (default true). */
  watch?: boolean;
  /** Polling interval handed to `client.watch`. */
  intervalMs?: number;
  /**
   * The participant token expired (401 `participant_token_expired`): polling has stopped. Return a
   * fresh token and the hook hands it to `client.setToken` and resumes; without this option, or
   * when it fails, the hook stays stopped with `expired: true`.
   */
  onTokenExpired?: TokenRefresher;
}

export interface SessionStatusState {
  status: SessionStatus | null;
  error: unknown;
  loading: boolean;
  /** The token expired and no fresh one came: the status shown is the last one known. */
  expired: boolean;
  /** Fetch the status now; resolves with it (or rejects, leaving the last good status in place). */
  refetch: () => Promise<SessionStatus>;
  /** Replace the status with a fresher one you already have (e.g. the response of start or end). */
  update: (status: SessionStatus) => void;
}

/**
 * Asks `refresh` for a fresh token and gives it to the client. True when the client took one; a
 * handler that hands back the token that just expired is not asked again in a loop.
 */
export async function renewToken(
  client: RefreshableClient,
  refresh: TokenRefresher | undefined,
  error: unknown,
  last: { current: string | null },
): Promise<boolean> {
  if (!refresh || !client.setToken) return false;
  const token = await refresh(error);
  if (!token || token === last.current) return false;
  client.setToken(token);
  last.current = token;
  return true;
}

/** The session's status for the client's participant: fetched on mount and followed through `watch`. */
export function useSessionStatus(
  client: Pick<SessionClientLike, "status" | "watch"> & RefreshableClient,
  options: SessionStatusOptions = {},
): SessionStatusState {
  const [status, setStatus] = useState<SessionStatus | null>(options.initialStatus ?? null);
  const [error, setError] = useState<unknown>(null);
  const [expired, setExpired] = useState(false);
  const [loading, setLoading] = useState(!options.initialStatus && (options.enabled ?? true));
  // Bumped when a fresh token arrives: watching starts again with it.
  const [generation, setGeneration] = useState(0);
  const mounted = useRef(true);
  const enabled = options.enabled ?? true;
  const watching = enabled && (options.watch ?? true);
  const { intervalMs } = options;
  const refresher = useRef(options.onTokenExpired);
  refresher.current = options.onTokenExpired;
  const lastToken = useRef<string | null>(null);

  const update = useCallback((next: SessionStatus) => {
    if (!mounted.current) return;
    setStatus(next);
    setError(null);
    setExpired(false);
    setLoading(false);
  }, []);

  const fail = useCallback(
    (err: unknown) => {
      if (!mounted.current) return;
      setError(err);
      setLoading(false);
      if (!isTokenExpired(err)) return;
      renewToken(client, refresher.current, err, lastToken).then(
        (renewed) => {
          if (!mounted.current) return;
          if (renewed) setGeneration((n) => n + 1);
          else setExpired(true);
        },
        (refreshError: unknown) => {
          if (!mounted.current) return;
          setError(refreshError);
          setExpired(true);
        },
      );
    },
    [client],
  );

  const refetch = useCallback(async () => {
    setLoading(true);
    try {
      const next = await client.status();
      update(next);
      return next;
    } catch (err) {
      fail(err);
      throw err;
    }
  }, [client, update, fail]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` restarts watching with a fresh token.
  useEffect(() => {
    mounted.current = true;
    if (!enabled) return;
    let unsubscribe: (() => void) | undefined;
    if (watching) {
      // watch reports the first status itself, then every change; it stops by itself after a 401.
      unsubscribe = client.watch(update, intervalMs === undefined ? { onError: fail } : { intervalMs, onError: fail });
    } else {
      refetch().catch(() => {}); // kept in `error`
    }
    return () => {
      mounted.current = false;
      unsubscribe?.();
    };
  }, [client, refetch, update, fail, enabled, watching, intervalMs, generation]);

  return { status, error, loading, expired, refetch, update };
}
