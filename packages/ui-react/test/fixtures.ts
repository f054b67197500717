import type { Escrow, SessionClientLike, SessionStatus, SessionWithVideo } from "../src";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A lesson from 14:00 to 15:00 UTC, join window from 13:55. */
export const START = Date.parse("2030-03-05T14:00:00.000Z");
export const END = START + HOUR;
export const OPENS = START - 5 * MINUTE;
/** The default policy's deadlines: no-show at start + 15 min, auto-completion at end + 10 min. */
export const NO_SHOW = START + 15 * MINUTE;
export const AUTO_COMPLETE = END + 10 * MINUTE;

const iso = (ms: number) => new Date(ms).toISOString();

export function makeStatus(overrides: Partial<SessionStatus> = {}, serverNow = OPENS - HOUR): SessionStatus {
  return {
    booking_id: "bk_test",
    role: "tutor",
    status: "confirmed",
    phase: serverNow < OPENS ? "upcoming" : "joinable",
    subject: "Algebra",
    timezone: null,
    scheduled_start: iso(START),
    ends_at: iso(END),
    duration_minutes: 60,
    join_opens_at: iso(OPENS),
    no_show_at: iso(NO_SHOW),
    auto_complete_at: iso(AUTO_COMPLETE),
    started_at: null,
    started_by: null,
    ended_at: null,
    ended_by: null,
    no_show_side: null,
    server_time: iso(serverNow),
    can_start: serverNow >= OPENS,
    can_join: false,
    can_end: false,
    participants: { student: { name: "Sam", joined_at: null }, tutor: { name: "Tia", joined_at: null } },
    notes: null,
    rating: null,
    escrow: { status: "held", release_at: null, currency: "usd", amount: 5000, tutor_amount: 4000 },
    ...overrides,
  };
}

export function live(serverNow: number, overrides: Partial<SessionStatus> = {}): SessionStatus {
  return makeStatus(
    {
      status: "in_progress",
      phase: "in_progress",
      started_at: iso(START),
      started_by: "tutor",
      can_join: true,
      can_end: true,
      participants: { student: { name: "Sam", joined_at: iso(START) }, tutor: { name: "Tia", joined_at: iso(START) } },
      ...overrides,
    },
    serverNow,
  );
}

export function completed(overrides: Partial<SessionStatus> = {}): SessionStatus {
  const endedAt = END - 2 * MINUTE;
  return live(endedAt, {
    status: "completed",
    phase: "ended",
    ended_at: iso(endedAt),
    ended_by: "tutor",
    can_join: false,
    can_end: false,
    escrow: {
      status: "release_scheduled",
      release_at: iso(endedAt + 24 * HOUR),
      currency: "usd",
      amount: 5000,
      tutor_amount: 4000,
    },
    ...overrides,
  });
}

export function withVideo(status: SessionStatus): SessionWithVideo {
  return {
    ...status,
    video: {
      provider: "agora",
      app_id: "app",
      channel: "ch_test",
      uid: 42,
      token: "007tok",
      expires_at: iso(END + 10 * MINUTE),
    },
  };
}

/** An escrow as the dispute route returns it (the fields the components read). */
const ESCROW = {
  id: "esc_test",
  object: "escrow",
  booking_id: "bk_test",
  currency: "usd",
  amount: 5000,
  tutor_amount: 4000,
} as unknown as Escrow;

/** What the API answers once a participant token has expired (as a LessonKitError carries it). */
export const tokenExpired = () =>
  Object.assign(new Error("The participant token has expired; ask the platform for a new one"), {
    status: 401,
    code: "participant_token_expired",
  });

type Deferred<T> = { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void };
export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A structural stand-in for the SDK's SessionClient with a settable server offset: the status it
 * serves, the watch listeners it holds and every call it received are visible to the test.
 */
export class FakeSessionClient implements SessionClientLike {
  calls: string[] = [];
  listeners = new Set<(s: SessionStatus, previous: SessionStatus | undefined) => void>();
  offset = 0;
  current: SessionStatus;
  nextEnter: (() => Promise<SessionWithVideo>) | null = null;

  constructor(status: SessionStatus, offset = 0) {
    this.current = status;
    this.offset = offset;
  }

  /** The server changed: every watcher hears it, as the SDK's polling would report it. */
  push(status: SessionStatus) {
    this.current = status;
    for (const listener of this.listeners) listener(status, undefined);
  }

  status = async () => {
    this.calls.push("status");
    return this.current;
  };
  start = async () => this.enter("start");
  join = async () => this.enter("join");
  end = async () => {
    this.calls.push("end");
    return this.current;
  };
  saveNotes = async (notes: string) => {
    this.calls.push("saveNotes");
    return { booking_id: "bk_test", notes, updated_at: this.current.server_time };
  };
  rate = async (stars: number, comment?: string) => {
    this.calls.push(`rate:${stars}:${comment ?? ""}`);
    return { booking_id: "bk_test", stars, comment: comment ?? null, rated_at: this.current.server_time };
  };
  dispute = async (reason: string) => {
    this.calls.push(`dispute:${reason}`);
    return { ...ESCROW, status: "disputed" as const };
  };
  /** Tokens handed over through setToken, in order. */
  tokens: string[] = [];
  setToken = (token: string) => {
    this.calls.push("setToken");
    this.tokens.push(token);
  };
  serverOffset = () => this.offset;
  watch = (
    onChange: (s: SessionStatus, previous: SessionStatus | undefined) => void,
    options: { onError?: (error: never) => void } = {},
  ) => {
    this.calls.push("watch");
    this.listeners.add(onChange);
    if (options.onError) this.errorListeners.set(onChange, options.onError as (error: unknown) => void);
    queueMicrotask(() => onChange(this.current, undefined));
    return () => {
      this.listeners.delete(onChange);
      this.errorListeners.delete(onChange);
    };
  };
  errorListeners = new Map<unknown, (error: unknown) => void>();

  /** A poll failed: every watcher hears it; like the SDK, a 401 ends their watching. */
  fail(error: { status: number; code: string; message?: string }) {
    for (const [listener, onError] of [...this.errorListeners]) {
      onError(error);
      if (error.status === 401) {
        this.listeners.delete(listener as never);
        this.errorListeners.delete(listener);
      }
    }
  }

  private async enter(kind: "start" | "join") {
    this.calls.push(kind);
    if (this.nextEnter) return this.nextEnter();
    return withVideo(live(this.current.server_time ? Date.parse(this.current.server_time) : START));
  }
}
