import { LessonKitError } from "./errors";
import { type Timing, Transport, type TransportOptions } from "./http";
import type {
  DisputeParams,
  Escrow,
  RateSessionBody,
  Rating,
  Role,
  SaveNotesBody,
  SessionNotes,
  SessionStatus,
  SessionWithVideo,
} from "./types";

export interface SessionClientOptions extends TransportOptions {
  /** A participant token (`lk_pt_…`) minted by the platform's backend for one booking and role. */
  token: string;
  /** The booking the token is for; read from the token when omitted. */
  bookingId?: string;
}

export interface WatchOptions {
  /** How often to poll while the page is visible. Default 5 000 ms. */
  intervalMs?: number;
  /** Called when a poll fails; polling goes on, except after 401/403/404, which stop it. */
  onError?: (error: LessonKitError) => void;
}

/** Called with the new status and the one before it (undefined on the first report). */
export type StatusListener = (status: SessionStatus, previous: SessionStatus | undefined) => void;

/**
 * The participant's client for one session, safe in browsers and apps: it holds a participant
 * token, never a secret key. Every session response carries `server_time`, from which
 * `serverOffset()` keeps the server's clock relative to the local one.
 */
export class SessionClient {
  readonly bookingId: string;
  /** The role in the token, when it could be read from it. */
  #role: Role | undefined;
  readonly #http: Transport;
  #offset = 0;

  constructor(options: SessionClientOptions) {
    const claims = readTokenClaims(options.token);
    const bookingId = options.bookingId ?? claims?.bookingId;
    if (!bookingId) {
      throw new LessonKitError({
        type: "invalid_request_error",
        code: "invalid_participant_token",
        status: 0,
        message: "SessionClient: the token is not a participant token; pass `bookingId` explicitly",
        param: "token",
      });
    }
    this.bookingId = bookingId;
    this.#role = claims?.role;
    this.#http = new Transport(options.token, options);
  }

  /** The role in the token, when it could be read from it. */
  get role(): Role | undefined {
    return this.#role;
  }

  /**
   * Hands the client a fresh participant token (after `participant_token_expired`, or before the
   * old one runs out): every later call uses it, and so does a `watch` that is still polling. The
   * token must be for this client's booking; one for another booking throws and changes nothing.
   */
  setToken(token: string): void {
    const claims = readTokenClaims(token);
    if (claims && claims.bookingId !== this.bookingId) {
      throw new LessonKitError({
        type: "invalid_request_error",
        code: "token_booking_mismatch",
        status: 0,
        message: `SessionClient: the token is for booking ${claims.bookingId}, not ${this.bookingId}`,
        param: "token",
      });
    }
    if (claims?.role) this.#role = claims.role;
    this.#http.setAuthorization(token);
  }

  /** The session as this participant sees it (`GET /v1/sessions/{bookingId}`). */
  status(): Promise<SessionStatus> {
    return this.#session("GET", "");
  }

  /** Starts the session (or joins it when the other side already started); returns video credentials. */
  start(): Promise<SessionWithVideo> {
    return this.#session("POST", "/start");
  }

  /** Joins the running session; returns video credentials. */
  join(): Promise<SessionWithVideo> {
    return this.#session("POST", "/join");
  }

  /** Ends the session; the tutor is paid after the release delay unless the student disputes. */
  end(): Promise<SessionStatus> {
    return this.#session("POST", "/end");
  }

  /** Saves the tutor's notes (replacing earlier ones). */
  saveNotes(text: string): Promise<SessionNotes> {
    const body: SaveNotesBody = { notes: text };
    return this.#http.request("PUT", this.#path("/notes"), { body });
  }

  /** The student's rating, 1–5 stars, once the session is completed; once. */
  rate(stars: number, comment?: string): Promise<Rating> {
    const body: RateSessionBody = comment === undefined ? { stars } : { stars, comment };
    return this.#http.request("POST", this.#path("/rating"), { body });
  }

  /** The student disputes the lesson, freezing the release until the platform resolves it. */
  dispute(reason: string): Promise<Escrow> {
    const body: DisputeParams = { reason };
    return this.#http.request("POST", this.#path("/dispute"), { body });
  }

  /** Server time minus local time in ms, from the last session response (0 before the first). */
  serverOffset(): number {
    return this.#offset;
  }

  /** The server's current time in epoch ms, by the local clock corrected with `serverOffset()`. */
  serverNow(): number {
    return Date.now() + this.#offset;
  }

  /**
   * Polls `status()` and calls `onChange` whenever the session changed (anything but
   * `server_time`), starting with the first status. Polling pauses while the page is hidden and
   * polls again as soon as it is visible. Returns the function that stops watching.
   */
  watch(onChange: StatusListener, options: WatchOptions = {}): () => void {
    const intervalMs = options.intervalMs ?? 5_000;
    const doc = (globalThis as { document?: VisibilityDocument }).document;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    let previous: SessionStatus | undefined;
    let previousKey: string | undefined;

    const schedule = () => {
      if (stopped || doc?.hidden) return;
      clearTimeout(timer);
      timer = setTimeout(poll, intervalMs);
    };
    const poll = async () => {
      timer = undefined;
      if (stopped || inFlight) return;
      inFlight = true;
      try {
        const status = await this.status();
        if (stopped) return;
        const key = changeKey(status);
        if (key !== previousKey) {
          const before = previous;
          previous = status;
          previousKey = key;
          onChange(status, before);
        }
      } catch (error) {
        if (stopped) return;
        const failure = error instanceof LessonKitError ? error : toUnknownError(error);
        options.onError?.(failure);
        if (failure.status === 401 || failure.status === 403 || failure.status === 404) {
          stop();
          return;
        }
      } finally {
        inFlight = false;
      }
      schedule();
    };
    const onVisibility = () => {
      if (!doc || stopped) return;
      if (doc.hidden) {
        clearTimeout(timer);
        timer = undefined;
      } else if (timer === undefined && !inFlight) {
        void poll();
      }
    };
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      doc?.removeEventListener("visibilitychange", onVisibility);
    };

    doc?.addEventListener("visibilitychange", onVisibility);
    if (!doc?.hidden) void poll();
    return stop;
  }

  async #session<T extends SessionStatus>(method: "GET" | "POST", suffix: string): Promise<T> {
    const { data, timing } = await this.#http.requestTimed<T>(method, this.#path(suffix));
    this.#observe(data.server_time, timing);
    return data;
  }

  #observe(serverTime: string | undefined, timing: Timing) {
    const server = serverTime ? Date.parse(serverTime) : Number.NaN;
    if (Number.isNaN(server) || !timing.receivedAt) return;
    // The server read its clock somewhere between send and receipt; the midpoint halves the error.
    this.#offset = Math.round(server - (timing.sentAt + timing.receivedAt) / 2);
  }

  #path(suffix: string): string {
    return `/v1/sessions/${encodeURIComponent(this.bookingId)}${suffix}`;
  }
}

interface VisibilityDocument {
  hidden: boolean;
  addEventListener(type: "visibilitychange", listener: () => void): void;
  removeEventListener(type: "visibilitychange", listener: () => void): void;
}

function changeKey(status: SessionStatus): string {
  const { server_time: _serverTime, ...rest } = status;
  return JSON.stringify(rest);
}

function toUnknownError(error: unknown): LessonKitError {
  return new LessonKitError({
    type: "api_error",
    code: "unexpected_error",
    status: 0,
    message: error instanceof Error ? error.message : String(error),
    cause: error,
  });
}

/** Reads the booking and role from an `lk_pt_<base64url json>.<signature>` token (unverified, for routing only). */
function readTokenClaims(token: string): { bookingId: string; role: Role | undefined } | undefined {
  if (typeof token !== "string" || !token.startsWith("lk_pt_")) return undefined;
  const payload = token.slice("lk_pt_".length).split(".")[0];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const json = JSON.parse(atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4))) as { bk?: unknown; r?: unknown };
    if (typeof json.bk !== "string") return undefined;
    return { bookingId: json.bk, role: json.r === "student" || json.r === "tutor" ? json.r : undefined };
  } catch {
    return undefined;
  }
}
