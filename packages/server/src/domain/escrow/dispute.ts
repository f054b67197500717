import type { BookingRow, EscrowRow } from "../../db/schema";
import type { Tx } from "../../ports/storage";
import { heldAmount, presentBooking, presentEscrow } from "../bookings/present";
import { loadBooking, loadEscrow, transitionBooking } from "../bookings/store";
import type { TenantContext } from "../context";
import { Conflict, Invalid } from "../errors";
import { emitEvent } from "../events/emit";
import { escrowBalances, postLedger } from "../ledger/post";
import { emitReleaseScheduled, freezeEscrow } from "./movements";
import { scheduleRefund, settlePendingRefund } from "./refund";
import { executeReleaseIfDue } from "./release";

export interface OpenDisputeInput {
  reason: string;
  openedBy: "student" | "platform";
}

/** Freezes the escrow: nothing is released until the tenant resolves the dispute. */
export async function openDispute(
  ctx: TenantContext,
  target: { bookingId: string } | { escrowId: string },
  input: OpenDisputeInput,
) {
  const { deps, tenant, now } = ctx;
  return deps.db.transaction(async (tx) => {
    const { booking, escrow } =
      "bookingId" in target
        ? await loadBooking(tx, tenant.id, target.bookingId)
        : await loadEscrow(tx, tenant.id, target.escrowId);
    if (escrow.status === "disputed") throw Conflict("already_disputed", "The escrow is already disputed");
    if (escrow.status !== "held" && escrow.status !== "release_scheduled") {
      throw Conflict("escrow_not_disputable", `A ${escrow.status} escrow cannot be disputed`);
    }
    if (escrow.pendingRefundAmount !== null)
      throw Conflict("refund_in_progress", "A refund of this escrow is being made");
    if (escrow.claimKind === "release" && escrow.claimToken !== null) {
      throw Conflict("release_in_progress", "The escrow is being released to the tutor");
    }
    const disputed = await freezeEscrow(
      tx,
      escrow,
      { disputeReason: input.reason, disputeOpenedBy: input.openedBy, disputedAt: now },
      now,
    );
    await emitEvent(tx, {
      tenantId: tenant.id,
      type: "escrow.disputed",
      bookingId: booking.id,
      data: { escrow: presentEscrow(disputed), dispute: { reason: input.reason, opened_by: input.openedBy } },
      at: now,
    });
    return presentEscrow(disputed);
  });
}

export interface ResolveDisputeInput {
  outcome: "release" | "refund";
  /** For `refund`: how much goes back to the student (default: everything still held). */
  refund_amount?: number | undefined;
}

/**
 * Ends a dispute. `release`: the tutor is paid now (or, before the lesson, the escrow is simply
 * held again). `refund`: `refund_amount` (default all) goes back to the student and any remainder
 * is released to the tutor.
 */
export async function resolveDispute(ctx: TenantContext, escrowId: string, input: ResolveDisputeInput) {
  const { deps, tenant, now } = ctx;
  const outcome = await deps.db.transaction(async (tx) => {
    const current = await loadEscrow(tx, tenant.id, escrowId);
    const { booking, escrow } = current;
    if (escrow.status !== "disputed") throw Conflict("escrow_not_disputed", "The escrow is not disputed");
    const held = heldAmount(escrow);
    const refund = input.outcome === "refund" ? (input.refund_amount ?? held) : 0;
    if (input.outcome === "release" && input.refund_amount !== undefined) {
      throw Invalid("refund_amount_not_allowed", "refund_amount only applies to outcome 'refund'", "refund_amount");
    }
    if (refund > held)
      throw Invalid("refund_exceeds_held", `refund_amount cannot exceed the ${held} still held`, "refund_amount");
    if (input.outcome === "refund" && refund <= 0) {
      throw Invalid("refund_amount_invalid", "refund_amount must be greater than zero", "refund_amount");
    }
    const balances = await escrowBalances(tx, escrow.id);
    await postLedger(
      tx,
      escrow,
      "dispute_resolved",
      { tutor_disputed: -balances.tutor_disputed, tutor_pending: balances.tutor_disputed },
      now,
    );
    const sessionOver = booking.status === "completed" || booking.status === "no_show" || booking.status === "canceled";
    const remaining = held - refund;
    // Once the session is over, whatever the student does not get back is the tutor's now; before
    // the lesson, the money is simply held again.
    const next: Partial<EscrowRow> =
      remaining > 0 && sessionOver ? { status: "release_scheduled", releaseAt: now } : { status: "held" };
    const resolved = await scheduleRefund(tx, escrow, refund, "dispute_resolved", now, {
      ...next,
      statusBeforeDispute: null,
    });
    await emitEvent(tx, {
      tenantId: tenant.id,
      type: "escrow.dispute_resolved",
      bookingId: booking.id,
      data: { escrow: presentEscrow(resolved), resolution: { outcome: input.outcome, refund_amount: refund } },
      at: now,
    });
    if (resolved.status === "release_scheduled") await emitReleaseScheduled(tx, resolved, now);
    if (remaining === 0) await cancelUnstartedBooking(tx, { booking, escrow: resolved }, now);
    return { refundPending: refund > 0, releaseNow: resolved.status === "release_scheduled" };
  });
  if (outcome.refundPending) await settlePendingRefund(deps, tenant, escrowId);
  if (outcome.releaseNow) await executeReleaseIfDue(deps, tenant.id, escrowId);
  const { escrow } = await loadEscrow(deps.db, tenant.id, escrowId);
  return presentEscrow(escrow);
}

/** A lesson fully refunded before it happened will not happen: cancel it. */
async function cancelUnstartedBooking(
  tx: Tx,
  { booking, escrow }: { booking: BookingRow; escrow: EscrowRow },
  at: number,
) {
  const canceled = await transitionBooking(tx, booking, ["confirmed"], {
    status: "canceled",
    canceledAt: at,
    canceledBy: "platform",
    cancelReason: "dispute_refunded",
    updatedAt: at,
  });
  if (!canceled) return;
  await emitEvent(tx, {
    tenantId: booking.tenantId,
    type: "booking.canceled",
    bookingId: booking.id,
    data: { booking: presentBooking(canceled, escrow) },
    at,
  });
}
