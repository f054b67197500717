import type { EscrowRow } from "../../db/schema";
import { presentEscrow } from "../bookings/present";
import { refundInProgress, releaseInProgress, withdrawRelease } from "../escrow/guards";
import { applyRefund, refundAfterRelease } from "../escrow/movements";
import { heldAmount, updateEscrow } from "../escrow/status";
import { emitEvent } from "../events/emit";
import { escrowBalances, postLedger } from "../ledger/post";
import { openOperations } from "../operations/store";
import type { FactContext } from "./facts";

/**
 * `charge.refunded` carries the charge's cumulative `amount_refunded`: refunds only, ours and anyone
 * else's, never a chargeback. What we did not record is the difference with the refunds we know of
 * (what the escrow refunded minus what it lost to chargebacks); older events carry smaller totals and
 * change nothing. While a refund of ours is open, a higher total cannot be told apart from it (ours
 * may have gone through unrecorded): the provider delivers the event again once ours is settled.
 */
export async function recordRefundedTotal(context: FactContext, escrow: EscrowRow, amountRefunded: number) {
  const { tx, at } = context;
  const known = escrow.refundedAmount - escrow.chargedBackAmount;
  let unknown = Math.min(amountRefunded - known, escrow.amount - escrow.refundedAmount);
  if (unknown <= 0) return;
  if ((await openOperations(tx, escrow.id, "refund")).length > 0) throw refundInProgress(true);
  let current = escrow;
  const fromHeld = Math.min(unknown, heldAmount(current));
  if (fromHeld > 0) {
    await withdrawRelease(tx, current, context, releaseInProgress(true));
    current = await applyRefund(tx, current, fromHeld, at, { reason: "provider_refund" });
    unknown -= fromHeld;
  }
  if (unknown > 0 && current.releasedAmount > 0) {
    await refundAfterRelease(tx, current, Math.min(unknown, current.releasedAmount), at, { reason: "provider_refund" });
  }
}

/**
 * `transfer.reversed` carries the transfer's cumulative `amount_reversed`. Beyond what we reversed
 * (or are reversing), someone took money back from the tutor at the provider: it is the platform's now.
 */
export async function recordReversedTotal(
  { tx, at }: FactContext,
  escrow: EscrowRow,
  amountReversed: number,
): Promise<boolean> {
  const ours = await openOperations(tx, escrow.id, "transfer_reversal");
  const known = escrow.reversedAmount + ours.reduce((sum, operation) => sum + operation.amount, 0);
  const balances = await escrowBalances(tx, escrow.id);
  const unknown = Math.min(amountReversed - known, balances.tutor_released);
  if (unknown <= 0) return false;
  await postLedger(tx, escrow, "transfer_reversed", { tutor_released: -unknown, platform_revenue: unknown }, at);
  const updated = await updateEscrow(tx, escrow, { reversedAmount: escrow.reversedAmount + unknown, updatedAt: at });
  await emitEvent(tx, {
    tenantId: escrow.tenantId,
    type: "escrow.transfer_reversed",
    bookingId: escrow.bookingId,
    data: { escrow: presentEscrow(updated), reversal: { amount: unknown, transfer_id: escrow.transferId } },
    at,
  });
  return true;
}
