import type { BookingRow, EscrowRow } from "../../db/schema";
import { heldAmount } from "../escrow/status";

/** Epoch ms → ISO 8601 UTC (null stays null). */
export const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());

/** The public (wire) shape of an escrow, used by the API and by event payloads alike. */
export function presentEscrow(escrow: EscrowRow) {
  return {
    id: escrow.id,
    object: "escrow" as const,
    booking_id: escrow.bookingId,
    tutor_id: escrow.tutorId,
    status: escrow.status,
    currency: escrow.currency,
    amount: escrow.amount,
    platform_fee: escrow.platformFee,
    tutor_amount: escrow.tutorAmount,
    held_amount: heldAmount(escrow),
    refunded_amount: escrow.refundedAmount,
    released_amount: escrow.releasedAmount,
    payout_amount: escrow.payoutAmount,
    release_at: iso(escrow.releaseAt),
    released_at: iso(escrow.releasedAt),
    transfer_id: escrow.transferId,
    charged_back_amount: escrow.chargedBackAmount,
    reversed_amount: escrow.reversedAmount,
    dispute:
      escrow.disputedAt && escrow.disputeSource
        ? {
            source: escrow.disputeSource,
            reason: escrow.disputeReason,
            opened_by: escrow.disputeSource === "platform" ? ("platform" as const) : ("student" as const),
            opened_at: iso(escrow.disputedAt) as string,
            provider_dispute_id: escrow.providerDisputeId,
          }
        : null,
    last_error: escrow.lastErrorCode
      ? { code: escrow.lastErrorCode, message: escrow.lastErrorMessage ?? escrow.lastErrorCode }
      : null,
    created_at: iso(escrow.createdAt) as string,
  };
}

/** The public (wire) shape of a booking with its escrow. */
export function presentBooking(booking: BookingRow, escrow: EscrowRow) {
  return {
    id: booking.id,
    object: "booking" as const,
    external_id: booking.externalId,
    status: booking.status,
    student: { id: booking.studentId, name: booking.studentName },
    tutor: { id: booking.tutorId, name: booking.tutorName, stripe_account: booking.tutorStripeAccount },
    subject: booking.subject,
    timezone: booking.timezone,
    scheduled_start: iso(booking.scheduledStart) as string,
    ends_at: iso(booking.endsAt) as string,
    duration_minutes: booking.durationMinutes,
    join_opens_at: iso(booking.joinOpensAt) as string,
    session: {
      started_at: iso(booking.startedAt),
      started_by: booking.startedBy,
      student_joined_at: iso(booking.studentJoinedAt),
      tutor_joined_at: iso(booking.tutorJoinedAt),
      ended_at: iso(booking.endedAt),
      ended_by: booking.endedBy,
      no_show_side: booking.noShowSide,
    },
    cancellation: booking.canceledAt
      ? {
          canceled_at: iso(booking.canceledAt) as string,
          canceled_by: booking.canceledBy,
          reason: booking.cancelReason,
        }
      : null,
    rating: booking.ratedAt
      ? {
          stars: booking.ratingStars as number,
          comment: booking.ratingComment,
          rated_at: iso(booking.ratedAt) as string,
        }
      : null,
    escrow: presentEscrow(escrow),
    payment: {
      provider: escrow.provider,
      client_secret: booking.status === "pending_payment" ? escrow.paymentClientSecret : null,
      expires_at: booking.status === "pending_payment" ? iso(booking.paymentExpiresAt) : null,
    },
    created_at: iso(booking.createdAt) as string,
    updated_at: iso(booking.updatedAt) as string,
  };
}

export type BookingResource = ReturnType<typeof presentBooking>;
export type EscrowResource = ReturnType<typeof presentEscrow>;
