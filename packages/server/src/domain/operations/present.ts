import type { OperationRow } from "../../db/schema";
import { iso } from "../bookings/present";

/** The public (wire) shape of a money operation, for the API and event payloads alike. */
export function presentOperation(operation: OperationRow) {
  return {
    id: operation.id,
    object: "money_operation" as const,
    escrow_id: operation.escrowId,
    booking_id: operation.bookingId,
    kind: operation.kind,
    status: operation.status,
    amount: operation.amount,
    currency: operation.currency,
    reason: operation.reason,
    idempotency_key: operation.idempotencyKey,
    attempts: operation.attempts,
    provider_id: operation.providerId,
    last_error: operation.errorCode
      ? { code: operation.errorCode, message: operation.errorMessage ?? operation.errorCode }
      : null,
    next_attempt_at:
      operation.status === "pending" || operation.status === "in_flight" ? (iso(operation.dueAt) as string) : null,
    created_at: iso(operation.createdAt) as string,
    updated_at: iso(operation.updatedAt) as string,
    completed_at: iso(operation.completedAt),
  };
}

export type OperationResource = ReturnType<typeof presentOperation>;
