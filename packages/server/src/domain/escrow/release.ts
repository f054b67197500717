import { and, asc, eq, isNull, lte, notInArray, sql } from "drizzle-orm";
import { bookings, type EscrowRow, escrows, payouts, tenants } from "../../db/schema";
import { newId, randomToken } from "../../lib/ids";
import { PaymentProviderError } from "../../ports/payments";
import { presentEscrow } from "../bookings/present";
import { type Deps, type Tenant, tenantNow } from "../context";
import { emitEvent } from "../events/emit";
import { escrowBalances, postLedger } from "../ledger/post";
import { toTenant } from "../tenants/store";
import { claimIsFree } from "./claims";
import { describeFailure } from "./refund";

export interface ClaimedRelease {
  escrow: EscrowRow;
  tenant: Tenant;
  tutorAccount: string | null;
  /** This run's lease token: whatever it records about the release is conditional on still holding it. */
  token: string;
}

/**
 * Claims up to `limit` escrows whose release is due in their tenant's clock. One UPDATE … RETURNING
 * takes the lease, so two processes running the tick never get the same escrow.
 */
export async function claimDueReleases(
  deps: Deps,
  options: {
    limit: number;
    tenantId?: string | undefined;
    escrowId?: string | undefined;
    exclude?: string[] | undefined;
  },
): Promise<ClaimedRelease[]> {
  const serverNow = deps.clock.now();
  const token = randomToken(16);
  const due = deps.db
    .select({ id: escrows.id })
    .from(escrows)
    .innerJoin(tenants, eq(tenants.id, escrows.tenantId))
    .where(
      and(
        eq(escrows.status, "release_scheduled"),
        lte(escrows.releaseAt, sql`${serverNow} + ${tenants.clockOffsetMs}`),
        isNull(escrows.pendingRefundAmount),
        claimIsFree(serverNow),
        options.tenantId ? eq(escrows.tenantId, options.tenantId) : undefined,
        options.escrowId ? eq(escrows.id, options.escrowId) : undefined,
        options.exclude?.length ? notInArray(escrows.id, options.exclude) : undefined,
      ),
    )
    .orderBy(asc(escrows.releaseAt))
    .limit(options.limit);
  const claimed = await deps.db
    .update(escrows)
    .set({ claimToken: token, claimKind: "release", claimExpiresAt: serverNow + deps.releaseLeaseMs })
    .where(and(sql`${escrows.id} in ${due}`, eq(escrows.status, "release_scheduled"), claimIsFree(serverNow)))
    .returning();
  if (claimed.length === 0) return [];
  const context = await deps.db
    .select({ escrowId: escrows.id, tenant: tenants, tutorAccount: bookings.tutorStripeAccount })
    .from(escrows)
    .innerJoin(tenants, eq(tenants.id, escrows.tenantId))
    .innerJoin(bookings, eq(bookings.id, escrows.bookingId))
    .where(eq(escrows.claimToken, token));
  const byEscrow = new Map(context.map((row) => [row.escrowId, row]));
  return claimed.flatMap((escrow) => {
    const row = byEscrow.get(escrow.id);
    return row ? [{ escrow, tenant: toTenant(row.tenant), tutorAccount: row.tutorAccount, token }] : [];
  });
}

export type ReleaseOutcome = "released" | "already_released" | "failed";

/**
 * Pays a claimed escrow out: the tutor's remaining share to their account at the provider (with an
 * idempotency key derived from the escrow), then, in one transaction, the escrow, its ledger rows,
 * the payout guard row and the event. The payout row's unique key means a release can be recorded
 * once however often it is retried.
 */
export async function executeRelease(deps: Deps, claim: ClaimedRelease): Promise<ReleaseOutcome> {
  const { escrow, tenant } = claim;
  const balances = await escrowBalances(deps.db, escrow.id);
  const payout = balances.tutor_pending;
  const platformShare = balances.platform_pending;
  const idempotencyKey = `release:${escrow.id}`;
  let transferId: string | null = null;
  if (payout > 0) {
    try {
      ({ transferId } = await deps.payments.forTenant(tenant).transfer({
        tenant,
        escrowId: escrow.id,
        bookingId: escrow.bookingId,
        destination: claim.tutorAccount,
        chargeId: escrow.chargeId,
        amount: payout,
        currency: escrow.currency,
        idempotencyKey,
      }));
    } catch (error) {
      // A definitive refusal moved no money: free the escrow (a dispute may come in) and retry later.
      // Anything else may have moved money, so the claim stays and a later tick repeats the same call.
      // Only while this run still holds the claim: if its lease ran out, another run owns the escrow
      // now (and may be moving the money), so its claim must not be freed nor its outcome overwritten.
      const definitive = error instanceof PaymentProviderError && !error.retryable;
      await deps.db
        .update(escrows)
        .set({
          lastError: describeFailure(error),
          ...(definitive ? { claimToken: null, claimKind: null, claimExpiresAt: null } : {}),
        })
        .where(and(eq(escrows.id, escrow.id), eq(escrows.claimToken, claim.token)));
      return "failed";
    }
  }
  const at = tenantNow(deps, tenant);
  return deps.db.transaction(async (tx) => {
    const guard = await tx
      .insert(payouts)
      .values({
        id: newId("rel"),
        tenantId: escrow.tenantId,
        escrowId: escrow.id,
        kind: "release",
        idempotencyKey,
        providerId: transferId ?? "none",
        amount: payout,
        currency: escrow.currency,
        createdAt: at,
      })
      .onConflictDoNothing()
      .returning({ id: payouts.id });
    if (guard.length === 0) return "already_released";
    const [released] = await tx
      .update(escrows)
      .set({
        status: "released",
        releasedAmount: escrow.releasedAmount + payout + platformShare,
        payoutAmount: payout,
        transferId,
        releasedAt: at,
        claimToken: null,
        claimKind: null,
        claimExpiresAt: null,
        lastError: null,
        updatedAt: at,
      })
      .where(and(eq(escrows.id, escrow.id), eq(escrows.status, "release_scheduled")))
      .returning();
    if (!released) throw new Error(`Escrow ${escrow.id} left release_scheduled while its release was claimed`);
    await postLedger(
      tx,
      released,
      "release",
      {
        tutor_pending: -payout,
        tutor_released: payout,
        platform_pending: -platformShare,
        platform_revenue: platformShare,
      },
      at,
    );
    await emitEvent(tx, {
      tenantId: escrow.tenantId,
      type: "escrow.released",
      bookingId: escrow.bookingId,
      data: { escrow: presentEscrow(released) },
      at,
    });
    return "released";
  });
}

/** Releases one escrow at once if it is due (after a dispute resolved in the tutor's favour). */
export async function executeReleaseIfDue(deps: Deps, tenantId: string, escrowId: string): Promise<void> {
  const [claim] = await claimDueReleases(deps, { limit: 1, tenantId, escrowId });
  if (claim) await executeRelease(deps, claim);
}
