import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  advance,
  bookingBody,
  createTestServer,
  HOUR,
  type Json,
  ledgerInvariant,
  MINUTE,
  paidBooking,
  type TestServer,
} from "../../../test/harness";
import { MAX_DAYS_AHEAD } from "./create";

const DAY = 24 * HOUR;

let server: TestServer;
let key: string;
beforeEach(async () => {
  server = await createTestServer();
  ({ key } = await server.createTenant());
});
afterEach(() => {
  expect(server.errors).toEqual([]);
  server.close();
});

const book = (body: Json, as = key) => server.call("POST", "/v1/bookings", { key: as, body });
const bookingCount = async (as = key) => (await server.call("GET", "/v1/bookings", { key: as })).body.data.length;

describe("how far ahead a lesson may start", () => {
  it.each([
    ["exactly the horizon ahead", MAX_DAYS_AHEAD * DAY, 200, undefined],
    ["a millisecond past the horizon", MAX_DAYS_AHEAD * DAY + 1, 422, "scheduled_start_too_far"],
    ["two years ahead", 2 * 365 * DAY, 422, "scheduled_start_too_far"],
  ])("%s: %s", async (_, startsIn, status, code) => {
    const res = await book(bookingBody(server.clock, {}, startsIn));
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (code) {
      expect(res.body.error).toMatchObject({ code, param: "scheduled_start" });
      expect(await bookingCount()).toBe(0);
    } else {
      expect(res.body.scheduled_start).toBe(new Date(server.clock.now() + startsIn).toISOString());
    }
  });

  it("refuses the year 9999 and names the latest start it would take", async () => {
    const res = await book(bookingBody(server.clock, { scheduled_start: "9999-12-31T23:59:59.999Z" }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("scheduled_start_too_far");
    expect(res.body.error.message).toContain(new Date(server.clock.now() + MAX_DAYS_AHEAD * DAY).toISOString());
    expect(await bookingCount()).toBe(0);
  });

  it("is measured on the tenant's clock, so a moved test clock moves the horizon with it", async () => {
    const other = (await server.createTenant()).key;
    await advance(server, key, 30 * DAY);
    // Past the horizon on the server's clock, within it on this tenant's (30 days on).
    const start = server.clock.now() + (MAX_DAYS_AHEAD + 10) * DAY;
    const body = bookingBody(server.clock, {}, start - server.clock.now());
    const moved = await book(body);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const unmoved = await book({ ...body, external_id: `${body.external_id}_other` }, other);
    expect(unmoved.status).toBe(422);
    expect(unmoved.body.error.code).toBe("scheduled_start_too_far");
  });
});

describe("a platform fee equal to the amount", () => {
  it("is refused above the amount", async () => {
    const res = await book(bookingBody(server.clock, { amount: 5000, platform_fee: 5001 }));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "platform_fee_exceeds_amount", param: "platform_fee" });
  });

  it("is accepted: the tutor is owed nothing and the release pays the platform its fee alone", async () => {
    const lesson = await paidBooking(server, key, { amount: 5000, platform_fee: 5000 });
    expect(lesson.booking.escrow).toMatchObject({ status: "held", amount: 5000, platform_fee: 5000, tutor_amount: 0 });

    await advance(server, key, 2 * HOUR - 5 * MINUTE);
    expect((await server.call("POST", `/v1/sessions/${lesson.id}/start`, { key: lesson.tutor })).status).toBe(200);
    expect((await server.call("POST", `/v1/sessions/${lesson.id}/join`, { key: lesson.student })).status).toBe(200);
    await advance(server, key, 65 * MINUTE);
    expect((await server.call("POST", `/v1/sessions/${lesson.id}/end`, { key: lesson.tutor })).status).toBe(200);
    await advance(server, key, 24 * HOUR);

    const escrow = (await server.call("GET", `/v1/escrows/${lesson.escrowId}`, { key })).body;
    expect(escrow).toMatchObject({
      status: "released",
      released_amount: 5000,
      payout_amount: 0,
      refunded_amount: 0,
      transfer_id: null,
    });
    const balance = (await server.call("GET", "/v1/tutors/tutor_1/balance", { key })).body;
    expect(balance.balances).toEqual([{ currency: "usd", pending: 0, disputed: 0, released: 0 }]);
    expect(await ledgerInvariant(server.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });
});
