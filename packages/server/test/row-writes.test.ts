import { inArray, sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inserted, insertRows, patched } from "../src/db/queries";
import { type BookingRow, type EscrowRow, events, tutorBalances } from "../src/db/schema";
import { loadBooking, transitionBooking, updateBooking } from "../src/domain/bookings/store";
import { transitionEscrow, updateEscrow } from "../src/domain/escrow/status";
import { bookingBody, createTestServer, paidBooking, type TestServer } from "./harness";

/**
 * Status changes return the row they hold with the patch applied instead of reading it back
 * (db/queries.ts patched): what they return must be exactly what the database now holds, on each
 * engine (its column types: integers, nulls, JSON, text), or a caller would decide from a row that
 * is not there.
 */

let server: TestServer;
let key: string;
let tenantId: string;

beforeEach(async () => {
  server = await createTestServer();
  const created = await server.createTenant();
  key = created.key;
  tenantId = created.tenant.id;
});
afterEach(() => server.close());

describe("a change's returned row", () => {
  it("is the row the database holds after transitions and updates of bookings and escrows", async () => {
    const { id: created } = await paidBooking(server, key);
    const now = server.clock.now();
    const returned = await server.db.transaction(async (tx) => {
      const { booking, escrow } = await loadBooking(tx, tenantId, created);
      const started = await transitionBooking(tx, booking, ["confirmed"], {
        status: "in_progress",
        startedAt: now,
        startedBy: "student",
        studentJoinedAt: now,
        updatedAt: now + 1,
      });
      if (!started) throw new Error("the transition should have matched");
      const joined = await updateBooking(tx, started, {
        tutorJoinedAt: now + 2,
        notes: "fractions",
        cancelReason: undefined,
      });
      const scheduled = await transitionEscrow(tx, escrow, "release_scheduled", {
        releaseAt: now + 3,
        updatedAt: now + 3,
      });
      if (!scheduled) throw new Error("the escrow transition should have matched");
      const noted = await updateEscrow(tx, scheduled, { lastErrorCode: "x_code", lastErrorMessage: null });
      return { booking: joined, escrow: noted };
    });
    const stored = await loadBooking(server.db, tenantId, created);
    expect(returned.booking).toEqual(stored.booking);
    expect(returned.escrow).toEqual(stored.escrow);
    expect(stored.booking.tutorJoinedAt).toBe(now + 2);
    expect(stored.booking.notes).toBe("fractions");
    expect(stored.escrow.lastErrorCode).toBe("x_code");
  });

  it("is null, and nothing changes, when the transition lost its race", async () => {
    const { id: created } = await paidBooking(server, key);
    const before = await loadBooking(server.db, tenantId, created);
    const stale: BookingRow = { ...before.booking, status: "pending_payment" };
    const staleEscrow: EscrowRow = { ...before.escrow, status: "awaiting_payment" };
    const result = await server.db.transaction(async (tx) => ({
      booking: await transitionBooking(tx, stale, ["pending_payment"], { status: "canceled", updatedAt: 1 }),
      escrow: await transitionEscrow(tx, staleEscrow, "canceled", { updatedAt: 1 }),
    }));
    expect(result).toEqual({ booking: null, escrow: null });
    expect(await loadBooking(server.db, tenantId, created)).toEqual(before);
  });

  it("of a new booking and its escrow is what a read of them returns", async () => {
    const created = await server.call("POST", "/v1/bookings", {
      key,
      body: bookingBody(server.clock, { platform_fee: 700 }),
    });
    expect(created.status).toBe(200);
    const read = await server.call("GET", `/v1/bookings/${created.body.id}`, { key });
    expect(created.body).toEqual(read.body);
    expect(created.body.escrow).toMatchObject({ platform_fee: 700, refunded_amount: 0, released_amount: 0 });
    const stored = await loadBooking(server.db, tenantId, created.body.id);
    expect(stored.escrow).toMatchObject({
      refundedAmount: 0,
      chargedBackAmount: 0,
      reversedAmount: 0,
      transferId: null,
    });
  });

  it("of an insert cannot be worked out for a column the database or a function fills", () => {
    const withSqlDefault = sqliteTable("t", {
      id: text("id").notNull(),
      at: integer("at").default(sql`(unixepoch())`),
    });
    expect(() => inserted(withSqlDefault, { id: "a" }, {})).toThrow(/at has a default made by the database/);
    const plain = sqliteTable("p", {
      seq: integer("seq"),
      id: text("id").notNull(),
      n: integer("n").notNull().default(0),
    });
    expect(inserted(plain, { id: "a" }, { seq: 7 })).toEqual({ seq: 7, id: "a", n: 0 });
  });

  it("cannot be worked out for a patch that holds an SQL expression", () => {
    const row = { id: "esc_1", refundedAmount: 100 };
    expect(() => patched(row, { refundedAmount: sql`refunded_amount + 1` as unknown as number })).toThrow(
      /refundedAmount is set by an SQL expression/,
    );
    expect(patched(row, { refundedAmount: 150 })).toEqual({ id: "esc_1", refundedAmount: 150 });
  });
});

describe("insertRows (many rows in one statement: one JSON parameter on PostgreSQL)", () => {
  it("writes what each row gives, and a column's default where a row leaves it out, as drizzle's insert does", async () => {
    const at = server.clock.now();
    await server.db.transaction(async (tx) => {
      // The first row has no booking and no pending total; the second has both.
      await insertRows(tx, events, [
        { id: "evt_rows_a", tenantId, type: "booking.created", data: { n: 1 }, createdAt: at, availableAt: at },
        {
          id: "evt_rows_b",
          tenantId,
          type: "booking.created",
          bookingId: "bk_rows",
          data: { n: 2 },
          createdAt: at,
          availableAt: at,
        },
      ]);
      await insertRows(tx, tutorBalances, [
        { tenantId, tutorId: "t_rows_a", currency: "usd", updatedAt: at },
        { tenantId, tutorId: "t_rows_b", currency: "usd", pending: 700, updatedAt: at },
      ]);
    });
    const written = await server.db
      .select({ id: events.id, bookingId: events.bookingId, data: events.data })
      .from(events)
      .where(inArray(events.id, ["evt_rows_a", "evt_rows_b"]))
      .orderBy(events.id);
    expect(written).toEqual([
      { id: "evt_rows_a", bookingId: null, data: { n: 1 } },
      { id: "evt_rows_b", bookingId: "bk_rows", data: { n: 2 } },
    ]);
    const totals = await server.db
      .select({ tutorId: tutorBalances.tutorId, pending: tutorBalances.pending, released: tutorBalances.released })
      .from(tutorBalances)
      .where(inArray(tutorBalances.tutorId, ["t_rows_a", "t_rows_b"]))
      .orderBy(tutorBalances.tutorId);
    expect(totals).toEqual([
      { tutorId: "t_rows_a", pending: 0, released: 0 },
      { tutorId: "t_rows_b", pending: 700, released: 0 },
    ]);
  });
});
