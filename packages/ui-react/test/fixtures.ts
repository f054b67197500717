import type { SessionClientLike, SessionStatus, SessionWithVideo } from "../src";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A lesson from 14:00 to 15:00 UTC, join window from 13:55. */
export const START = Date.parse("2030-03-05T14:00:00.000Z");
export const END = START + HOUR;
export const OPENS = START - 5 * MINUTE;

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
  dispute = async (): Promise<never> => {
    throw new Error("not used");
  };
  serverOffset = () => this.offset;
  watch = (onChange: (s: SessionStatus, previous: SessionStatus | undefined) => void) => {
    this.calls.push("watch");
    this.listeners.add(onChange);
    queueMicrotask(() => onChange(this.current, undefined));
    return () => {
      this.listeners.delete(onChange);
    };
  };

  private async enter(kind: "start" | "join") {
    this.calls.push(kind);
    if (this.nextEnter) return this.nextEnter();
    return withVideo(live(this.current.server_time ? Date.parse(this.current.server_time) : START));
  }
}
