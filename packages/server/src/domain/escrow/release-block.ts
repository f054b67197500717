import { and, eq } from "drizzle-orm";
import { connectedAccounts, escrows } from "../../db/schema";
import { presentEscrow } from "../bookings/present";
import { type Deps, tenantNow } from "../context";
import { emitEvent } from "../events/emit";
import { recordAccountStatus } from "./provider-events";
import { describeFailure } from "./refund";
import type { ClaimedRelease } from "./release";

const BLOCKED = "payouts_not_enabled";

/**
 * A tutor whose connected account cannot be paid out (the provider's `account.updated` said so, or
 * the provider says so when we know nothing yet) is not paid: the claim is freed, the escrow says
 * why, `escrow.release_blocked` is emitted the first time, and every later tick tries again.
 * Returns true when the release must wait.
 */
export async function releaseBlocked(deps: Deps, claim: ClaimedRelease): Promise<boolean> {
  const { tenant, escrow, tutorAccount } = claim;
  const provider = deps.payments.forTenant(tenant);
  if (!tutorAccount || !provider.payoutsEnabled) return false;
  const [known] = await deps.db
    .select({ payoutsEnabled: connectedAccounts.payoutsEnabled })
    .from(connectedAccounts)
    .where(and(eq(connectedAccounts.tenantId, tenant.id), eq(connectedAccounts.accountId, tutorAccount)));
  let enabled = known?.payoutsEnabled;
  if (enabled === undefined) {
    try {
      enabled = await provider.payoutsEnabled(tenant, tutorAccount);
    } catch (error) {
      await block(deps, claim, `account_status_unknown: ${describeFailure(error)}`, false);
      return true;
    }
    // As of "the beginning of time", so that any account.updated event overrides it.
    await recordAccountStatus(deps.db, tenant.id, tutorAccount, enabled, 0, tenantNow(deps, tenant));
  }
  if (enabled) return false;
  const reason = `${BLOCKED}: the tutor's Stripe account ${tutorAccount} cannot receive payouts yet; the release is retried on every tick`;
  await block(deps, claim, reason, escrow.lastError?.startsWith(BLOCKED) !== true);
  return true;
}

async function block(deps: Deps, claim: ClaimedRelease, reason: string, report: boolean) {
  const at = tenantNow(deps, claim.tenant);
  await deps.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(escrows)
      .set({ lastError: reason, claimToken: null, claimKind: null, claimExpiresAt: null })
      .where(and(eq(escrows.id, claim.escrow.id), eq(escrows.claimToken, claim.token)))
      .returning();
    if (!updated || !report) return;
    await emitEvent(tx, {
      tenantId: updated.tenantId,
      type: "escrow.release_blocked",
      bookingId: updated.bookingId,
      data: { escrow: presentEscrow(updated), reason: { code: reason.split(":")[0], message: reason } },
      at,
    });
  });
}
