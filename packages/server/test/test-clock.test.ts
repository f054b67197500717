import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bookingBody, createTestServer, HOUR, MINUTE, type TestServer } from "./harness";

// GET and POST /v1/sandbox/clock: a sandbox tenant's own time, moved by seconds or to a time,
// never backwards; what each answer says, and that a refused move changes nothing.

let server: TestServer;
let key: string;
beforeEach(async () => {
  server = await createTestServer();
  ({ key } = await server.createTenant());
});
afterEach(() => server.close());

const iso = (ms: number) => new Date(ms).toISOString();
const read = async () => {
  const res = await server.call("GET", "/v1/sandbox/clock", { key });
  expect(res.status).toBe(200);
  return res.body;
};
const move = (body: unknown) => server.call("POST", "/v1/sandbox/clock", { key, body });

describe("GET /v1/sandbox/clock", () => {
  it("reads the tenant's now and offset, and follows every move", async () => {
    const start = server.clock.now();
    expect(await read()).toEqual({ now: iso(start), offset_seconds: 0, movable: true });

    expect((await move({ advance_seconds: 90 })).body).toMatchObject({ now: iso(start + 90_000), offset_seconds: 90 });
    // The server's own time passes too; the tenant stays 90 s ahead of it.
    server.clock.advance(MINUTE);
    expect(await read()).toEqual({ now: iso(start + 150_000), offset_seconds: 90, movable: true });
  });
});

describe("POST /v1/sandbox/clock with `to`", () => {
  it("lands exactly on the time given and runs the due work up to it", async () => {
    // An unpaid booking expires 30 minutes after it is made: moving to just past that runs the expiry.
    const booking = await server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock) });
    const to = server.clock.now() + 30 * MINUTE + 1000;
    const moved = await move({ to: iso(to) });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ now: iso(to), offset_seconds: 1801, due_work: { expired: 1 } });
    expect((await server.call("GET", `/v1/bookings/${booking.body.id}`, { key })).body.status).toBe("canceled");
    expect(await read()).toMatchObject({ now: iso(to) });
  });

  it("accepts any offset and the tenant's now itself (nothing moves)", async () => {
    const now = server.clock.now();
    const plusTwo = new Date(now + 2 * HOUR).toISOString().replace("Z", "+00:00");
    expect((await move({ to: plusTwo })).body).toMatchObject({ now: iso(now + 2 * HOUR), offset_seconds: 7200 });
    // 12:00+02:00 is 10:00Z, the tenant's now.
    const sameInstant = `${iso(now + 2 * HOUR).slice(0, 11)}12:00:00+02:00`;
    expect((await move({ to: sameInstant })).body).toMatchObject({ now: iso(now + 2 * HOUR), offset_seconds: 7200 });
  });

  it("never goes back: a time before the tenant's now is a 422 and nothing changes", async () => {
    await move({ advance_seconds: 3600 });
    const before = await read();
    const earlier = iso(server.clock.now() + 30 * MINUTE); // ahead of the server, behind the tenant
    const refused = await move({ to: earlier });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      type: "invalid_request_error",
      code: "clock_cannot_go_back",
      param: "to",
      message: `The test clock only moves forward: it is ${before.now} for this tenant, after ${earlier}`,
    });
    expect(await read()).toEqual(before);
  });

  it.each([
    ["neither field", {}, 400, "parameter_missing", "advance_seconds"],
    ["both fields", { advance_seconds: 60, to: "2030-01-01T09:00:00Z" }, 400, "parameter_invalid", "to"],
    ["a time without an offset", { to: "2030-01-01T09:00:00" }, 422, "invalid_datetime", "to"],
    ["a date that does not exist", { to: "2030-02-30T09:00:00Z" }, 422, "invalid_datetime", "to"],
    ["a time more than 90 days ahead", { to: "2030-04-02T08:00:00Z" }, 422, "advance_too_large", "to"],
    ["a number for `to`", { to: 1893488400000 }, 400, "parameter_invalid", "to"],
    ["an unknown field", { advance_seconds: 60, back: true }, 400, "parameter_unknown", "back"],
  ])("refuses %s, and nothing changes", async (_, body, status, code, param) => {
    const before = await read();
    const refused = await move(body);
    expect(refused.status).toBe(status);
    expect(refused.body.error).toMatchObject({ code, param });
    expect(await read()).toEqual(before);
  });
});
