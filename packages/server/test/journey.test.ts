import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseAgoraToken } from "./agora";
import {
  AGORA,
  advance,
  bookingBody,
  createTestServer,
  HOUR,
  ledgerInvariant,
  MINUTE,
  participantTokens,
  type TestServer,
} from "./harness";

describe("a whole lesson on the sandbox provider", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await createTestServer();
  });
  afterEach(() => server.close());

  it("books, holds, opens the join window, runs the session and releases 24 hours after the end", async () => {
    const { key } = await server.createTenant();
    const startsAt = server.clock.now() + 2 * HOUR;

    const created = await server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock) });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      status: "pending_payment",
      escrow: { status: "awaiting_payment", amount: 5000, tutor_amount: 4000 },
    });
    expect(created.body.payment.client_secret).toMatch(/^pi_sandbox_/);
    const bookingId = created.body.id as string;

    const paid = await server.call("POST", `/v1/sandbox/bookings/${bookingId}/pay`, { key, body: {} });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: "confirmed", escrow: { status: "held", held_amount: 5000 } });

    const tokens = await participantTokens(server, key, bookingId);
    const asStudent = { key: tokens.student };
    const asTutor = { key: tokens.tutor };

    const upcoming = await server.call("GET", `/v1/sessions/${bookingId}`, asStudent);
    expect(upcoming.body).toMatchObject({
      phase: "upcoming",
      can_start: false,
      role: "student",
      escrow: { status: "held" },
    });
    expect(upcoming.body.join_opens_at).toBe(new Date(startsAt - 5 * MINUTE).toISOString());

    // One second before the window opens, starting is refused and nothing changes.
    await advance(server, key, 2 * HOUR - 5 * MINUTE - 1000);
    const early = await server.call("POST", `/v1/sessions/${bookingId}/start`, asTutor);
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: "join_window_not_open", type: "conflict_error" });
    expect((await server.call("GET", `/v1/bookings/${bookingId}`, { key })).body.status).toBe("confirmed");

    await advance(server, key, 1000);
    const joinable = await server.call("GET", `/v1/sessions/${bookingId}`, asTutor);
    expect(joinable.body).toMatchObject({ phase: "joinable", can_start: true, can_join: false });
    expect(joinable.body.server_time).toBe(new Date(startsAt - 5 * MINUTE).toISOString());

    const started = await server.call("POST", `/v1/sessions/${bookingId}/start`, asTutor);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ status: "in_progress", phase: "in_progress", started_by: "tutor" });

    await advance(server, key, 3 * MINUTE);
    const joined = await server.call("POST", `/v1/sessions/${bookingId}/join`, asStudent);
    expect(joined.status).toBe(200);
    expect(joined.body.participants.student.joined_at).toBe(joined.body.server_time);

    // Each participant gets their own Agora token for the booking's channel, expiring at end + grace.
    const endsAt = startsAt + 60 * MINUTE;
    const expectedExpiry = new Date(endsAt + 10 * MINUTE).toISOString();
    const tutorVideo = started.body.video;
    const studentVideo = joined.body.video;
    expect(tutorVideo.channel).toBe(studentVideo.channel);
    expect(tutorVideo.channel).not.toContain(bookingId);
    expect(tutorVideo.uid).not.toBe(studentVideo.uid);
    for (const [video, body] of [
      [tutorVideo, started.body],
      [studentVideo, joined.body],
    ] as const) {
      expect(video).toMatchObject({ provider: "agora", app_id: AGORA.appId, expires_at: expectedExpiry });
      expect(video.uid).toBeGreaterThan(0);
      const token = parseAgoraToken(video.token);
      expect(token.verify(AGORA.appCertificate)).toBe(true);
      expect(token.appId).toBe(AGORA.appId);
      expect(token.channel).toBe(video.channel);
      expect(token.uid).toBe(String(video.uid));
      const secondsLeft = (Date.parse(video.expires_at) - Date.parse(body.server_time)) / 1000;
      expect(token.expire).toBe(secondsLeft);
      expect(token.privileges[1]).toBe(secondsLeft);
      expect(token.issueTs).toBe(Math.floor(server.clock.now() / 1000));
    }
    // Starting again is a join: same uid, same channel (a reconnect).
    const again = await server.call("POST", `/v1/sessions/${bookingId}/start`, asStudent);
    expect(again.status).toBe(200);
    expect(again.body.video.uid).toBe(studentVideo.uid);

    await advance(server, key, 60 * MINUTE);
    const ended = await server.call("POST", `/v1/sessions/${bookingId}/end`, asTutor);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({
      status: "completed",
      phase: "ended",
      ended_by: "tutor",
      escrow: { status: "release_scheduled" },
    });
    const endedAt = Date.parse(ended.body.ended_at);
    expect(ended.body.escrow.release_at).toBe(new Date(endedAt + 24 * HOUR).toISOString());

    const pending = await server.call("GET", "/v1/tutors/tutor_1/balance", { key });
    expect(pending.body).toEqual({
      tutor_id: "tutor_1",
      balances: [{ currency: "usd", pending: 4000, disputed: 0, released: 0 }],
    });

    await advance(server, key, 24 * HOUR - 1000);
    expect((await server.call("GET", `/v1/bookings/${bookingId}`, { key })).body.escrow.status).toBe(
      "release_scheduled",
    );
    const tick = await advance(server, key, 1000);
    expect(tick.due_work.released).toBe(1);

    const released = await server.call("GET", `/v1/bookings/${bookingId}`, { key });
    expect(released.body.escrow).toMatchObject({
      status: "released",
      payout_amount: 4000,
      released_amount: 5000,
      held_amount: 0,
      refunded_amount: 0,
      released_at: new Date(endedAt + 24 * HOUR).toISOString(),
    });
    expect(released.body.escrow.transfer_id).toMatch(/^tr_sandbox_/);

    const after = await server.call("GET", "/v1/tutors/tutor_1/balance", { key });
    expect(after.body.balances).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 4000 }]);
    const invariant = await ledgerInvariant(server.deps);
    expect(invariant.broken).toEqual([]);
    expect(invariant.ledgerTotal).toBe(0);

    const events = await server.call("GET", `/v1/events?booking_id=${bookingId}&limit=100`, { key });
    expect(events.body.data.map((e: { type: string }) => e.type).reverse()).toEqual([
      "booking.created",
      "escrow.held",
      "session.join_window_opened",
      "session.started",
      "session.participant_joined",
      "session.participant_joined",
      "session.ended",
      "escrow.release_scheduled",
      "escrow.released",
    ]);
    expect(server.errors).toEqual([]);
  });

  it("shows the join-window event only once the window has opened", async () => {
    const { key } = await server.createTenant();
    const created = await server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock) });
    await server.call("POST", `/v1/sandbox/bookings/${created.body.id}/pay`, { key, body: {} });
    const typesNow = async () =>
      (await server.call("GET", "/v1/events?type=session.join_window_opened", { key })).body.data.length as number;
    expect(await typesNow()).toBe(0);
    await advance(server, key, 2 * HOUR - 5 * MINUTE);
    expect(await typesNow()).toBe(1);
  });
});
