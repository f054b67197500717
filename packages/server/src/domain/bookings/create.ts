import { and, eq } from "drizzle-orm";
import { inserted } from "../../db/queries";
import { bookings, escrows } from "../../db/schema";
import { newId } from "../../lib/ids";
import type { TenantContext } from "../context";
import { Conflict, DomainError, Invalid } from "../errors";
import { emitEvent } from "../events/emit";
import { MAX_AMOUNT, normalizeCurrency } from "../money";
import { HOUR, MINUTE } from "../policy";
import { type BookingResource, presentBooking } from "./present";

export interface CreateBookingInput {
  external_id: string;
  student: { id: string; name?: string | undefined };
  tutor: { id: string; name?: string | undefined; stripe_account?: string | undefined };
  subject?: string | undefined;
  scheduled_start: string;
  duration_minutes: number;
  amount: number;
  currency: string;
  platform_fee?: number | undefined;
  timezone?: string | undefined;
}

/**
 * How far ahead of the tenant's clock a lesson may start. A year holds a school year of weekly
 * lessons booked at once; a start further out is almost surely a mistyped year (9999), and the
 * student's money would wait in escrow for it.
 */
export const MAX_DAYS_AHEAD = 365;

/**
 * Books a lesson: the booking (pending payment), its escrow (awaiting payment) and the provider's
 * payment, whose client secret the platform's front end confirms. The booking's deadlines are fixed
 * here from the tenant's policy at booking time.
 */
export async function createBooking(
  { deps, tenant, now }: TenantContext,
  input: CreateBookingInput,
): Promise<BookingResource> {
  const policy = tenant.policy;
  const scheduledStart = parseIsoDateTime(input.scheduled_start);
  if (scheduledStart === null) {
    throw Invalid("invalid_datetime", "scheduled_start must be an ISO 8601 date-time", "scheduled_start");
  }
  if (scheduledStart <= now) {
    throw Invalid("scheduled_start_in_past", "scheduled_start must be in the future", "scheduled_start");
  }
  const latestStart = now + MAX_DAYS_AHEAD * 24 * HOUR;
  if (scheduledStart > latestStart) {
    throw Invalid(
      "scheduled_start_too_far",
      `scheduled_start must be at most ${MAX_DAYS_AHEAD} days ahead (no later than ${new Date(latestStart).toISOString()})`,
      "scheduled_start",
    );
  }
  const currency = normalizeCurrency(input.currency);
  const platformFee = input.platform_fee ?? 0;
  if (input.amount > MAX_AMOUNT) throw Invalid("amount_too_large", `amount must be at most ${MAX_AMOUNT}`, "amount");
  // The fee may be all of it: the tutor is then owed nothing and the release pays the fee alone
  // (a lesson a platform pays its tutors for elsewhere).
  if (platformFee > input.amount) {
    throw Invalid("platform_fee_exceeds_amount", "platform_fee cannot be greater than amount", "platform_fee");
  }
  if (input.student.id === input.tutor.id) {
    throw Invalid("same_participant", "the student and the tutor must be different people", "tutor.id");
  }
  if (input.timezone !== undefined && !isTimeZone(input.timezone)) {
    throw Invalid("invalid_timezone", `'${input.timezone}' is not an IANA time zone`, "timezone");
  }
  if (tenant.paymentProvider === "stripe" && !input.tutor.stripe_account) {
    throw Invalid(
      "tutor_account_required",
      "tutor.stripe_account (the tutor's connected account, acct_…) is required for Stripe tenants",
      "tutor.stripe_account",
    );
  }

  const existing = await deps.db
    .select({ id: bookings.id })
    .from(bookings)
    .where(and(eq(bookings.tenantId, tenant.id), eq(bookings.externalId, input.external_id)))
    .limit(1);
  if (existing[0]) {
    throw Conflict("external_id_taken", `external_id '${input.external_id}' is already booking ${existing[0].id}`);
  }

  const bookingId = newId("bk");
  const escrowId = newId("esc");
  const endsAt = scheduledStart + input.duration_minutes * MINUTE;
  const payment = await deps.payments.forTenant(tenant).createPayment({
    tenant,
    bookingId,
    escrowId,
    amount: input.amount,
    currency,
    idempotencyKey: `payment:${escrowId}`,
  });

  return deps.db.transaction(async (tx) => {
    const bookingValues = {
      id: bookingId,
      tenantId: tenant.id,
      externalId: input.external_id,
      status: "pending_payment",
      studentId: input.student.id,
      studentName: input.student.name ?? null,
      tutorId: input.tutor.id,
      tutorName: input.tutor.name ?? null,
      tutorStripeAccount: input.tutor.stripe_account ?? null,
      subject: input.subject ?? null,
      timezone: input.timezone ?? null,
      scheduledStart,
      durationMinutes: input.duration_minutes,
      endsAt,
      policy,
      paymentExpiresAt: Math.min(now + policy.payment_window_minutes * MINUTE, scheduledStart),
      joinOpensAt: scheduledStart - policy.join_window_minutes * MINUTE,
      noShowAt: scheduledStart + policy.no_show_minutes * MINUTE,
      autoCompleteAt: endsAt + policy.overtime_grace_minutes * MINUTE,
      createdAt: now,
      updatedAt: now,
    } satisfies typeof bookings.$inferInsert;
    const [bookingSeq] = await tx
      .insert(bookings)
      .values(bookingValues)
      .onConflictDoNothing()
      .returning({ seq: bookings.seq });
    if (!bookingSeq) {
      // Lost a race with a concurrent create for the same external id.
      throw Conflict("external_id_taken", `external_id '${input.external_id}' is already booked`);
    }
    const escrowValues = {
      id: escrowId,
      tenantId: tenant.id,
      bookingId,
      tutorId: input.tutor.id,
      status: "awaiting_payment",
      provider: tenant.paymentProvider,
      currency,
      amount: input.amount,
      platformFee,
      tutorAmount: input.amount - platformFee,
      paymentId: payment.paymentId,
      paymentClientSecret: payment.clientSecret,
      createdAt: now,
      updatedAt: now,
    } satisfies typeof escrows.$inferInsert;
    const [escrowSeq] = await tx.insert(escrows).values(escrowValues).returning({ seq: escrows.seq });
    if (!escrowSeq) throw new DomainError("conflict", "escrow_not_created", "escrow could not be created");
    // The rows as written, from their values (db/queries.ts inserted): reading ~70 columns back cost
    // more than writing them.
    const booking = inserted(bookings, bookingValues, bookingSeq);
    const escrow = inserted(escrows, escrowValues, escrowSeq);
    const created = presentBooking(booking, escrow);
    await emitEvent(tx, {
      tenantId: tenant.id,
      type: "booking.created",
      bookingId,
      data: { booking: created },
      at: now,
    });
    return created;
  });
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * An ISO 8601 date-time with an explicit offset, as epoch ms, or null. Date.parse alone would take
 * "March 7, 2031" or an offset-less time (read in the server's zone) and roll 2031-02-30 over to
 * March, and its far-future values overflow once the duration is added.
 */
export function parseIsoDateTime(value: string): number | null {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour] = match.slice(1, 5).map(Number) as [number, number, number, number];
  const calendar = new Date(Date.UTC(2000, month - 1, day));
  calendar.setUTCFullYear(year);
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day || hour > 23) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
