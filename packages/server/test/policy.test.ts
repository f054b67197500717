/**
 * Every policy row of docs/lifecycle.md and docs/money.md (deadlines, cancellation, no-shows, the tick),
 * proven through HTTP against the real app: default and non-default tenant policies, driven by the
 * manual clock and the tick (POST /v1/admin/tick, or the sandbox test clock), with exact amounts,
 * statuses, error codes, events and the ledger invariant after every money movement.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { escrowBalances } from "../src/domain/ledger/post";
import { MAX_NOTES_LENGTH } from "../src/domain/sessions/notes";
import {
  ADMIN_KEY,
  advance,
  bookingBody,
  createTestServer,
  HOUR,
  type Json,
  ledgerInvariant,
  MINUTE,
  paidBooking,
  participantTokens,
  type TestServer,
} from "./harness";

const SECOND = 1000;
const iso = (ms: number) => new Date(ms).toISOString();

let server: TestServer;
beforeEach(async () => {
  server = await createTestServer();
});
afterEach(async () => {
  // A 5xx is a bug: nothing in this file may have reached the error logger.
  expect(server.errors).toEqual([]);
  await server.close();
});

type Res = { status: number; body: Json };
type Role = "student" | "tutor";

/** A sandbox tenant with `policy` merged over the defaults; returns its secret key. */
async function tenant(policy?: Json): Promise<string> {
  const { tenant, key } = await server.createTenant(policy ? { policy } : {});
  if (policy) expect(tenant.policy).toMatchObject(policy);
  return key;
}

/** A paid lesson (5000 usd, fee 1000, 60 minutes) with both participants' tokens and its times. */
async function lesson(key: string, startsIn = 2 * HOUR, overrides: Json = {}) {
  const paid = await paidBooking(server, key, overrides, startsIn);
  const amount = (overrides.amount as number | undefined) ?? 5000;
  expect(paid.booking).toMatchObject({ status: "confirmed", escrow: { status: "held", held_amount: amount } });
  return {
    ...paid,
    key,
    start: Date.parse(paid.booking.scheduled_start),
    endsAt: Date.parse(paid.booking.ends_at),
  };
}
type Lesson = Awaited<ReturnType<typeof lesson>>;

/** Sets the server clock (never backwards in these tests). */
function at(ms: number) {
  expect(ms).toBeGreaterThanOrEqual(server.clock.now());
  server.clock.set(ms);
}

/** Sets the clock and runs the tick as the operator would. */
async function tickAt(ms: number): Promise<Json> {
  at(ms);
  const res = await server.call("POST", "/v1/admin/tick", { key: ADMIN_KEY });
  expect(res.status).toBe(200);
  return res.body;
}

const session = (l: Lesson, role: Role, action: "start" | "join" | "end") =>
  server.call("POST", `/v1/sessions/${l.id}/${action}`, { key: l[role] });
const sessionStatus = (l: Lesson, role: Role) => server.call("GET", `/v1/sessions/${l.id}`, { key: l[role] });
const getBooking = async (key: string, id: string) => ok(server.call("GET", `/v1/bookings/${id}`, { key }));
const cancel = (l: Lesson, by: string, reason?: string) =>
  server.call("POST", `/v1/bookings/${l.id}/cancel`, { key: l.key, body: reason ? { by, reason } : { by } });
const resolve = (l: Lesson, body: Json) =>
  server.call("POST", `/v1/escrows/${l.escrowId}/resolve`, { key: l.key, body });
const studentDispute = (l: Lesson, reason = "The tutor ended early") =>
  server.call("POST", `/v1/sessions/${l.id}/dispute`, { key: l.student, body: { reason } });
const tenantDispute = (l: Lesson, reason = "Chargeback threatened") =>
  server.call("POST", `/v1/escrows/${l.escrowId}/dispute`, { key: l.key, body: { reason } });

async function ok(pending: Promise<Res>): Promise<Json> {
  const res = await pending;
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

async function refused(pending: Promise<Res>, status: number, code: string, param?: string) {
  const res = await pending;
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  if (param) expect(res.body.error.param).toBe(param);
  return res.body.error as Json;
}

/** The booking's events, oldest first, as GET /v1/events lists them. */
async function events(key: string, bookingId: string): Promise<Json[]> {
  const res = await ok(server.call("GET", `/v1/events?booking_id=${bookingId}&limit=100`, { key }));
  expect(res.has_more).toBe(false);
  return [...res.data].reverse();
}
const types = async (key: string, bookingId: string) => (await events(key, bookingId)).map((e) => e.type as string);
async function eventOf(key: string, bookingId: string, type: string): Promise<Json> {
  const found = (await events(key, bookingId)).filter((e) => e.type === type);
  expect(found, `exactly one ${type}`).toHaveLength(1);
  return found[0] as Json;
}

async function balance(key: string, tutorId = "tutor_1") {
  const res = await ok(server.call("GET", `/v1/tutors/${tutorId}/balance`, { key }));
  return res.balances as Json[];
}

/** The escrow's ledger, per account (zeros included). */
const ledger = (l: Lesson) => escrowBalances(server.deps.db, l.escrowId);

/** `amount = held + released + refunded` for every escrow, and the ledger sums to zero. */
async function expectLedgerInvariant() {
  const invariant = await ledgerInvariant(server.deps);
  expect(invariant.broken).toEqual([]);
  expect(invariant.ledgerTotal).toBe(0);
}

/** Both sides in the room from the scheduled start. */
async function attend(l: Lesson) {
  at(l.start);
  await ok(session(l, "tutor", "start"));
  await ok(session(l, "student", "join"));
}

/** Attended, then ended by the tutor ten minutes early: release due 24 h after the end. */
async function completed(l: Lesson) {
  await attend(l);
  at(l.start + 50 * MINUTE);
  const ended = await ok(session(l, "tutor", "end"));
  expect(ended).toMatchObject({ status: "completed", escrow: { status: "release_scheduled" } });
  return { endedAt: l.start + 50 * MINUTE, releaseAt: l.start + 50 * MINUTE + 24 * HOUR };
}

const LEDGER_ZERO = {
  payer: 0,
  tutor_pending: 0,
  tutor_disputed: 0,
  tutor_released: 0,
  platform_pending: 0,
  platform_revenue: 0,
  refunded: 0,
};

describe("join_window_minutes (default 5): start/join allowed from scheduled start − 5 min", () => {
  it("refuses a start one second before start − 5 min and accepts it at start − 5 min", async () => {
    const key = await tenant();
    const l = await lesson(key);
    expect(l.booking.join_opens_at).toBe(iso(l.start - 5 * MINUTE));

    at(l.start - 5 * MINUTE - SECOND);
    await refused(session(l, "tutor", "start"), 409, "join_window_not_open");
    expect(await ok(sessionStatus(l, "student"))).toMatchObject({ phase: "upcoming", can_start: false });
    expect((await getBooking(key, l.id)).status).toBe("confirmed");

    at(l.start - 5 * MINUTE);
    expect(await ok(sessionStatus(l, "tutor"))).toMatchObject({ phase: "joinable", can_start: true, can_join: false });
    const started = await ok(session(l, "tutor", "start"));
    expect(started).toMatchObject({
      status: "in_progress",
      phase: "in_progress",
      started_by: "tutor",
      started_at: iso(l.start - 5 * MINUTE),
      participants: { tutor: { joined_at: iso(l.start - 5 * MINUTE) }, student: { joined_at: null } },
    });
    expect(await types(key, l.id)).toEqual([
      "booking.created",
      "escrow.held",
      "session.join_window_opened",
      "session.started",
      "session.participant_joined",
    ]);
  });

  it("follows the tenant's own window (15 minutes)", async () => {
    const key = await tenant({ join_window_minutes: 15 });
    const l = await lesson(key);
    expect(l.booking.join_opens_at).toBe(iso(l.start - 15 * MINUTE));
    at(l.start - 15 * MINUTE - SECOND);
    await refused(session(l, "student", "start"), 409, "join_window_not_open");
    at(l.start - 15 * MINUTE);
    expect(await ok(session(l, "student", "start"))).toMatchObject({ status: "in_progress", started_by: "student" });
  });

  it("refuses a join before anyone started, and a start before the booking is paid", async () => {
    const key = await tenant();
    const l = await lesson(key);
    at(l.start);
    await refused(session(l, "student", "join"), 409, "session_not_started");

    const unpaid = await ok(server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock) }));
    const tokens = await participantTokens(server, key, unpaid.id);
    at(Date.parse(unpaid.scheduled_start) - 5 * MINUTE);
    await refused(
      server.call("POST", `/v1/sessions/${unpaid.id}/start`, { key: tokens.tutor }),
      409,
      "booking_not_paid",
    );
  });
});

describe("late_join_minutes (default: until the scheduled end)", () => {
  it("lets the other side join late until the no-show deadline, and a joined side rejoin until the end", async () => {
    const key = await tenant();
    const l = await lesson(key);
    at(l.start);
    const tutorIn = await ok(session(l, "tutor", "start"));

    at(l.start + 15 * MINUTE - SECOND);
    const late = await ok(session(l, "student", "join"));
    expect(late.participants.student.joined_at).toBe(iso(l.start + 15 * MINUTE - SECOND));
    const joinedEvents = (await events(key, l.id)).filter((e) => e.type === "session.participant_joined");
    expect(joinedEvents.map((e) => e.data.role)).toEqual(["tutor", "student"]);

    // A reconnect (start on a running session is a join) works for the whole slot, with the same uid.
    at(l.endsAt - SECOND);
    const rejoin = await ok(session(l, "tutor", "start"));
    expect(rejoin.video.uid).toBe(tutorIn.video.uid);
    expect(rejoin.participants.tutor.joined_at).toBe(iso(l.start));
    at(l.endsAt);
    await refused(session(l, "tutor", "join"), 409, "join_window_closed");
    await refused(session(l, "student", "start"), 409, "join_window_closed");
    expect((await getBooking(key, l.id)).status).toBe("in_progress");
  });

  it("refuses a first join at the no-show deadline, even before the tick has run", async () => {
    const key = await tenant();
    const l = await lesson(key);
    at(l.start);
    await ok(session(l, "tutor", "start"));
    at(l.start + 15 * MINUTE);
    await refused(session(l, "student", "join"), 409, "join_window_closed");
    expect(await ok(sessionStatus(l, "student"))).toMatchObject({ can_join: false, can_start: false });
    expect((await getBooking(key, l.id)).session.student_joined_at).toBeNull();
  });

  it("lasts until the scheduled end when the no-show deadline lies beyond it", async () => {
    const key = await tenant({ no_show_minutes: 90 });
    const a = await lesson(key);
    const b = await lesson(key);
    at(a.start);
    await ok(session(a, "tutor", "start"));
    await ok(session(b, "tutor", "start"));
    // Nothing is a no-show at start + 15 under this policy.
    expect((await tickAt(a.start + 15 * MINUTE)).no_shows).toBe(0);

    at(a.endsAt - SECOND);
    expect((await ok(session(a, "student", "join"))).participants.student.joined_at).toBe(iso(a.endsAt - SECOND));
    at(b.endsAt);
    await refused(session(b, "student", "join"), 409, "join_window_closed");

    // b's student never came: settled at the auto-complete deadline as a student no-show.
    const tick = await tickAt(b.endsAt + 10 * MINUTE);
    expect(tick).toMatchObject({ no_shows: 0, auto_completed: 2 });
    expect(await getBooking(key, b.id)).toMatchObject({
      status: "no_show",
      session: { no_show_side: "student" },
      escrow: { status: "release_scheduled", release_at: iso(b.endsAt + 10 * MINUTE + 24 * HOUR) },
    });
    expect(await getBooking(key, a.id)).toMatchObject({ status: "completed", session: { ended_by: "system" } });
    await expectLedgerInvariant();
  });

  it("closes first joins at start + late_join_minutes (10), but never locks out a side already in", async () => {
    const key = await tenant({ late_join_minutes: 10 });
    const a = await lesson(key);
    const b = await lesson(key);
    at(a.start + 10 * MINUTE - SECOND);
    await ok(session(a, "tutor", "start"));
    at(a.start + 10 * MINUTE);
    await refused(session(a, "student", "join"), 409, "join_window_closed");
    await refused(session(b, "tutor", "start"), 409, "join_window_closed");
    expect(await ok(sessionStatus(b, "tutor"))).toMatchObject({ phase: "no_show", can_start: false });
    // The tutor who is in the lesson can still reload the page and get fresh credentials.
    at(a.start + 30 * MINUTE);
    const again = await ok(session(a, "tutor", "join"));
    expect(again.video.channel).toEqual(expect.any(String));
    expect(again.participants.tutor.joined_at).toBe(iso(a.start + 10 * MINUTE - SECOND));
  });
});

describe("no_show_minutes (default 15): settled by policy at start + 15 min", () => {
  it("student_no_show = release: the tutor who came is paid after the release delay", async () => {
    const key = await tenant();
    const l = await lesson(key);
    at(l.start);
    await ok(session(l, "tutor", "start"));

    expect(await tickAt(l.start + 15 * MINUTE - SECOND)).toMatchObject({ no_shows: 0 });
    expect((await getBooking(key, l.id)).status).toBe("in_progress");

    expect(await tickAt(l.start + 15 * MINUTE)).toMatchObject({ no_shows: 1, released: 0 });
    const releaseAt = l.start + 15 * MINUTE + 24 * HOUR;
    expect(await getBooking(key, l.id)).toMatchObject({
      status: "no_show",
      session: { no_show_side: "student" },
      escrow: { status: "release_scheduled", release_at: iso(releaseAt), held_amount: 5000, refunded_amount: 0 },
    });
    const noShow = await eventOf(key, l.id, "session.no_show");
    expect(noShow.data.no_show).toEqual({ side: "student", outcome: "release" });
    expect(noShow.created_at).toBe(iso(l.start + 15 * MINUTE));
    expect((await types(key, l.id)).slice(-2)).toEqual(["session.no_show", "escrow.release_scheduled"]);
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 4000, disputed: 0, released: 0 }]);
    await expectLedgerInvariant();
    expect(await ok(sessionStatus(l, "student"))).toMatchObject({ phase: "no_show", can_start: false });
    await refused(session(l, "student", "start"), 409, "session_no_show");
    // Settled once: the next tick finds no no-show.
    expect((await tickAt(l.start + 16 * MINUTE)).no_shows).toBe(0);

    expect((await tickAt(releaseAt - SECOND)).released).toBe(0);
    expect((await tickAt(releaseAt)).released).toBe(1);
    expect((await getBooking(key, l.id)).escrow).toMatchObject({
      status: "released",
      released_amount: 5000,
      payout_amount: 4000,
      refunded_amount: 0,
      held_amount: 0,
    });
    expect(await ledger(l)).toEqual({ ...LEDGER_ZERO, payer: -5000, tutor_released: 4000, platform_revenue: 1000 });
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 4000 }]);
    expect((await types(key, l.id)).at(-1)).toBe("escrow.released");
    await expectLedgerInvariant();
  });

  it("tutor_no_show = refund: the student who came gets everything back", async () => {
    const key = await tenant();
    const l = await lesson(key);
    at(l.start + MINUTE);
    await ok(session(l, "student", "start"));

    expect(await tickAt(l.start + 15 * MINUTE)).toMatchObject({ no_shows: 1, released: 0 });
    expect(await getBooking(key, l.id)).toMatchObject({
      status: "no_show",
      session: { no_show_side: "tutor" },
      escrow: { status: "refunded", refunded_amount: 5000, released_amount: 0, held_amount: 0, release_at: null },
    });
    expect((await eventOf(key, l.id, "session.no_show")).data.no_show).toEqual({ side: "tutor", outcome: "refund" });
    expect((await eventOf(key, l.id, "escrow.refunded")).data.refund).toEqual({
      amount: 5000,
      reason: "no_show:tutor",
    });
    expect((await types(key, l.id)).slice(-2)).toEqual(["session.no_show", "escrow.refunded"]);
    expect(await ledger(l)).toEqual({ ...LEDGER_ZERO, payer: -5000, refunded: 5000 });
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 0 }]);
    await expectLedgerInvariant();
    // Nothing left to release, ever.
    expect((await tickAt(l.start + 48 * HOUR)).released).toBe(0);
  });

  it("nobody shows: the student is refunded in full", async () => {
    const key = await tenant();
    const l = await lesson(key);
    expect(await tickAt(l.start + 15 * MINUTE)).toMatchObject({ no_shows: 1 });
    expect(await getBooking(key, l.id)).toMatchObject({
      status: "no_show",
      session: { no_show_side: "both", started_at: null },
      escrow: { status: "refunded", refunded_amount: 5000, held_amount: 0 },
    });
    expect((await eventOf(key, l.id, "session.no_show")).data.no_show).toEqual({ side: "both", outcome: "refund" });
    expect((await eventOf(key, l.id, "escrow.refunded")).data.refund).toEqual({ amount: 5000, reason: "no_show:both" });
    expect(await ledger(l)).toEqual({ ...LEDGER_ZERO, payer: -5000, refunded: 5000 });
    await expectLedgerInvariant();
  });

  it("follows a tenant's inverted policy (student_no_show = refund, tutor_no_show = release) and its own deadline", async () => {
    const key = await tenant({ student_no_show: "refund", tutor_no_show: "release", no_show_minutes: 5 });
    const studentAbsent = await lesson(key);
    const tutorAbsent = await lesson(key);
    at(studentAbsent.start);
    await ok(session(studentAbsent, "tutor", "start"));
    await ok(session(tutorAbsent, "student", "start"));
    // The session status tells the waiting side the deadline the tick keeps to.
    expect((await ok(sessionStatus(studentAbsent, "tutor"))).no_show_at).toBe(iso(studentAbsent.start + 5 * MINUTE));

    expect((await tickAt(studentAbsent.start + 5 * MINUTE - SECOND)).no_shows).toBe(0);
    expect((await tickAt(studentAbsent.start + 5 * MINUTE)).no_shows).toBe(2);
    expect(await getBooking(key, studentAbsent.id)).toMatchObject({
      status: "no_show",
      session: { no_show_side: "student" },
      escrow: { status: "refunded", refunded_amount: 5000 },
    });
    expect((await eventOf(key, studentAbsent.id, "session.no_show")).data.no_show).toEqual({
      side: "student",
      outcome: "refund",
    });
    const releaseAt = tutorAbsent.start + 5 * MINUTE + 24 * HOUR;
    expect(await getBooking(key, tutorAbsent.id)).toMatchObject({
      status: "no_show",
      session: { no_show_side: "tutor" },
      escrow: { status: "release_scheduled", release_at: iso(releaseAt), refunded_amount: 0 },
    });
    expect((await eventOf(key, tutorAbsent.id, "session.no_show")).data.no_show).toEqual({
      side: "tutor",
      outcome: "release",
    });
    await expectLedgerInvariant();
    expect((await tickAt(releaseAt)).released).toBe(1);
    expect((await getBooking(key, tutorAbsent.id)).escrow).toMatchObject({ status: "released", payout_amount: 4000 });
    await expectLedgerInvariant();
  });

  it("end: counterpart_may_still_join until the deadline; after it, ending settles the other side's no-show", async () => {
    const key = await tenant();
    const tutorOnly = await lesson(key);
    const studentOnly = await lesson(key);
    at(tutorOnly.start);
    await ok(session(tutorOnly, "tutor", "start"));
    await ok(session(studentOnly, "student", "start"));

    at(tutorOnly.start + 15 * MINUTE - SECOND);
    await refused(session(tutorOnly, "tutor", "end"), 409, "counterpart_may_still_join");
    await refused(session(tutorOnly, "student", "end"), 409, "participant_not_joined");
    await refused(session(studentOnly, "student", "end"), 409, "counterpart_may_still_join");
    expect(await ok(sessionStatus(tutorOnly, "tutor"))).toMatchObject({ can_end: false });

    // At the deadline, before any tick: the side who came ends it, and the policy settles it.
    at(tutorOnly.start + 15 * MINUTE);
    expect(await ok(sessionStatus(tutorOnly, "tutor"))).toMatchObject({ can_end: true });
    expect(await ok(session(tutorOnly, "tutor", "end"))).toMatchObject({
      status: "no_show",
      phase: "no_show",
      no_show_side: "student",
      escrow: { status: "release_scheduled", release_at: iso(tutorOnly.start + 15 * MINUTE + 24 * HOUR) },
    });
    expect(await ok(session(studentOnly, "student", "end"))).toMatchObject({
      status: "no_show",
      no_show_side: "tutor",
      escrow: { status: "refunded" },
    });
    expect((await getBooking(key, studentOnly.id)).escrow.refunded_amount).toBe(5000);
    expect((await eventOf(key, tutorOnly.id, "session.no_show")).data.no_show.side).toBe("student");
    expect((await eventOf(key, studentOnly.id, "escrow.refunded")).data.refund.amount).toBe(5000);
    expect((await tickAt(tutorOnly.start + 16 * MINUTE)).no_shows).toBe(0);
    await expectLedgerInvariant();
  });
});

describe("overtime_grace_minutes (default 10): a session left open is auto-completed at end + 10 min", () => {
  it("completes it as the system at exactly end + 10 min and schedules the release", async () => {
    const key = await tenant();
    const l = await lesson(key);
    await attend(l);
    // Both sides see when the tick will close the session: the moment it does below.
    for (const role of ["student", "tutor"] as const) {
      expect(await ok(sessionStatus(l, role))).toMatchObject({
        auto_complete_at: iso(l.endsAt + 10 * MINUTE),
        no_show_at: iso(l.start + 15 * MINUTE),
      });
    }

    expect(await tickAt(l.endsAt + 10 * MINUTE - SECOND)).toMatchObject({ auto_completed: 0, no_shows: 0 });
    expect((await getBooking(key, l.id)).status).toBe("in_progress");

    expect(await tickAt(l.endsAt + 10 * MINUTE)).toMatchObject({ auto_completed: 1 });
    const endedAt = l.endsAt + 10 * MINUTE;
    expect(await getBooking(key, l.id)).toMatchObject({
      status: "completed",
      session: { ended_by: "system", ended_at: iso(endedAt) },
      escrow: { status: "release_scheduled", release_at: iso(endedAt + 24 * HOUR), held_amount: 5000 },
    });
    expect((await types(key, l.id)).slice(-2)).toEqual(["session.ended", "escrow.release_scheduled"]);
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 4000, disputed: 0, released: 0 }]);
    await refused(session(l, "tutor", "end"), 409, "session_ended");
    await refused(session(l, "student", "join"), 409, "session_ended");
    expect((await tickAt(endedAt + MINUTE)).auto_completed).toBe(0);
    await expectLedgerInvariant();
  });

  it("follows the tenant's grace (0): auto-completed at the scheduled end", async () => {
    const key = await tenant({ overtime_grace_minutes: 0 });
    const l = await lesson(key);
    await attend(l);
    expect((await ok(sessionStatus(l, "student"))).auto_complete_at).toBe(iso(l.endsAt));
    expect((await tickAt(l.endsAt - SECOND)).auto_completed).toBe(0);
    expect((await tickAt(l.endsAt)).auto_completed).toBe(1);
    expect(await getBooking(key, l.id)).toMatchObject({
      status: "completed",
      session: { ended_at: iso(l.endsAt) },
      escrow: { release_at: iso(l.endsAt + 24 * HOUR) },
    });
  });
});

describe("release_delay_hours (default 24): released this long after the session ends", () => {
  it("releases tutor_amount exactly 24 hours after the end, not a second earlier", async () => {
    const key = await tenant();
    const l = await lesson(key);
    const { endedAt, releaseAt } = await completed(l);
    expect((await getBooking(key, l.id)).escrow.release_at).toBe(iso(endedAt + 24 * HOUR));
    expect((await tickAt(releaseAt - SECOND)).released).toBe(0);
    expect((await getBooking(key, l.id)).escrow.status).toBe("release_scheduled");
    expect((await tickAt(releaseAt)).released).toBe(1);
    expect((await getBooking(key, l.id)).escrow).toMatchObject({
      status: "released",
      released_amount: 5000,
      payout_amount: 4000,
      released_at: iso(releaseAt),
    });
    expect(await ledger(l)).toEqual({ ...LEDGER_ZERO, payer: -5000, tutor_released: 4000, platform_revenue: 1000 });
    expect((await types(key, l.id)).slice(-3)).toEqual([
      "session.ended",
      "escrow.release_scheduled",
      "escrow.released",
    ]);
    expect((await tickAt(releaseAt + HOUR)).released).toBe(0);
    await expectLedgerInvariant();
  });

  it("follows the tenant's delay (2 hours), also through the sandbox test clock", async () => {
    const key = await tenant({ release_delay_hours: 2 });
    const l = await lesson(key);
    const { endedAt } = await completed(l);
    expect((await getBooking(key, l.id)).escrow.release_at).toBe(iso(endedAt + 2 * HOUR));
    expect((await advance(server, key, 2 * HOUR - SECOND)).due_work.released).toBe(0);
    expect((await advance(server, key, SECOND)).due_work.released).toBe(1);
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 4000 }]);
    await expectLedgerInvariant();
  });
});

describe("free_cancel_hours (24) and late_cancel_refund_percent (0)", () => {
  it("a student canceling exactly 24 h before the start gets a full refund", async () => {
    const key = await tenant();
    const l = await lesson(key, 48 * HOUR);
    at(l.start - 24 * HOUR);
    const canceled = await ok(cancel(l, "student", "Exam moved"));
    expect(canceled).toMatchObject({
      status: "canceled",
      cancellation: { canceled_by: "student", reason: "Exam moved", canceled_at: iso(l.start - 24 * HOUR) },
      escrow: { status: "refunded", refunded_amount: 5000, released_amount: 0, held_amount: 0 },
    });
    expect((await types(key, l.id)).slice(-2)).toEqual(["booking.canceled", "escrow.refunded"]);
    expect((await eventOf(key, l.id, "escrow.refunded")).data.refund).toEqual({
      amount: 5000,
      reason: "canceled_by_student",
    });
    expect(await ledger(l)).toEqual({ ...LEDGER_ZERO, payer: -5000, refunded: 5000 });
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 0 }]);
    await expectLedgerInvariant();
    expect((await tickAt(l.start + 48 * HOUR)).released).toBe(0);
  });

  it("a student canceling one second later refunds 0%: the tutor and platform keep everything", async () => {
    const key = await tenant();
    const l = await lesson(key, 48 * HOUR);
    const now = l.start - 24 * HOUR + SECOND;
    at(now);
    const canceled = await ok(cancel(l, "student"));
    expect(canceled).toMatchObject({
      status: "canceled",
      cancellation: { canceled_by: "student" },
      escrow: { status: "release_scheduled", release_at: iso(now), refunded_amount: 0, held_amount: 5000 },
    });
    expect((await types(key, l.id)).slice(-2)).toEqual(["booking.canceled", "escrow.release_scheduled"]);
    expect((await types(key, l.id)).includes("escrow.refunded")).toBe(false);
    await expectLedgerInvariant();

    expect((await tickAt(now)).released).toBe(1);
    expect((await getBooking(key, l.id)).escrow).toMatchObject({
      status: "released",
      refunded_amount: 0,
      released_amount: 5000,
      payout_amount: 4000,
    });
    expect(await ledger(l)).toEqual({ ...LEDGER_ZERO, payer: -5000, tutor_released: 4000, platform_revenue: 1000 });
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 4000 }]);
    await expectLedgerInvariant();
  });

  it("a tutor or platform cancel is a full refund however late", async () => {
    const key = await tenant({ late_cancel_refund_percent: 50 });
    const byTutor = await lesson(key);
    const byPlatform = await lesson(key);
    at(byTutor.start - MINUTE);
    for (const [l, by] of [
      [byTutor, "tutor"],
      [byPlatform, "platform"],
    ] as const) {
      expect(await ok(cancel(l, by))).toMatchObject({
        status: "canceled",
        cancellation: { canceled_by: by },
        escrow: { status: "refunded", refunded_amount: 5000, released_amount: 0 },
      });
      expect((await eventOf(key, l.id, "escrow.refunded")).data.refund).toEqual({
        amount: 5000,
        reason: `canceled_by_${by}`,
      });
      expect(await ledger(l)).toEqual({ ...LEDGER_ZERO, payer: -5000, refunded: 5000 });
    }
    await expectLedgerInvariant();
  });

  it("a 50% late-cancel policy refunds half (rounded down), and the rest is released, from the tutor's share first", async () => {
    const key = await tenant({ late_cancel_refund_percent: 50 });
    const late = await lesson(key);
    const odd = await lesson(key, 2 * HOUR, { amount: 4999, platform_fee: 999 });
    const early = await lesson(key, 48 * HOUR);

    const canceled = await ok(cancel(late, "student"));
    expect(canceled.escrow).toMatchObject({
      status: "release_scheduled",
      refunded_amount: 2500,
      held_amount: 2500,
      release_at: iso(server.clock.now()),
    });
    expect((await eventOf(key, late.id, "escrow.refunded")).data.refund).toEqual({
      amount: 2500,
      reason: "canceled_by_student",
    });
    expect((await types(key, late.id)).slice(-3)).toEqual([
      "booking.canceled",
      "escrow.release_scheduled",
      "escrow.refunded",
    ]);
    expect(await ledger(late)).toEqual({
      ...LEDGER_ZERO,
      payer: -5000,
      refunded: 2500,
      tutor_pending: 1500,
      platform_pending: 1000,
    });
    await expectLedgerInvariant();

    expect((await ok(cancel(odd, "student"))).escrow).toMatchObject({ refunded_amount: 2499, held_amount: 2500 });
    // Before the free-cancel cutoff the same tenant refunds everything.
    expect((await ok(cancel(early, "student"))).escrow).toMatchObject({ status: "refunded", refunded_amount: 5000 });

    expect((await tickAt(server.clock.now())).released).toBe(2);
    expect((await getBooking(key, late.id)).escrow).toMatchObject({
      status: "released",
      refunded_amount: 2500,
      released_amount: 2500,
      payout_amount: 1500,
      held_amount: 0,
    });
    expect(await ledger(late)).toEqual({
      ...LEDGER_ZERO,
      payer: -5000,
      refunded: 2500,
      tutor_released: 1500,
      platform_revenue: 1000,
    });
    expect((await getBooking(key, odd.id)).escrow).toMatchObject({
      refunded_amount: 2499,
      released_amount: 2500,
      payout_amount: 1501,
    });
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 1500 + 1501 }]);
    await expectLedgerInvariant();
  });

  it("follows the tenant's cutoff (2 hours)", async () => {
    const key = await tenant({ free_cancel_hours: 2 });
    const free = await lesson(key, 3 * HOUR);
    const late = await lesson(key, 3 * HOUR);
    at(free.start - 2 * HOUR);
    expect((await ok(cancel(free, "student"))).escrow).toMatchObject({ status: "refunded", refunded_amount: 5000 });
    at(late.start - 2 * HOUR + SECOND);
    expect((await ok(cancel(late, "student"))).escrow).toMatchObject({
      status: "release_scheduled",
      refunded_amount: 0,
    });
    await expectLedgerInvariant();
  });

  it("voids an unpaid booking with no money moving, and refuses to cancel a started, ended or canceled one", async () => {
    const key = await tenant();
    const unpaid = await ok(server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock) }));
    const voided = await ok(server.call("POST", `/v1/bookings/${unpaid.id}/cancel`, { key, body: { by: "student" } }));
    expect(voided).toMatchObject({ status: "canceled", escrow: { status: "canceled", refunded_amount: 0 } });
    expect(await types(key, unpaid.id)).toEqual(["booking.created", "booking.canceled"]);
    expect(await escrowBalances(server.deps.db, unpaid.escrow.id)).toEqual(LEDGER_ZERO);

    const running = await lesson(key);
    const done = await lesson(key);
    await attend(running);
    await refused(cancel(running, "platform"), 409, "session_in_progress");
    await completed(done);
    await refused(cancel(done, "student"), 409, "booking_not_cancelable");
    const twice = await lesson(key, 48 * HOUR);
    await ok(cancel(twice, "tutor"));
    await refused(cancel(twice, "tutor"), 409, "booking_canceled");
    await expectLedgerInvariant();
  });
});

describe("unpaid expiry (default 30 minutes, never after the start)", () => {
  it("cancels a booking nobody paid at exactly created + 30 min, moving no money", async () => {
    const key = await tenant();
    const createdAt = server.clock.now();
    const unpaid = await ok(server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock) }));
    expect(unpaid.payment.expires_at).toBe(iso(createdAt + 30 * MINUTE));
    // A failed card attempt does not extend it.
    const failed = await ok(
      server.call("POST", `/v1/sandbox/bookings/${unpaid.id}/pay`, { key, body: { outcome: "fail" } }),
    );
    expect(failed.status).toBe("pending_payment");

    expect((await tickAt(createdAt + 30 * MINUTE - SECOND)).expired).toBe(0);
    expect((await getBooking(key, unpaid.id)).status).toBe("pending_payment");
    expect((await tickAt(createdAt + 30 * MINUTE)).expired).toBe(1);
    expect(await getBooking(key, unpaid.id)).toMatchObject({
      status: "canceled",
      cancellation: { canceled_by: "system", reason: "payment_expired", canceled_at: iso(createdAt + 30 * MINUTE) },
      escrow: { status: "canceled", refunded_amount: 0, released_amount: 0, held_amount: 0 },
      payment: { client_secret: null, expires_at: null },
    });
    expect(await types(key, unpaid.id)).toEqual(["booking.created", "payment.failed", "booking.canceled"]);
    await refused(
      server.call("POST", `/v1/sandbox/bookings/${unpaid.id}/pay`, { key, body: {} }),
      409,
      "booking_not_payable",
    );
    expect(await escrowBalances(server.deps.db, unpaid.escrow.id)).toEqual(LEDGER_ZERO);
    expect((await tickAt(createdAt + HOUR)).expired).toBe(0);
    await expectLedgerInvariant();
  });

  it("caps the window at the scheduled start for a lesson booked 10 minutes ahead", async () => {
    const key = await tenant();
    const start = server.clock.now() + 10 * MINUTE;
    const late = await ok(
      server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock, {}, 10 * MINUTE) }),
    );
    const justInTime = await ok(
      server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock, {}, 10 * MINUTE) }),
    );
    expect(late.payment.expires_at).toBe(iso(start));

    at(start - SECOND);
    expect((await ok(server.call("POST", `/v1/sandbox/bookings/${justInTime.id}/pay`, { key, body: {} }))).status).toBe(
      "confirmed",
    );
    at(start);
    await refused(
      server.call("POST", `/v1/sandbox/bookings/${late.id}/pay`, { key, body: {} }),
      409,
      "payment_window_closed",
    );
    expect((await tickAt(start)).expired).toBe(1);
    expect(await getBooking(key, late.id)).toMatchObject({
      status: "canceled",
      cancellation: { canceled_at: iso(start), reason: "payment_expired" },
    });
    expect((await getBooking(key, justInTime.id)).status).toBe("confirmed");
  });

  it("follows the tenant's payment window (60 minutes) on the sandbox test clock", async () => {
    const key = await tenant({ payment_window_minutes: 60 });
    const unpaid = await ok(server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock) }));
    expect(unpaid.payment.expires_at).toBe(iso(server.clock.now() + HOUR));
    expect((await advance(server, key, HOUR - SECOND)).due_work.expired).toBe(0);
    expect((await advance(server, key, SECOND)).due_work.expired).toBe(1);
    expect((await getBooking(key, unpaid.id)).escrow.status).toBe("canceled");
  });
});

describe("disputes: freeze the release until the tenant resolves", () => {
  it("student dispute (participant route), release frozen past release_at, then resolved by release", async () => {
    const key = await tenant();
    const l = await lesson(key);
    const { releaseAt } = await completed(l);

    at(releaseAt - SECOND);
    await refused(
      server.call("POST", `/v1/sessions/${l.id}/dispute`, { key: l.tutor, body: { reason: "x" } }),
      403,
      "student_only",
    );
    const disputed = await ok(studentDispute(l));
    expect(disputed).toMatchObject({
      status: "disputed",
      held_amount: 5000,
      dispute: {
        source: "participant",
        reason: "The tutor ended early",
        opened_by: "student",
        opened_at: iso(releaseAt - SECOND),
      },
    });
    expect((await eventOf(key, l.id, "escrow.disputed")).data.dispute).toEqual({
      source: "participant",
      reason: "The tutor ended early",
      opened_by: "student",
      opened_at: iso(releaseAt - SECOND),
      provider_dispute_id: null,
    });
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 0, disputed: 4000, released: 0 }]);
    expect(await ledger(l)).toEqual({ ...LEDGER_ZERO, payer: -5000, tutor_disputed: 4000, platform_pending: 1000 });
    await expectLedgerInvariant();
    await refused(tenantDispute(l), 409, "already_disputed");

    // The release is frozen.
    expect((await tickAt(releaseAt + HOUR)).released).toBe(0);
    expect((await getBooking(key, l.id)).escrow.status).toBe("disputed");

    const resolved = await ok(resolve(l, { outcome: "release" }));
    expect(resolved).toMatchObject({
      status: "released",
      released_amount: 5000,
      payout_amount: 4000,
      refunded_amount: 0,
      held_amount: 0,
      released_at: iso(releaseAt + HOUR),
    });
    expect((await eventOf(key, l.id, "escrow.dispute_resolved")).data.resolution).toEqual({
      outcome: "release",
      refund_amount: 0,
    });
    expect((await types(key, l.id)).slice(-4)).toEqual([
      "escrow.disputed",
      "escrow.dispute_resolved",
      "escrow.release_scheduled",
      "escrow.released",
    ]);
    expect(await ledger(l)).toEqual({ ...LEDGER_ZERO, payer: -5000, tutor_released: 4000, platform_revenue: 1000 });
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 4000 }]);
    await expectLedgerInvariant();
    await refused(resolve(l, { outcome: "release" }), 409, "escrow_not_disputed");
  });

  it("resolved by a partial refund: the student gets refund_amount, the tutor the rest of their share at once", async () => {
    const key = await tenant();
    const l = await lesson(key);
    const { endedAt } = await completed(l);
    at(endedAt + 2 * HOUR);
    expect(await ok(tenantDispute(l))).toMatchObject({
      status: "disputed",
      dispute: { source: "platform", opened_by: "platform" },
    });

    await refused(resolve(l, { outcome: "refund", refund_amount: 5001 }), 422, "refund_exceeds_held", "refund_amount");
    await refused(
      resolve(l, { outcome: "release", refund_amount: 100 }),
      422,
      "refund_amount_not_allowed",
      "refund_amount",
    );
    await refused(resolve(l, { outcome: "refund", refund_amount: 0 }), 400, "parameter_invalid", "refund_amount");
    expect((await getBooking(key, l.id)).escrow).toMatchObject({ status: "disputed", refunded_amount: 0 });

    const resolved = await ok(resolve(l, { outcome: "refund", refund_amount: 1500 }));
    expect(resolved).toMatchObject({
      status: "released",
      refunded_amount: 1500,
      released_amount: 3500,
      payout_amount: 2500,
      held_amount: 0,
    });
    expect((await eventOf(key, l.id, "escrow.dispute_resolved")).data.resolution).toEqual({
      outcome: "refund",
      refund_amount: 1500,
    });
    expect((await eventOf(key, l.id, "escrow.refunded")).data.refund).toEqual({
      amount: 1500,
      reason: "dispute_resolved",
    });
    expect((await types(key, l.id)).slice(-5)).toEqual([
      "escrow.disputed",
      "escrow.dispute_resolved",
      "escrow.release_scheduled",
      "escrow.refunded",
      "escrow.released",
    ]);
    expect(await ledger(l)).toEqual({
      ...LEDGER_ZERO,
      payer: -5000,
      refunded: 1500,
      tutor_released: 2500,
      platform_revenue: 1000,
    });
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 2500 }]);
    await expectLedgerInvariant();
    expect((await tickAt(endedAt + 48 * HOUR)).released).toBe(0);
  });

  it("a partial refund larger than the tutor's share comes out of the platform fee next", async () => {
    const key = await tenant();
    const l = await lesson(key);
    await completed(l);
    await ok(studentDispute(l));
    expect(await ok(resolve(l, { outcome: "refund", refund_amount: 4500 }))).toMatchObject({
      status: "released",
      refunded_amount: 4500,
      released_amount: 500,
      payout_amount: 0,
    });
    expect(await ledger(l)).toEqual({ ...LEDGER_ZERO, payer: -5000, refunded: 4500, platform_revenue: 500 });
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 0 }]);
    await expectLedgerInvariant();
  });

  it("resolved by a full refund: everything back to the student, nothing ever released", async () => {
    const key = await tenant();
    const l = await lesson(key);
    const { releaseAt } = await completed(l);
    await ok(studentDispute(l));
    const resolved = await ok(resolve(l, { outcome: "refund" }));
    expect(resolved).toMatchObject({
      status: "refunded",
      refunded_amount: 5000,
      released_amount: 0,
      payout_amount: null,
      held_amount: 0,
      release_at: null,
    });
    expect((await eventOf(key, l.id, "escrow.dispute_resolved")).data.resolution).toEqual({
      outcome: "refund",
      refund_amount: 5000,
    });
    expect((await types(key, l.id)).slice(-3)).toEqual([
      "escrow.disputed",
      "escrow.dispute_resolved",
      "escrow.refunded",
    ]);
    expect(await ledger(l)).toEqual({ ...LEDGER_ZERO, payer: -5000, refunded: 5000 });
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 0 }]);
    expect((await getBooking(key, l.id)).status).toBe("completed");
    expect((await tickAt(releaseAt)).released).toBe(0);
    await expectLedgerInvariant();
  });

  it("before the lesson: a release holds the money again; a full refund cancels the lesson", async () => {
    const key = await tenant();
    const kept = await lesson(key);
    const refunded = await lesson(key);
    await ok(tenantDispute(kept));
    await ok(tenantDispute(refunded));
    await refused(cancel(kept, "student"), 409, "escrow_disputed");

    expect(await ok(resolve(kept, { outcome: "release" }))).toMatchObject({
      status: "held",
      held_amount: 5000,
      released_amount: 0,
      release_at: null,
    });
    expect((await getBooking(key, kept.id)).status).toBe("confirmed");
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 4000, disputed: 4000, released: 0 }]);
    // The lesson then runs as usual.
    await attend(kept);

    expect(await ok(resolve(refunded, { outcome: "refund" }))).toMatchObject({
      status: "refunded",
      refunded_amount: 5000,
    });
    expect(await getBooking(key, refunded.id)).toMatchObject({
      status: "canceled",
      cancellation: { canceled_by: "platform", reason: "dispute_refunded" },
    });
    expect((await types(key, refunded.id)).slice(-3)).toEqual([
      "escrow.dispute_resolved",
      "booking.canceled",
      "escrow.refunded",
    ]);
    expect(await balance(key)).toEqual([{ currency: "usd", pending: 4000, disputed: 0, released: 0 }]);
    await expectLedgerInvariant();
  });

  it("is refused with escrow_not_disputable once the escrow is released, refunded or never paid", async () => {
    const key = await tenant();
    const l = await lesson(key);
    const { releaseAt } = await completed(l);
    expect((await tickAt(releaseAt)).released).toBe(1);
    at(releaseAt + MINUTE);
    await refused(studentDispute(l), 409, "escrow_not_disputable");
    await refused(tenantDispute(l), 409, "escrow_not_disputable");
    expect((await getBooking(key, l.id)).escrow).toMatchObject({ status: "released", dispute: null });

    const tutorAbsent = await lesson(key);
    at(tutorAbsent.start);
    await ok(session(tutorAbsent, "student", "start"));
    await tickAt(tutorAbsent.start + 15 * MINUTE);
    expect((await getBooking(key, tutorAbsent.id)).escrow.status).toBe("refunded");
    await refused(studentDispute(tutorAbsent), 409, "escrow_not_disputable");

    const unpaid = await ok(server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock) }));
    await refused(
      server.call("POST", `/v1/escrows/${unpaid.escrow.id}/dispute`, { key, body: { reason: "x" } }),
      409,
      "escrow_not_disputable",
    );
    const all = await types(key, l.id);
    expect(all.includes("escrow.disputed")).toBe(false);
    await expectLedgerInvariant();
  });
});

describe("rating: the student, once, 1–5, after the session is completed", () => {
  it("refuses before completion and by the tutor, accepts once, then already_rated", async () => {
    const key = await tenant();
    const l = await lesson(key);
    const rate = (role: Role, body: Json) => server.call("POST", `/v1/sessions/${l.id}/rating`, { key: l[role], body });

    at(l.start - 10 * MINUTE);
    await refused(rate("student", { stars: 5 }), 409, "session_not_completed");
    await attend(l);
    await refused(rate("student", { stars: 5 }), 409, "session_not_completed");
    at(l.start + 50 * MINUTE);
    await ok(session(l, "student", "end"));

    await refused(rate("tutor", { stars: 5 }), 403, "student_only");
    await refused(rate("student", { stars: 6 }), 400, "parameter_invalid", "stars");
    await refused(rate("student", { stars: 0 }), 400, "parameter_invalid", "stars");
    const rated = await ok(rate("student", { stars: 4, comment: "Clear explanations" }));
    expect(rated).toEqual({
      booking_id: l.id,
      stars: 4,
      comment: "Clear explanations",
      rated_at: iso(l.start + 50 * MINUTE),
    });
    expect((await eventOf(key, l.id, "rating.submitted")).data.rating).toEqual({
      stars: 4,
      comment: "Clear explanations",
      rated_at: iso(l.start + 50 * MINUTE),
    });

    at(l.start + 2 * HOUR);
    await refused(rate("student", { stars: 1, comment: "Changed my mind" }), 409, "already_rated");
    expect((await getBooking(key, l.id)).rating).toEqual({
      stars: 4,
      comment: "Clear explanations",
      rated_at: iso(l.start + 50 * MINUTE),
    });
    expect((await ok(sessionStatus(l, "tutor"))).rating.stars).toBe(4);
    expect((await types(key, l.id)).filter((t) => t === "rating.submitted")).toHaveLength(1);
  });

  it("accepts a rating of an auto-completed session, and refuses one of a no-show", async () => {
    const key = await tenant();
    const auto = await lesson(key);
    const absent = await lesson(key);
    await attend(auto);
    await tickAt(auto.endsAt + 10 * MINUTE);
    expect((await getBooking(key, absent.id)).status).toBe("no_show");
    expect(
      await ok(server.call("POST", `/v1/sessions/${auto.id}/rating`, { key: auto.student, body: { stars: 5 } })),
    ).toMatchObject({ stars: 5, comment: null });
    await refused(
      server.call("POST", `/v1/sessions/${absent.id}/rating`, { key: absent.student, body: { stars: 1 } }),
      409,
      "session_not_completed",
    );
  });
});

describe("notes: the tutor's, during or after the session, bounded length", () => {
  it("refuses the student and a session not started; saves, replaces and shows notes to the tutor only", async () => {
    const key = await tenant();
    const l = await lesson(key);
    const save = (role: Role, notes: string) =>
      server.call("PUT", `/v1/sessions/${l.id}/notes`, { key: l[role], body: { notes } });

    at(l.start - 5 * MINUTE);
    await refused(save("tutor", "too early"), 409, "session_not_started");
    await attend(l);
    await refused(save("student", "my notes"), 403, "tutor_only");

    expect(await ok(save("tutor", "Covered quadratics"))).toEqual({
      booking_id: l.id,
      notes: "Covered quadratics",
      updated_at: iso(l.start),
    });
    expect((await ok(sessionStatus(l, "tutor"))).notes).toBe("Covered quadratics");
    expect((await ok(sessionStatus(l, "student"))).notes).toBeNull();

    at(l.start + 50 * MINUTE);
    await ok(session(l, "tutor", "end"));
    at(l.start + 3 * HOUR);
    expect(await ok(save("tutor", "Homework: ex. 1-5"))).toMatchObject({
      notes: "Homework: ex. 1-5",
      updated_at: iso(l.start + 3 * HOUR),
    });
    expect((await ok(sessionStatus(l, "tutor"))).notes).toBe("Homework: ex. 1-5");
  });

  it(`accepts ${MAX_NOTES_LENGTH} characters and refuses one more with notes_too_long`, async () => {
    const key = await tenant();
    const l = await lesson(key);
    await attend(l);
    const save = (notes: string) => server.call("PUT", `/v1/sessions/${l.id}/notes`, { key: l.tutor, body: { notes } });
    expect(MAX_NOTES_LENGTH).toBe(20_000);
    const longest = "n".repeat(MAX_NOTES_LENGTH);
    expect((await ok(save(longest))).notes).toHaveLength(MAX_NOTES_LENGTH);
    await refused(save(`${longest}!`), 422, "notes_too_long", "notes");
    expect((await ok(sessionStatus(l, "tutor"))).notes).toBe(longest);
  });
});
