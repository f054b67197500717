import type { BookingRow, EscrowRow } from "../../db/schema";
import type { Tx } from "../../ports/storage";
import { presentBooking, presentEscrow } from "../bookings/present";
import { loadBooking, loadEscrow, transitionBooking } from "../bookings/store";
import type { TenantContext } from "../context";
import { Conflict, Invalid } from "../errors";
import { emitEvent } from "../events/emit";
import { settleEscrowNow } from "../operations/execute";
import { openOperations, requestOperation } from "../operations/store";
import { refundInProgress, releaseInProgress, withdrawRelease } from "./guards";
import { emitReleaseScheduled, freezeEscrow, unfreezeEscrow } from "./movements";
import { heldAmount } from "./status";

export interface OpenDisputeInput {
  reason: string;
  source: "participant" | "platform";
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
    if ((await openOperations(tx, escrow.id, "refund")).length > 0) throw refundInProgress(false);
    await withdrawRelease(tx, escrow, { at: now, serverNow: deps.clock.now() }, releaseInProgress(false));
    const disputed = presentEscrow(await freezeEscrow(tx, escrow, { source: input.source, reason: input.reason }, now));
    await emitEvent(tx, {
      tenantId: tenant.id,
      type: "escrow.disputed",
      bookingId: booking.id,
      data: { escrow: disputed, dispute: disputed.dispute },
      at: now,
    });
    return disputed;
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
 * is released to the tutor. The refund and the release are made at once, after the commit.
 */
export async function resolveDispute(ctx: TenantContext, escrowId: string, input: ResolveDisputeInput) {
  const { deps, tenant, now } = ctx;
  await deps.db.transaction(async (tx) => {
    const { booking, escrow } = await loadEscrow(tx, tenant.id, escrowId);
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
    if (refund > 0 && (await openOperations(tx, escrow.id, "refund")).length > 0) throw refundInProgress(false);
    // Once the session is over, whatever the student does not get back is the tutor's now.
    const resolved = await unfreezeEscrow(tx, booking, escrow, { at: now, releaseAt: now, refunding: refund });
    const refundOperation =
      refund > 0
        ? await requestOperation(tx, resolved, { kind: "refund", amount: refund, reason: "dispute_resolved" }, now)
        : null;
    await emitEvent(tx, {
      tenantId: tenant.id,
      type: "escrow.dispute_resolved",
      bookingId: booking.id,
      data: { escrow: presentEscrow(resolved), resolution: { outcome: input.outcome, refund_amount: refund } },
      at: now,
    });
    if (resolved.status === "release_scheduled") await emitReleaseScheduled(tx, resolved, now);
    if (refundOperation && refund === held) await cancelUnstartedBooking(tx, { booking, escrow: resolved }, now);
  });
  await settleEscrowNow(deps, tenant, escrowId);
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
