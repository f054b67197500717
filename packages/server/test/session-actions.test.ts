import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, HOUR, MINUTE, paidBooking, type TestServer } from "./harness";

// What each participant's status says it may do, step by step through a lesson: `status` is the
// booking's stored state, `phase` what the screen shows now, and `can_*` the buttons to offer.

let server: TestServer;
beforeEach(async () => {
  server = await createTestServer();
});
afterEach(() => server.close());

type Role = "student" | "tutor";
const view = async (bookingId: string, token: string) => {
  const { status, body } = await server.call("GET", `/v1/sessions/${bookingId}`, { key: token });
  expect(status).toBe(200);
  return {
    status: body.status,
    phase: body.phase,
    can_start: body.can_start,
    can_join: body.can_join,
    can_end: body.can_end,
  };
};

describe("can_start, can_join and can_end beside status and phase", () => {
  it("offers start only until someone starts, then join (and rejoin) to each side", async () => {
    const { key } = await server.createTenant();
    const lesson = await paidBooking(server, key);
    const start = server.clock.now() + 2 * HOUR;
    const as = (role: Role) => view(lesson.id, lesson[role]);
    const post = async (role: Role, action: string) => {
      const res = await server.call("POST", `/v1/sessions/${lesson.id}/${action}`, { key: lesson[role] });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    const neither = { can_start: false, can_join: false, can_end: false };

    expect(await as("tutor")).toEqual({ status: "confirmed", phase: "upcoming", ...neither });

    server.clock.set(start - 5 * MINUTE);
    for (const role of ["student", "tutor"] as const) {
      expect(await as(role)).toEqual({ ...neither, status: "confirmed", phase: "joinable", can_start: true });
    }

    await post("tutor", "start");
    // Running: nobody is offered "start" any more; the tutor may rejoin, the student may join.
    const running = { status: "in_progress", phase: "in_progress", can_start: false, can_join: true };
    expect(await as("tutor")).toEqual({ ...running, can_end: false });
    expect(await as("student")).toEqual({ ...running, can_end: false });
    // A start pressed late is answered as a join.
    await post("student", "start");
    expect(await as("student")).toEqual({ ...running, can_end: true });
    expect(await as("tutor")).toEqual({ ...running, can_end: true });

    await post("tutor", "end");
    for (const role of ["student", "tutor"] as const) {
      expect(await as(role)).toEqual({ status: "completed", phase: "ended", ...neither });
    }
  });

  it("says no_show, with nothing to offer, once the time to start has passed", async () => {
    const { key } = await server.createTenant();
    const lesson = await paidBooking(server, key);
    server.clock.set(server.clock.now() + 2 * HOUR + 15 * MINUTE);
    // Not settled yet (the stored status is still confirmed), but the screen already knows.
    expect(await view(lesson.id, lesson.student)).toEqual({
      status: "confirmed",
      phase: "no_show",
      can_start: false,
      can_join: false,
      can_end: false,
    });
  });
});
