import { and, eq } from "drizzle-orm";
import { type EscrowRow, providerEvents } from "../../db/schema";
import { presentEscrow } from "../bookings/present";
import type { BookingWithEscrow } from "../bookings/store";
import { refundInProgress, releaseInProgress, withdrawRelease } from "../escrow/guards";
import {
  applyRefund,
  emitReleaseScheduled,
  freezeEscrow,
  refundAfterRelease,
  unfreezeEscrow,
} from "../escrow/movements";
import { heldAmount, updateEscrow } from "../escrow/status";
import { emitEvent } from "../events/emit";
import { cancelOperations, isLeased, mayHaveMoved, openOperations, requestOperation } from "../operations/store";
import type { FactContext, ProviderEventOutcome, ProviderFact } from "./facts";

type DisputeOpened = Extract<ProviderFact, { kind: "dispute_opened" }>;
type DisputeClosed = Extract<ProviderFact, { kind: "dispute_closed" }>;

/**
 * A chargeback freezes what is still held, exactly like a dispute opened through the API (with the
 * provider as its source). Money already released stays released: the tutor is charged back only if
 * the dispute is lost. An escrow the tenant already froze stays the tenant's dispute to resolve.
 */
export async function openProviderDispute(
  context: FactContext,
  { booking, escrow }: BookingWithEscrow,
  fact: DisputeOpened,
): Promise<ProviderEventOutcome> {
  const { tx, at } = context;
  if (await disputeClosedAlready(context, fact.disputeId)) return "ignored:dispute_already_closed";
  if (escrow.providerDisputeId === fact.disputeId) return "applied";
  const dispute = { source: "provider" as const, reason: fact.reason, providerDisputeId: fact.disputeId };
  let updated: EscrowRow;
  if (escrow.status === "held" || escrow.status === "release_scheduled") {
    await withdrawRelease(tx, escrow, context, releaseInProgress(true));
    updated = await freezeEscrow(tx, escrow, dispute, at);
  } else if (escrow.status === "disputed") {
    await updateEscrow(tx, escrow, { providerDisputeId: fact.disputeId, updatedAt: at });
    return "applied";
  } else {
    updated = await noteDispute(context, escrow, fact);
  }
  await emitDisputed(context, booking.id, updated, fact);
  return "applied";
}

/**
 * The chargeback is decided. Won: the freeze it made ends and the release resumes (at its time, or
 * now when that has passed). Lost: the disputed amount went back to the student through the card
 * network, whoever froze the escrow: it is recorded as charged back, from what is held first and then
 * from what was released (with a transfer reversal); only what it left is still a tenant's dispute.
 */
export async function closeProviderDispute(
  context: FactContext,
  { booking, escrow: before }: BookingWithEscrow,
  fact: DisputeClosed,
) {
  const { tx, at, serverNow } = context;
  const open = await openOperations(tx, before.id);
  if (open.some((operation) => operation.kind === "transfer" && mayHaveMoved(operation))) throw releaseInProgress(true);
  if (
    fact.outcome === "lost" &&
    open.some((operation) => operation.kind === "refund" && isLeased(operation, serverNow))
  ) {
    // Our refund is at the provider right now: apply the chargeback once it is recorded.
    throw refundInProgress(true);
  }
  let current = before;
  if (current.providerDisputeId !== fact.disputeId && current.status !== "disputed") {
    // The closing overtook the opening (which will be ignored): record that the dispute happened.
    current = await noteDispute(context, current, fact);
    await emitDisputed(context, booking.id, current, fact);
  }
  const frozenByThis = current.status === "disputed" && current.disputeSource === "provider";
  if (frozenByThis) {
    current = await unfreezeEscrow(tx, booking, current, { at, releaseAt: current.releaseAt ?? at });
  } else if (current.status === "disputed" && fact.outcome === "won") {
    return; // A dispute opened through the API also holds this escrow; the tenant resolves it.
  }
  let refunded = 0;
  if (fact.outcome === "lost") {
    const fromHeld = Math.min(fact.amount, heldAmount(current));
    if (fromHeld > 0) {
      await withdrawRelease(tx, current, context, releaseInProgress(true));
      current = await applyRefund(tx, current, fromHeld, at, { reason: "dispute_lost", chargeback: true });
      await capOpenRefunds(context, current);
    }
    const fromReleased = Math.min(fact.amount - fromHeld, current.releasedAmount);
    if (fromReleased > 0) {
      current = await refundAfterRelease(tx, current, fromReleased, at, { reason: "dispute_lost", chargeback: true });
    }
    refunded = fromHeld + fromReleased;
  }
  await emitEvent(tx, {
    tenantId: booking.tenantId,
    type: "escrow.dispute_resolved",
    bookingId: booking.id,
    data: {
      escrow: presentEscrow(current),
      resolution: {
        outcome: fact.outcome === "won" ? "release" : "refund",
        refund_amount: refunded,
        provider_dispute_id: fact.disputeId,
      },
    },
    at,
  });
  if (current.status === "release_scheduled") await emitReleaseScheduled(tx, current, at);
}

/**
 * Refunds of ours not yet made can only return what is still held: the chargeback gave the rest back
 * already. Each is withdrawn (its money came back the other way), and what is still owed of them,
 * capped to what is held, is asked for again under a new key.
 */
async function capOpenRefunds(context: FactContext, escrow: EscrowRow) {
  const { tx, at, serverNow } = context;
  const refunds = await openOperations(tx, escrow.id, "refund");
  const owed = refunds.reduce((sum, operation) => sum + operation.amount, 0);
  const held = heldAmount(escrow);
  if (owed <= held) return;
  const canceled = await cancelOperations(tx, refunds, {
    at,
    serverNow,
    superseded: true,
    message: "Superseded: a lost chargeback returned this money to the student",
  });
  const reason = canceled[0]?.reason;
  if (canceled.length > 0 && reason && held > 0) {
    await requestOperation(tx, escrow, { kind: "refund", amount: held, reason }, at);
  }
}

async function noteDispute(context: FactContext, escrow: EscrowRow, fact: DisputeOpened | DisputeClosed) {
  return updateEscrow(context.tx, escrow, {
    providerDisputeId: fact.disputeId,
    disputeSource: "provider",
    disputeReason: fact.reason,
    disputedAt: context.at,
    updatedAt: context.at,
  });
}

async function emitDisputed(
  context: FactContext,
  bookingId: string,
  escrow: EscrowRow,
  fact: DisputeOpened | DisputeClosed,
) {
  await emitEvent(context.tx, {
    tenantId: escrow.tenantId,
    type: "escrow.disputed",
    bookingId,
    data: {
      escrow: presentEscrow(escrow),
      dispute: { source: "provider", reason: fact.reason, opened_by: "student", provider_dispute_id: fact.disputeId },
    },
    at: context.at,
  });
}

async function disputeClosedAlready({ tx, tenant }: FactContext, disputeId: string): Promise<boolean> {
  const rows = await tx
    .select({ type: providerEvents.type })
    .from(providerEvents)
    .where(
      and(
        eq(providerEvents.tenantId, tenant.id),
        eq(providerEvents.subjectId, disputeId),
        eq(providerEvents.type, "charge.dispute.closed"),
      ),
    )
    .limit(1);
  return rows.length > 0;
}
