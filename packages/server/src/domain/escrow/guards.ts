import type { EscrowRow } from "../../db/schema";
import type { Tx } from "../../ports/storage";
import { Conflict, type DomainError } from "../errors";
import { cancelOperations, mayHaveMoved, openOperations } from "../operations/store";

export const releaseInProgress = (redeliver: boolean) =>
  Conflict(
    "release_in_progress",
    redeliver
      ? "The escrow is being released to the tutor; deliver this event again later"
      : "The escrow is being released to the tutor",
  );

export const refundInProgress = (redeliver: boolean) =>
  Conflict(
    "refund_in_progress",
    redeliver
      ? "A refund of this escrow is being made; deliver this event again later"
      : "A refund of this escrow is being made",
  );

/**
 * Before anything changes what an escrow holds (a dispute, a refund, a chargeback): a release whose
 * transfer may be moving right now refuses the change with `conflict`, since what is held is being
 * paid out from a balance read before the call; a release only requested is withdrawn (it was never
 * sent), and the next tick requests it again with the new amount.
 */
export async function withdrawRelease(
  tx: Tx,
  escrow: EscrowRow,
  time: { at: number; serverNow: number },
  conflict: DomainError,
): Promise<void> {
  const transfers = await openOperations(tx, escrow.id, "transfer");
  if (transfers.some(mayHaveMoved)) throw conflict;
  await cancelOperations(tx, transfers, {
    ...time,
    message: "Withdrawn before it was sent: the escrow changed; the release is requested again if still due",
  });
}
