import { and, eq } from "drizzle-orm";
import { connectedAccounts } from "../../db/schema";
import type { Queryable } from "../../ports/storage";

/**
 * Keeps the newest news about a tutor's connected account: an older event delivered late changes
 * nothing. Two reports of the same second that disagree cannot be ordered (the provider's times are
 * whole seconds): the account's status is then unknown at that second (null), whatever else that
 * second reports, and the provider is asked afresh before the next payout.
 */
export async function recordAccountStatus(
  db: Queryable,
  tenantId: string,
  accountId: string,
  payoutsEnabled: boolean,
  asOf: number,
  at: number,
): Promise<void> {
  const where = and(eq(connectedAccounts.tenantId, tenantId), eq(connectedAccounts.accountId, accountId));
  const [known] = await db.select().from(connectedAccounts).where(where);
  if (!known) {
    await db
      .insert(connectedAccounts)
      .values({ tenantId, accountId, payoutsEnabled, asOf, updatedAt: at })
      .onConflictDoNothing();
  } else if (known.asOf < asOf) {
    await db.update(connectedAccounts).set({ payoutsEnabled, asOf, updatedAt: at }).where(where);
  } else if (known.asOf === asOf && known.payoutsEnabled !== null && known.payoutsEnabled !== payoutsEnabled) {
    await db.update(connectedAccounts).set({ payoutsEnabled: null, updatedAt: at }).where(where);
  }
}

/** Whether the tutor's account can be paid out, as last heard; null when nothing certain is known. */
export async function knownPayoutsEnabled(db: Queryable, tenantId: string, accountId: string): Promise<boolean | null> {
  const [known] = await db
    .select({ payoutsEnabled: connectedAccounts.payoutsEnabled })
    .from(connectedAccounts)
    .where(and(eq(connectedAccounts.tenantId, tenantId), eq(connectedAccounts.accountId, accountId)));
  return known?.payoutsEnabled ?? null;
}
