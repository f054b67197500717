import { and, eq, isNotNull, isNull, lt, or } from "drizzle-orm";
import { type EscrowRow, escrows } from "../../db/schema";
import { randomToken } from "../../lib/ids";
import type { Database } from "../../ports/storage";

/** A claim is free when nobody holds it or the holder's lease ran out (the holder died). */
export const claimIsFree = (serverNow: number) => or(isNull(escrows.claimToken), lt(escrows.claimExpiresAt, serverNow));

/** Takes the lease on one escrow's pending refund, or returns null if there is none or it is held. */
export async function claimPendingRefund(
  db: Database,
  escrowId: string,
  serverNow: number,
  leaseMs: number,
): Promise<EscrowRow | null> {
  const [row] = await db
    .update(escrows)
    .set({ claimToken: randomToken(16), claimKind: "refund", claimExpiresAt: serverNow + leaseMs })
    .where(and(eq(escrows.id, escrowId), isNotNull(escrows.pendingRefundAmount), claimIsFree(serverNow)))
    .returning();
  return row ?? null;
}
