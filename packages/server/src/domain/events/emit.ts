import { newId } from "../../lib/ids";
import type { Tx } from "../../ports/storage";
import { insertWithDeliveries } from "../webhooks/fanout";

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
  "escrow.release_blocked",
  "escrow.reversal_failed",
  "escrow.transfer_reversed",
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
  const [id] = await emitEvents(tx, [input]);
  return id as string;
}

/** emitEvent for several events of one transaction (batch work such as the tick's releases), in one insert. */
export async function emitEvents(tx: Tx, inputs: EmitInput[]): Promise<string[]> {
  if (inputs.length === 0) return [];
  const rows = inputs.map((input) => ({
    id: newId("evt"),
    tenantId: input.tenantId,
    type: input.type,
    bookingId: input.bookingId,
    data: input.data,
    createdAt: input.at,
    availableAt: Math.max(input.at, input.availableAt ?? input.at),
  }));
  await insertWithDeliveries(tx, rows);
  return rows.map((row) => row.id);
}
