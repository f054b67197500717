import { and, eq, isNotNull, isNull, lt, or } from "drizzle-orm";
import { type EscrowRow, escrows, tenants } from "../../db/schema";
import { randomToken } from "../../lib/ids";
import type { Database } from "../../ports/storage";
import type { Tenant } from "../context";
import { toTenant } from "../tenants/store";

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

/**
 * The escrows with a refund or reversal left pending (a crash, a provider outage) whose claim is
 * free, each with its tenant: the tick's leftovers to finish.
 */
export async function escrowsWithPending(
  db: Database,
  pending: "refund" | "reversal",
  serverNow: number,
  tenantId?: string,
): Promise<{ escrowId: string; tenant: Tenant }[]> {
  const rows = await db
    .select({ escrowId: escrows.id, tenant: tenants })
    .from(escrows)
    .innerJoin(tenants, eq(tenants.id, escrows.tenantId))
    .where(
      and(
        isNotNull(pending === "refund" ? escrows.pendingRefundAmount : escrows.pendingReversalAmount),
        claimIsFree(serverNow),
        tenantId ? eq(escrows.tenantId, tenantId) : undefined,
      ),
    );
  return rows.map((row) => ({ escrowId: row.escrowId, tenant: toTenant(row.tenant) }));
}
