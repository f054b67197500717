import { and, desc, eq, lt } from "drizzle-orm";
import { type BookingStatus, bookings, escrows } from "../../db/schema";
import type { TenantContext } from "../context";
import { type PageRequest, resolveCursor, toPage } from "../lists/page";
import { presentBooking } from "./present";

export interface ListBookingsInput extends PageRequest {
  status?: BookingStatus | undefined;
  tutor_id?: string | undefined;
  student_id?: string | undefined;
}

export async function listBookings({ deps, tenant }: TenantContext, input: ListBookingsInput) {
  const cursor = await resolveCursor(
    input,
    async (id) =>
      (
        await deps.db
          .select({ seq: bookings.seq })
          .from(bookings)
          .where(and(eq(bookings.tenantId, tenant.id), eq(bookings.id, id)))
      )[0]?.seq,
    "booking",
  );
  const rows = await deps.db
    .select({ booking: bookings, escrow: escrows })
    .from(bookings)
    .innerJoin(escrows, eq(escrows.bookingId, bookings.id))
    .where(
      and(
        eq(bookings.tenantId, tenant.id),
        input.status ? eq(bookings.status, input.status) : undefined,
        input.tutor_id ? eq(bookings.tutorId, input.tutor_id) : undefined,
        input.student_id ? eq(bookings.studentId, input.student_id) : undefined,
        cursor !== undefined ? lt(bookings.seq, cursor) : undefined,
      ),
    )
    .orderBy(desc(bookings.seq))
    .limit(input.limit + 1);
  return toPage(
    rows.map((row) => presentBooking(row.booking, row.escrow)),
    input.limit,
  );
}
