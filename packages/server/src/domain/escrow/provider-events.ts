import { and, eq, lte, type SQL } from "drizzle-orm";
import { bookings, connectedAccounts, type EscrowRow, escrows, providerEvents } from "../../db/schema";
import type { Tx } from "../../ports/storage";
import { heldAmount, presentBooking, presentEscrow } from "../bookings/present";
import { type BookingWithEscrow, transitionBooking, transitionEscrow } from "../bookings/store";
import { type Deps, type Tenant, tenantNow } from "../context";
import { Conflict } from "../errors";
import { emitEvent } from "../events/emit";
import { escrowBalances, postLedger } from "../ledger/post";
import { applyRefund, emitReleaseScheduled, freezeEscrow } from "./movements";
import { recordPaymentFailed, recordPaymentSucceeded } from "./payment";
import { refundAfterRelease, settlePendingReversal } from "./reversal";

/**
 * What a payment provider told us (a Stripe webhook, translated at the edge). The domain applies
 * each fact once, and every fact is cumulative or conditional (amounts refunded or reversed so far,
 * transitions from a given state) so that any delivery order ends in the same state.
 */
export type ProviderFact =
  | { kind: "payment_succeeded"; paymentId: string; chargeId: string | null }
  | { kind: "payment_failed"; paymentId: string; code: string; message: string }
  | { kind: "payment_canceled"; paymentId: string }
  | { kind: "charge_refunded"; paymentId: string; chargeId: string; amountRefunded: number }
  | {
      kind: "dispute_opened";
      paymentId: string | null;
      chargeId: string;
      disputeId: string;
      reason: string;
    }
  | {
      kind: "dispute_closed";
      paymentId: string | null;
      chargeId: string;
      disputeId: string;
      reason: string;
      outcome: "won" | "lost";
      amount: number;
    }
  | { kind: "transfer_reversed"; transferId: string; amountReversed: number }
  | { kind: "account_updated"; accountId: string; payoutsEnabled: boolean };

export interface ProviderEventInput {
  id: string;
  type: string;
  /** The provider's time of the event (epoch ms). */
  createdAt: number;
  fact: ProviderFact | null;
}

export type ProviderEventOutcome = "applied" | "duplicate" | `ignored:${string}`;

/**
 * Applies one provider event at most once: the event row and its effects commit together, so a
 * redelivery finds the row and changes nothing. Provider calls the event makes necessary (a
 * transfer reversal) are made after the commit, with keys fixed inside it.
 */
export async function applyProviderEvent(
  deps: Deps,
  tenant: Tenant,
  input: ProviderEventInput,
): Promise<ProviderEventOutcome> {
  const at = tenantNow(deps, tenant);
  const result = await deps.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(providerEvents)
      .values({
        tenantId: tenant.id,
        eventId: input.id,
        provider: "stripe",
        type: input.type,
        subjectId: subjectOf(input.fact),
        createdAt: input.createdAt,
        receivedAt: deps.clock.now(),
        outcome: "applied",
      })
      .onConflictDoNothing()
      .returning({ id: providerEvents.eventId });
    if (inserted.length === 0) return { outcome: "duplicate" as const, escrowId: null };
    const applied = input.fact
      ? await applyFact(tx, tenant, input.fact, { at, createdAt: input.createdAt })
      : { outcome: "ignored:unhandled_type" as const, escrowId: null };
    if (applied.outcome !== "applied") {
      await tx
        .update(providerEvents)
        .set({ outcome: applied.outcome })
        .where(and(eq(providerEvents.tenantId, tenant.id), eq(providerEvents.eventId, input.id)));
    }
    return applied;
  });
  // Also on a duplicate: a reversal left pending by a crash after the first delivery is finished now.
  const escrowId = result.escrowId ?? (input.fact ? await escrowIdFor(deps, tenant, input.fact) : null);
  if (escrowId) await settlePendingReversal(deps, tenant, escrowId);
  return result.outcome;
}

type Applied = { outcome: ProviderEventOutcome; escrowId: string | null };

function subjectOf(fact: ProviderFact | null): string | null {
  if (!fact) return null;
  switch (fact.kind) {
    case "dispute_opened":
    case "dispute_closed":
      return fact.disputeId;
    case "transfer_reversed":
      return fact.transferId;
    case "account_updated":
      return fact.accountId;
    default:
      return fact.paymentId;
  }
}

async function applyFact(
  tx: Tx,
  tenant: Tenant,
  fact: ProviderFact,
  time: { at: number; createdAt: number },
): Promise<Applied> {
  const { at } = time;
  if (fact.kind === "account_updated") {
    await recordAccountStatus(tx, tenant.id, fact.accountId, fact.payoutsEnabled, time.createdAt, at);
    return { outcome: "applied", escrowId: null };
  }
  const found = await findEscrow(tx, tenant.id, escrowCondition(fact));
  if (!found) return { outcome: "ignored:unknown_payment", escrowId: null };
  const escrowId = found.escrow.id;
  const applied = (outcome: ProviderEventOutcome = "applied"): Applied => ({ outcome, escrowId });

  switch (fact.kind) {
    case "payment_succeeded": {
      const captured = await ensureCaptured(tx, found, fact.chargeId, at);
      return applied(captured ? "applied" : `ignored:escrow_${found.escrow.status}`);
    }
    case "payment_failed": {
      if (found.escrow.status !== "awaiting_payment") return applied("ignored:already_settled");
      await recordPaymentFailed(tx, found, at, { code: fact.code, message: fact.message });
      return applied();
    }
    case "payment_canceled":
      return applied((await cancelUnpaid(tx, found, at)) ? "applied" : "ignored:not_pending");
    case "charge_refunded": {
      const escrow = await ensureCaptured(tx, found, fact.chargeId, at);
      if (!escrow) return applied(`ignored:escrow_${found.escrow.status}`);
      refuseDuringRelease(escrow);
      refuseDuringOwnRefund(escrow, fact.amountRefunded);
      await recordRefundedTotal(tx, escrow, fact.amountRefunded, at);
      return applied();
    }
    case "dispute_opened": {
      const escrow = await ensureCaptured(tx, found, fact.chargeId, at);
      if (!escrow) return applied(`ignored:escrow_${found.escrow.status}`);
      if (await disputeClosedAlready(tx, tenant.id, fact.disputeId)) return applied("ignored:dispute_already_closed");
      await openProviderDispute(tx, { booking: found.booking, escrow }, fact.disputeId, fact.reason, at);
      return applied();
    }
    case "dispute_closed": {
      const escrow = await ensureCaptured(tx, found, fact.chargeId, at);
      if (!escrow) return applied(`ignored:escrow_${found.escrow.status}`);
      refuseDuringRelease(escrow);
      if (fact.outcome === "lost" && escrow.claimKind === "refund" && escrow.claimToken !== null) {
        // Our refund is at the provider right now: apply the chargeback once it is recorded.
        throw Conflict("refund_in_progress", "A refund of this escrow is being made; deliver this event again later");
      }
      await closeProviderDispute(tx, { booking: found.booking, escrow }, fact, at);
      return applied();
    }
    case "transfer_reversed":
      return applied(
        (await recordReversedTotal(tx, found.escrow, fact.amountReversed, at)) ? "applied" : "ignored:known",
      );
  }
}

/**
 * While the tick is paying the tutor, what is held is being moved to `released` from a balance read
 * before the transfer: a refund taken from it now would be paid out too. Not stored, so the
 * provider's redelivery is applied once the release is recorded (as a refund after release).
 */
function refuseDuringRelease(escrow: EscrowRow) {
  if (escrow.claimKind === "release" && escrow.claimToken !== null) {
    throw Conflict("release_in_progress", "The escrow is being released; deliver this event again later");
  }
}

/**
 * With a refund of ours pending, a higher refunded total cannot be told apart from it (ours may have
 * gone through unrecorded, or someone refunded in the dashboard): the provider delivers the event
 * again once ours is settled, when the difference is exactly what was refunded elsewhere.
 */
function refuseDuringOwnRefund(escrow: EscrowRow, amountRefunded: number) {
  if (escrow.pendingRefundAmount !== null && amountRefunded > escrow.refundedAmount) {
    throw Conflict("refund_in_progress", "A refund of this escrow is being made; deliver this event again later");
  }
}

/** Which escrow a fact is about: by transfer, by payment, or (a dispute without a payment id) by charge. */
function escrowCondition(fact: Exclude<ProviderFact, { kind: "account_updated" }>): SQL {
  if (fact.kind === "transfer_reversed") return eq(escrows.transferId, fact.transferId);
  if (fact.kind === "dispute_opened" || fact.kind === "dispute_closed") {
    return fact.paymentId ? eq(escrows.paymentId, fact.paymentId) : eq(escrows.chargeId, fact.chargeId);
  }
  return eq(escrows.paymentId, fact.paymentId);
}

async function findEscrow(tx: Tx, tenantId: string, condition: SQL) {
  const [row] = await tx
    .select({ booking: bookings, escrow: escrows })
    .from(escrows)
    .innerJoin(bookings, eq(bookings.id, escrows.bookingId))
    .where(and(eq(escrows.tenantId, tenantId), condition))
    .limit(1);
  return row ?? null;
}

async function escrowIdFor(deps: Deps, tenant: Tenant, fact: ProviderFact): Promise<string | null> {
  if (fact.kind === "account_updated") return null;
  const condition = escrowCondition(fact);
  const [row] = await deps.db
    .select({ id: escrows.id })
    .from(escrows)
    .where(and(eq(escrows.tenantId, tenant.id), condition))
    .limit(1);
  return row?.id ?? null;
}

/**
 * Any charge event proves the payment went through, so an event that overtakes
 * payment_intent.succeeded captures first. Returns the escrow as it now is, or null when it was
 * never paid here (canceled before the payment).
 */
async function ensureCaptured(
  tx: Tx,
  found: BookingWithEscrow,
  chargeId: string | null,
  at: number,
): Promise<EscrowRow | null> {
  const { booking, escrow } = found;
  if (escrow.status === "canceled") return null;
  if (escrow.status === "awaiting_payment") {
    const captured = await recordPaymentSucceeded(tx, { booking, escrow }, at, chargeId ?? undefined);
    return captured?.escrow ?? null;
  }
  if (chargeId && escrow.chargeId !== chargeId) {
    const [updated] = await tx.update(escrows).set({ chargeId }).where(eq(escrows.id, escrow.id)).returning();
    return updated ?? escrow;
  }
  return escrow;
}

/** The PaymentIntent was canceled at the provider: an unpaid booking is canceled with it. */
async function cancelUnpaid(tx: Tx, { booking, escrow }: BookingWithEscrow, at: number): Promise<boolean> {
  const canceled = await transitionBooking(tx, booking, ["pending_payment"], {
    status: "canceled",
    canceledAt: at,
    canceledBy: "system",
    cancelReason: "payment_canceled",
    updatedAt: at,
  });
  if (!canceled) return false;
  const escrowAfter =
    (await transitionEscrow(tx, escrow, ["awaiting_payment"], { status: "canceled", updatedAt: at })) ?? escrow;
  await emitEvent(tx, {
    tenantId: booking.tenantId,
    type: "booking.canceled",
    bookingId: booking.id,
    data: { booking: presentBooking(canceled, escrowAfter) },
    at,
  });
  return true;
}

/**
 * `charge.refunded` carries the charge's cumulative `amount_refunded`. What we did not make
 * ourselves (a refund in the provider's dashboard) is the difference with what we know of,
 * counting a refund of ours that is in flight. Older events carry smaller totals and change nothing.
 */
async function recordRefundedTotal(tx: Tx, escrow: EscrowRow, amountRefunded: number, at: number) {
  const known = escrow.refundedAmount + (escrow.pendingRefundAmount ?? 0);
  let unknown = Math.min(amountRefunded - known, escrow.amount - escrow.refundedAmount);
  if (unknown <= 0) return;
  let current = escrow;
  const held = heldAmount(current);
  const fromHeld = Math.min(unknown, held);
  if (fromHeld > 0) {
    current = await applyRefund(tx, current, fromHeld, at, "provider_refund");
    unknown -= fromHeld;
  }
  if (unknown > 0 && current.releasedAmount > 0) {
    await refundAfterRelease(tx, current, Math.min(unknown, current.releasedAmount), at, "provider_refund");
  }
}

async function disputeClosedAlready(tx: Tx, tenantId: string, disputeId: string): Promise<boolean> {
  const rows = await tx
    .select({ type: providerEvents.type })
    .from(providerEvents)
    .where(
      and(
        eq(providerEvents.tenantId, tenantId),
        eq(providerEvents.subjectId, disputeId),
        eq(providerEvents.type, "charge.dispute.closed"),
      ),
    );
  return rows.length > 0;
}

const CHARGEBACK = "chargeback:";

/**
 * A chargeback freezes what is still held exactly like a dispute opened through the API. Money
 * already released stays released (the tutor is not charged back unless the dispute is lost).
 */
async function openProviderDispute(
  tx: Tx,
  { booking, escrow }: BookingWithEscrow,
  disputeId: string,
  reason: string,
  at: number,
) {
  if (escrow.providerDisputeId === disputeId) return;
  const disputeFields = {
    providerDisputeId: disputeId,
    disputeReason: `${CHARGEBACK}${reason}`,
    disputeOpenedBy: "student" as const,
    disputedAt: at,
    updatedAt: at,
  };
  let updated: EscrowRow | undefined;
  if (escrow.status === "held" || escrow.status === "release_scheduled") {
    if (escrow.claimKind === "release" && escrow.claimToken !== null) {
      // The tick is paying the tutor right now; the provider will redeliver and we apply it after.
      throw Conflict("release_in_progress", "The escrow is being released; deliver this event again later");
    }
    updated = await freezeEscrow(tx, escrow, disputeFields, at);
  } else if (escrow.status === "disputed") {
    // Already frozen by a dispute opened through the API: that one stays the tenant's to resolve.
    [updated] = await tx
      .update(escrows)
      .set({ providerDisputeId: disputeId, updatedAt: at })
      .where(eq(escrows.id, escrow.id))
      .returning();
    return;
  } else {
    [updated] = await tx.update(escrows).set(disputeFields).where(eq(escrows.id, escrow.id)).returning();
  }
  await emitEvent(tx, {
    tenantId: booking.tenantId,
    type: "escrow.disputed",
    bookingId: booking.id,
    data: {
      escrow: presentEscrow(updated ?? escrow),
      dispute: { reason: `${CHARGEBACK}${reason}`, opened_by: "student", provider_dispute_id: disputeId },
    },
    at,
  });
}

/**
 * The chargeback is decided. Won: the freeze ends and the release resumes (at its time, or now
 * when that has passed). Lost: the disputed amount went back to the student through the card
 * network, so it is recorded as refunded; money already paid to the tutor is reversed.
 */
async function closeProviderDispute(
  tx: Tx,
  { booking, escrow: before }: BookingWithEscrow,
  fact: Extract<ProviderFact, { kind: "dispute_closed" }>,
  at: number,
) {
  let escrow = before;
  if (escrow.providerDisputeId !== fact.disputeId && escrow.status !== "disputed") {
    // The closing overtook the opening (which will be ignored): record that the dispute happened.
    const [noted] = await tx
      .update(escrows)
      .set({
        providerDisputeId: fact.disputeId,
        disputeReason: `${CHARGEBACK}${fact.reason}`,
        disputeOpenedBy: "student",
        disputedAt: at,
        updatedAt: at,
      })
      .where(eq(escrows.id, escrow.id))
      .returning();
    escrow = noted ?? escrow;
    await emitEvent(tx, {
      tenantId: booking.tenantId,
      type: "escrow.disputed",
      bookingId: booking.id,
      data: {
        escrow: presentEscrow(escrow),
        dispute: { reason: `${CHARGEBACK}${fact.reason}`, opened_by: "student", provider_dispute_id: fact.disputeId },
      },
      at,
    });
  }
  let current = escrow;
  const frozenByThis = escrow.status === "disputed" && (escrow.disputeReason ?? "").startsWith(CHARGEBACK);
  if (frozenByThis) {
    const balances = await escrowBalances(tx, escrow.id);
    await postLedger(
      tx,
      escrow,
      "dispute_resolved",
      { tutor_disputed: -balances.tutor_disputed, tutor_pending: balances.tutor_disputed },
      at,
    );
    const sessionOver = booking.status === "completed" || booking.status === "no_show";
    const resume: Partial<EscrowRow> =
      sessionOver || escrow.statusBeforeDispute === "release_scheduled"
        ? { status: "release_scheduled", releaseAt: escrow.releaseAt ?? at }
        : { status: "held" };
    const [resumed] = await tx
      .update(escrows)
      .set({ ...resume, statusBeforeDispute: null, providerDisputeId: fact.disputeId, updatedAt: at })
      .where(eq(escrows.id, escrow.id))
      .returning();
    current = resumed ?? escrow;
  } else if (escrow.status === "disputed" && fact.outcome === "won") {
    return; // A dispute opened through the API also holds this escrow; the tenant resolves it.
  }
  // Lost, the card network has taken the money back whoever froze the escrow: it is refunded (from
  // the frozen share first); only what the chargeback left is still the tenant's dispute to resolve.
  let refunded = 0;
  if (fact.outcome === "lost") {
    const fromHeld = Math.min(fact.amount, heldAmount(current));
    if (fromHeld > 0)
      current = await capPendingRefund(tx, await applyRefund(tx, current, fromHeld, at, "dispute_lost"), at);
    refunded += fromHeld;
    const fromReleased = Math.min(fact.amount - fromHeld, current.releasedAmount);
    if (fromReleased > 0) current = await refundAfterRelease(tx, current, fromReleased, at, "dispute_lost");
    refunded += fromReleased;
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
  if (frozenByThis && current.status === "release_scheduled") await emitReleaseScheduled(tx, current, at);
}

/**
 * A refund of ours still pending (its provider call failed so far) can only return what is still
 * held: the chargeback gave the rest back already, so it shrinks to that (new key), or is dropped.
 */
async function capPendingRefund(tx: Tx, escrow: EscrowRow, at: number): Promise<EscrowRow> {
  if (escrow.pendingRefundAmount === null) return escrow;
  const held = heldAmount(escrow);
  if (escrow.pendingRefundAmount <= held) return escrow;
  const patch: Partial<EscrowRow> =
    held > 0
      ? { pendingRefundAmount: held, pendingRefundKey: `refund:${escrow.id}:${escrow.refundedAmount}+${held}` }
      : { pendingRefundAmount: null, pendingRefundKey: null, pendingRefundReason: null, lastError: null };
  const [updated] = await tx
    .update(escrows)
    .set({ ...patch, updatedAt: at })
    .where(eq(escrows.id, escrow.id))
    .returning();
  return updated ?? escrow;
}

/**
 * `transfer.reversed` carries the transfer's cumulative `amount_reversed`. Beyond what we reversed
 * (or are reversing), someone took money back from the tutor at the provider: it is the platform's now.
 */
async function recordReversedTotal(tx: Tx, escrow: EscrowRow, amountReversed: number, at: number): Promise<boolean> {
  const known = escrow.reversedAmount + (escrow.pendingReversalAmount ?? 0);
  const balances = await escrowBalances(tx, escrow.id);
  const unknown = Math.min(amountReversed - known, balances.tutor_released);
  if (unknown <= 0) return false;
  await postLedger(tx, escrow, "transfer_reversed", { tutor_released: -unknown, platform_revenue: unknown }, at);
  const [updated] = await tx
    .update(escrows)
    .set({ reversedAmount: escrow.reversedAmount + unknown, updatedAt: at })
    .where(eq(escrows.id, escrow.id))
    .returning();
  await emitEvent(tx, {
    tenantId: escrow.tenantId,
    type: "escrow.transfer_reversed",
    bookingId: escrow.bookingId,
    data: { escrow: presentEscrow(updated ?? escrow), reversal: { amount: unknown, transfer_id: escrow.transferId } },
    at,
  });
  return true;
}

/** Keeps the newest news about a connected account: an older event delivered late changes nothing. */
export async function recordAccountStatus(
  db: Tx | Deps["db"],
  tenantId: string,
  accountId: string,
  payoutsEnabled: boolean,
  asOf: number,
  at: number,
) {
  await db
    .insert(connectedAccounts)
    .values({ tenantId, accountId, payoutsEnabled, asOf, updatedAt: at })
    .onConflictDoUpdate({
      target: [connectedAccounts.tenantId, connectedAccounts.accountId],
      set: { payoutsEnabled, asOf, updatedAt: at },
      setWhere: lte(connectedAccounts.asOf, asOf),
    });
}
