import { and, eq, inArray, sql } from "drizzle-orm";
import { forChange, patched, runPrepared } from "../../db/queries";
import { type BookingRow, type BookingStatus, bookings, type EscrowRow, escrows } from "../../db/schema";
import type { Queryable, Tx } from "../../ports/storage";
import type { Deps } from "../context";
import { NotFound } from "../errors";

export interface BookingWithEscrow {
  booking: BookingRow;
  escrow: EscrowRow;
}

/**
 * A booking of this tenant with its escrow, or a 404-kind error. Always tenant-scoped. Inside a
 * transaction both rows are held for the change it is about to make (db/queries.ts forChange).
 */
export async function loadBooking(db: Queryable, tenantId: string, bookingId: string): Promise<BookingWithEscrow> {
  const rows = await runPrepared(
    db,
    "booking_with_escrow",
    (db) =>
      forChange(
        db,
        db
          .select({ booking: bookings, escrow: escrows })
          .from(bookings)
          .innerJoin(escrows, eq(escrows.bookingId, bookings.id))
          .where(and(eq(bookings.tenantId, sql.placeholder("tenantId")), eq(bookings.id, sql.placeholder("bookingId"))))
          .limit(1),
      ),
    { tenantId, bookingId },
  );
  const row = rows[0];
  if (!row) throw NotFound("booking", bookingId, "id");
  return row;
}

/**
 * loadBooking for a read that decides nothing: a snapshot, dropped on any write of this process and
 * at most `snapshotTtlMs` old (Deps.snapshots). Never use it to decide a state change.
 */
export function bookingSnapshot(
  deps: Deps,
  tenantId: string,
  bookingId: string,
): BookingWithEscrow | Promise<BookingWithEscrow> {
  return deps.snapshots.bookings.get(`${tenantId}/${bookingId}`, () => loadBooking(deps.db, tenantId, bookingId));
}

/** loadBooking by the escrow's id. */
export async function loadEscrow(db: Queryable, tenantId: string, escrowId: string): Promise<BookingWithEscrow> {
  const rows = await forChange(
    db,
    db
      .select({ booking: bookings, escrow: escrows })
      .from(escrows)
      .innerJoin(bookings, eq(escrows.bookingId, bookings.id))
      .where(and(eq(escrows.tenantId, tenantId), eq(escrows.id, escrowId)))
      .limit(1),
  );
  const row = rows[0];
  if (!row) throw NotFound("escrow", escrowId, "id");
  return row;
}

/**
 * Moves a booking only if it is still in one of `from`: the conditional update is what makes every
 * transition safe against a concurrent request or a second tick. Returns null when it lost the race.
 * `booking` is the row this transaction read and holds (loadBooking): the row returned is it with
 * `patch` applied (db/queries.ts patched), not read back.
 */
export async function transitionBooking(
  tx: Tx,
  booking: BookingRow,
  from: readonly BookingStatus[],
  patch: Partial<BookingRow>,
): Promise<BookingRow | null> {
  const [moved] = await tx
    .update(bookings)
    .set(patch)
    .where(and(eq(bookings.id, booking.id), inArray(bookings.status, [...from])))
    .returning({ id: bookings.id });
  return moved ? patched(booking, patch) : null;
}

/** Changes a booking's fields, never its status (that is transitionBooking's). */
export async function updateBooking(tx: Tx, booking: BookingRow, patch: Omit<Partial<BookingRow>, "status">) {
  const [row] = await tx.update(bookings).set(patch).where(eq(bookings.id, booking.id)).returning({ id: bookings.id });
  if (!row) throw new Error(`Booking ${booking.id} vanished`);
  return patched(booking, patch);
}
