import { events } from "../../db/schema";
import { newId } from "../../lib/ids";
import type { Tx } from "../../ports/storage";
import { queueDeliveries } from "../webhooks/fanout";

export const EVENT_TYPES = [
  "booking.created",
  "booking.canceled",
  "escrow.held",
  "payment.failed",
  "session.join_window_opened",
  "session.started",
  "session.participant_joined",
  "session.ended",
  "session.no_show",
  "escrow.release_scheduled",
  "escrow.released",
  "escrow.refunded",
  "escrow.disputed",
  "escrow.dispute_resolved",
  "rating.submitted",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface EmitInput {
  tenantId: string;
  type: EventType;
  bookingId: string | null;
  data: Record<string, unknown>;
  at: number;
  /** When the event becomes visible and deliverable; defaults to `at`. */
  availableAt?: number;
}

/** Writes an event to the outbox, with its webhook deliveries, inside the transaction of the change that caused it. */
export async function emitEvent(tx: Tx, input: EmitInput): Promise<string> {
  const id = newId("evt");
  const availableAt = Math.max(input.at, input.availableAt ?? input.at);
  await tx.insert(events).values({
    id,
    tenantId: input.tenantId,
    type: input.type,
    bookingId: input.bookingId,
    data: input.data,
    createdAt: input.at,
    availableAt,
  });
  await queueDeliveries(tx, { id, tenantId: input.tenantId, type: input.type, availableAt, createdAt: input.at });
  return id;
}
