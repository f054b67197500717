import { HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { LessonKitError, SessionClient, type SessionStatus } from "../src/browser";
import { apiError, BASE, fakeApi } from "./msw";

const api = fakeApi();

/** A token shaped like the server's (`lk_pt_<base64url claims>.<signature>`); the client only routes by it. */
function tokenFor(bookingId: string, role: "student" | "tutor") {
  const claims = { v: 1, tn: "tn_1", bk: bookingId, r: role, u: "u1", exp: 0 };
  return `lk_pt_${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2lnbmF0dXJl`;
}

const TOKEN = tokenFor("bk_42", "tutor");
const client = (options: Partial<ConstructorParameters<typeof SessionClient>[0]> = {}) =>
  new SessionClient({ token: TOKEN, baseUrl: BASE, retryDelayMs: 1, ...options });

function status(overrides: Partial<SessionStatus> = {}): SessionStatus {
  return {
    booking_id: "bk_42",
    role: "tutor",
    status: "confirmed",
    phase: "upcoming",
    server_time: new Date().toISOString(),
    can_start: false,
    can_join: false,
    can_end: false,
    ...overrides,
  } as SessionStatus;
}

describe("SessionClient", () => {
  it("reads the booking and role from the participant token", () => {
    const session = client();
    expect(session.bookingId).toBe("bk_42");
    expect(session.role).toBe("tutor");
  });

  it("takes an explicit bookingId, and refuses a token it cannot route without one", () => {
    expect(client({ token: "opaque", bookingId: "bk_7" }).bookingId).toBe("bk_7");
    expect(() => client({ token: "opaque" })).toThrow(LessonKitError);
  });

  type Case = [string, (s: SessionClient) => Promise<unknown>, string, string, unknown];
  const cases: Case[] = [
    ["status", (s) => s.status(), "GET", "/v1/sessions/bk_42", undefined],
    ["start", (s) => s.start(), "POST", "/v1/sessions/bk_42/start", undefined],
    ["join", (s) => s.join(), "POST", "/v1/sessions/bk_42/join", undefined],
    ["end", (s) => s.end(), "POST", "/v1/sessions/bk_42/end", undefined],
    [
      "saveNotes",
      (s) => s.saveNotes("Covered fractions"),
      "PUT",
      "/v1/sessions/bk_42/notes",
      { notes: "Covered fractions" },
    ],
    ["rate", (s) => s.rate(5), "POST", "/v1/sessions/bk_42/rating", { stars: 5 }],
    [
      "rate with comment",
      (s) => s.rate(4, "Great"),
      "POST",
      "/v1/sessions/bk_42/rating",
      { stars: 4, comment: "Great" },
    ],
    [
      "dispute",
      (s) => s.dispute("Tutor left early"),
      "POST",
      "/v1/sessions/bk_42/dispute",
      { reason: "Tutor left early" },
    ],
  ];

  it.each(cases)("%s sends the right request with the participant token", async (_, call, method, path, body) => {
    api.reply(() => HttpResponse.json({ booking_id: "bk_42", ok: true }));
    expect(await call(client())).toEqual({ booking_id: "bk_42", ok: true });
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]).toMatchObject({ method, path });
    expect(api.seen[0]?.body).toEqual(body);
    expect(api.seen[0]?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it("setToken: later calls and a running watch carry the new token", async () => {
    const fresh = tokenFor("bk_42", "tutor").replace("c2lnbmF0dXJl", "ZnJlc2g");
    api.reply((_, nth) =>
      nth === 1 ? apiError(401, "authentication_error", "participant_token_expired") : HttpResponse.json(status()),
    );
    const session = client({ maxRetries: 0 });
    const expired = await session.status().catch((e: unknown) => e);
    expect(expired).toMatchObject({ status: 401, code: "participant_token_expired" });

    session.setToken(fresh);
    await session.status();
    const seen: SessionStatus[] = [];
    const stop = session.watch((s) => seen.push(s), { intervalMs: 10 });
    await until(() => api.seen.length >= 3);
    stop();
    expect(api.seen.map((r) => r.headers.get("authorization"))).toEqual([
      `Bearer ${TOKEN}`,
      ...api.seen.slice(1).map(() => `Bearer ${fresh}`),
    ]);
    expect(seen).toHaveLength(1);
  });

  it("setToken refuses a token for another booking and keeps the one it has", async () => {
    const session = client();
    expect(() => session.setToken(tokenFor("bk_other", "tutor"))).toThrow(/bk_other/);
    api.reply(() => HttpResponse.json(status()));
    await session.status();
    expect(api.seen[0]?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(session.bookingId).toBe("bk_42");
  });

  it("maps a refused start to a LessonKitError with the server's code", async () => {
    api.reply(() => apiError(409, "conflict_error", "join_window_not_open"));
    const error = await client()
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LessonKitError);
    expect(error).toMatchObject({ status: 409, code: "join_window_not_open", type: "conflict_error" });
  });

  it("serverOffset() is server time minus local time from the last session response", async () => {
    const session = client();
    expect(session.serverOffset()).toBe(0);
    api.reply(() => HttpResponse.json(status({ server_time: new Date(Date.now() + 90_000).toISOString() })));
    await session.status();
    expect(Math.abs(session.serverOffset() - 90_000)).toBeLessThan(250);
    expect(Math.abs(session.serverNow() - (Date.now() + 90_000))).toBeLessThan(250);

    api.reply(() => HttpResponse.json(status({ server_time: new Date(Date.now() - 30_000).toISOString() })));
    await session.end();
    expect(Math.abs(session.serverOffset() + 30_000)).toBeLessThan(250);

    // A response without server_time (notes) leaves the offset alone.
    api.reply(() => HttpResponse.json({ booking_id: "bk_42", notes: "x", updated_at: "2030-01-01T00:00:00Z" }));
    await session.saveNotes("x");
    expect(Math.abs(session.serverOffset() + 30_000)).toBeLessThan(250);
  });
});

/** A stand-in for `document` with the visibility API. */
class FakeDocument extends EventTarget {
  hidden = false;
  setHidden(hidden: boolean) {
    this.hidden = hidden;
    this.dispatchEvent(new Event("visibilitychange"));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 2_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(5);
  }
}

describe("SessionClient.watch", () => {
  const g = globalThis as { document?: unknown };
  afterEach(() => {
    delete g.document;
  });

  it("reports the first status and then only real changes (server_time alone is not one)", async () => {
    let phase: SessionStatus["phase"] = "upcoming";
    api.reply(() => HttpResponse.json(status({ phase, server_time: new Date().toISOString() })));
    const reports: [string, string | undefined][] = [];
    const stop = client().watch((next, previous) => reports.push([next.phase, previous?.phase]), { intervalMs: 10 });
    await until(() => api.seen.length >= 4);
    expect(reports).toEqual([["upcoming", undefined]]);
    phase = "joinable";
    await until(() => reports.length === 2);
    expect(reports[1]).toEqual(["joinable", "upcoming"]);
    stop();
    const after = api.seen.length;
    await sleep(50);
    expect(api.seen.length).toBe(after);
  });

  it("pauses while the page is hidden and polls at once when it is visible again", async () => {
    const doc = new FakeDocument();
    g.document = doc;
    api.reply(() => HttpResponse.json(status()));
    const stop = client().watch(() => {}, { intervalMs: 10 });
    await until(() => api.seen.length >= 2);
    doc.setHidden(true);
    await sleep(30); // let an in-flight poll settle
    const whileHidden = api.seen.length;
    await sleep(100);
    expect(api.seen.length).toBe(whileHidden);
    doc.setHidden(false);
    await until(() => api.seen.length > whileHidden, 200);
    stop();
    // Unsubscribing removes the listener: becoming visible again does not poll.
    const stopped = api.seen.length;
    doc.setHidden(true);
    doc.setHidden(false);
    await sleep(50);
    expect(api.seen.length).toBe(stopped);
  });

  it("does not poll at all while the page starts hidden", async () => {
    const doc = new FakeDocument();
    doc.hidden = true;
    g.document = doc;
    api.reply(() => HttpResponse.json(status()));
    const reports: unknown[] = [];
    const stop = client().watch((s) => reports.push(s), { intervalMs: 10 });
    await sleep(60);
    expect(api.seen).toHaveLength(0);
    doc.setHidden(false);
    await until(() => reports.length === 1);
    stop();
  });

  it("reports errors and keeps polling, but stops after a 401", async () => {
    api.reply((_, nth) =>
      nth === 1 ? apiError(503, "api_error", "unavailable") : apiError(401, "authentication_error", "token_expired"),
    );
    const errors: LessonKitError[] = [];
    client({ maxRetries: 0 }).watch(() => {}, { intervalMs: 10, onError: (e) => errors.push(e) });
    await until(() => errors.length === 2);
    await sleep(60);
    expect(errors.map((e) => e.code)).toEqual(["unavailable", "token_expired"]);
    expect(api.seen).toHaveLength(2);
  });
});
