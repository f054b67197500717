import { and, asc, eq, inArray, isNull, lte, notInArray, sql } from "drizzle-orm";
import { bookings, type EscrowRow, escrows, ledgerEntries, payouts, tenants } from "../../db/schema";
import { newId, randomToken } from "../../lib/ids";
import { PaymentProviderError } from "../../ports/payments";
import type { Database, Tx } from "../../ports/storage";
import { presentEscrow } from "../bookings/present";
import { type Deps, type Tenant, tenantNow } from "../context";
import { type EmitInput, emitEvents } from "../events/emit";
import { type AccountBalances, ledgerLegs, type Movement } from "../ledger/post";
import { toTenant } from "../tenants/store";
import { claimIsFree } from "./claims";
import { describeFailure } from "./refund";
import { releaseBlocked } from "./release-block";

export interface ClaimedRelease {
  escrow: EscrowRow;
  tenant: Tenant;
  tutorAccount: string | null;
  /** This run's lease token: whatever it records about the release is conditional on still holding it. */
  token: string;
  /**
   * An earlier run claimed this release and never finished it (its lease ran out), or failed it:
   * its transfer may have reached the provider without our database hearing of it.
   */
  retry: boolean;
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
  const due = await deps.db
    .select({ id: escrows.id, earlierClaim: escrows.claimToken, lastError: escrows.lastError })
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
  if (due.length === 0) return [];
  const retried = new Set(
    due.filter((row) => row.earlierClaim !== null || row.lastError !== null).map((row) => row.id),
  );
  // Conditional on the claim still being free: another run may have taken some since the select.
  const claimed = await deps.db
    .update(escrows)
    .set({ claimToken: token, claimKind: "release", claimExpiresAt: serverNow + deps.releaseLeaseMs })
    .where(
      and(
        inArray(
          escrows.id,
          due.map((row) => row.id),
        ),
        eq(escrows.status, "release_scheduled"),
        claimIsFree(serverNow),
      ),
    )
    .returning();
  if (claimed.length === 0) return [];
  const context = await deps.db
    .select({ escrowId: escrows.id, tutorAccount: bookings.tutorStripeAccount })
    .from(escrows)
    .innerJoin(bookings, eq(bookings.id, escrows.bookingId))
    .where(eq(escrows.claimToken, token));
  // Each tenant once per batch, not once per escrow.
  const tenantIds = [...new Set(claimed.map((escrow) => escrow.tenantId))];
  const tenantRows = await deps.db.select().from(tenants).where(inArray(tenants.id, tenantIds));
  const tenantById = new Map(tenantRows.map((row) => [row.id, toTenant(row)]));
  const byEscrow = new Map(context.map((row) => [row.escrowId, row]));
  return claimed.flatMap((escrow) => {
    const row = byEscrow.get(escrow.id);
    const tenant = tenantById.get(escrow.tenantId);
    return row && tenant
      ? [{ escrow, tenant, tutorAccount: row.tutorAccount, token, retry: retried.has(escrow.id) }]
      : [];
  });
}

export type ReleaseOutcome = "released" | "already_released" | "failed";

/** How many releases are paid out, then recorded in one write transaction, at a time. */
const RECORD_CHUNK = 100;

/**
 * Pays a claimed escrow out: the tutor's remaining share to their account at the provider (with an
 * idempotency key derived from the escrow), then, in one transaction, the escrow, its ledger rows,
 * the payout guard row and the event. The payout row's unique key means a release can be recorded
 * once however often it is retried.
 */
export async function executeRelease(deps: Deps, claim: ClaimedRelease): Promise<ReleaseOutcome> {
  const [outcome] = await executeReleases(deps, [claim]);
  return outcome ?? "failed";
}

/**
 * executeRelease for a batch of claims, with the same guarantees per escrow, in fewer statements:
 * a chunk at a time, the balances of the chunk are read in one query, the provider is called for
 * each escrow in turn, and the chunk's transferred releases are recorded in one write transaction.
 * If that transaction fails, nothing of it was recorded and the chunk is recorded again one escrow
 * per transaction, so one bad escrow never holds back the others. Outcomes are in the order of
 * `claims`.
 */
export async function executeReleases(deps: Deps, claims: ClaimedRelease[]): Promise<ReleaseOutcome[]> {
  const outcomes: ReleaseOutcome[] = claims.map(() => "failed");
  for (let start = 0; start < claims.length; start += RECORD_CHUNK) {
    const end = Math.min(start + RECORD_CHUNK, claims.length);
    const balances = await escrowBalancesOf(
      deps.db,
      claims.slice(start, end).map((claim) => claim.escrow.id),
    );
    const transferred: Transferred[] = [];
    for (let index = start; index < end; index++) {
      const claim = claims[index]!;
      const balance = balances.get(claim.escrow.id);
      const payout = balance?.tutor_pending ?? 0;
      const transfer = await transferPayout(deps, claim, payout);
      if (transfer)
        transferred.push({ index, claim, payout, platformShare: balance?.platform_pending ?? 0, ...transfer });
    }
    if (transferred.length === 0) continue;
    let recorded: ReleaseOutcome[];
    try {
      recorded = await deps.db.transaction((tx) => recordReleases(deps, tx, transferred));
    } catch {
      recorded = [];
      let failure: { error: unknown } | undefined;
      for (const release of transferred) {
        try {
          const [outcome] = await deps.db.transaction((tx) => recordReleases(deps, tx, [release]));
          recorded.push(outcome ?? "failed");
        } catch (error) {
          // This one keeps its claim (a later tick retries it with the same key) and fails the run loudly.
          failure ??= { error };
          recorded.push("failed");
        }
      }
      if (failure) throw failure.error;
    }
    for (const [i, release] of transferred.entries()) outcomes[release.index] = recorded[i] ?? "failed";
  }
  return outcomes;
}

/** What each escrow owes the tutor and the platform, from the ledger, in one query for the batch. */
async function escrowBalancesOf(db: Database, escrowIds: string[]) {
  const balances = new Map<string, Pick<AccountBalances, "tutor_pending" | "platform_pending">>();
  if (escrowIds.length === 0) return balances;
  const rows = await db
    .select({
      escrowId: ledgerEntries.escrowId,
      account: ledgerEntries.account,
      total: sql<number>`sum(${ledgerEntries.amount})`,
    })
    .from(ledgerEntries)
    .where(
      and(
        inArray(ledgerEntries.escrowId, escrowIds),
        inArray(ledgerEntries.account, ["tutor_pending", "platform_pending"]),
      ),
    )
    .groupBy(ledgerEntries.escrowId, ledgerEntries.account);
  for (const row of rows) {
    const entry = balances.get(row.escrowId) ?? { tutor_pending: 0, platform_pending: 0 };
    if (row.account === "tutor_pending" || row.account === "platform_pending") entry[row.account] = Number(row.total);
    balances.set(row.escrowId, entry);
  }
  return balances;
}

interface Transferred {
  index: number;
  claim: ClaimedRelease;
  payout: number;
  platformShare: number;
  transferId: string | null;
  idempotencyKey: string;
}

/** The provider transfer of a release; null when it failed (and the failure is recorded). */
async function transferPayout(
  deps: Deps,
  claim: ClaimedRelease,
  payout: number,
): Promise<{ transferId: string | null; idempotencyKey: string } | null> {
  const { escrow, tenant } = claim;
  const idempotencyKey = `release:${escrow.id}`;
  if (payout <= 0) return { transferId: null, idempotencyKey };
  const provider = deps.payments.forTenant(tenant);
  const input = {
    tenant,
    escrowId: escrow.id,
    bookingId: escrow.bookingId,
    destination: claim.tutorAccount,
    chargeId: escrow.chargeId,
    amount: payout,
    currency: escrow.currency,
    idempotencyKey,
  };
  try {
    // Before anything that could free the claim (a payouts block): if an earlier run's transfer
    // reached the provider, the money has moved and the release only needs recording.
    if (claim.retry && provider.findTransfer) {
      const earlier = await provider.findTransfer(input).catch((error: unknown) => {
        // Not knowing whether money moved is never a refusal: the claim must stay.
        throw new PaymentProviderError(
          `looking up an earlier transfer failed: ${describeFailure(error)}`,
          "transfer_lookup_failed",
          true,
        );
      });
      if (earlier && earlier.amount !== payout) {
        // The tutor holds a different amount than the ledger would now pay (the escrow changed while
        // the earlier run's claim had lapsed). Recording either figure would be wrong: keep the claim,
        // say why, and leave it to an operator.
        throw new PaymentProviderError(
          `an earlier transfer ${earlier.transferId} of ${earlier.amount} does not match the payout of ${payout} now due`,
          "transfer_amount_mismatch",
          true,
        );
      }
      if (earlier) return { transferId: earlier.transferId, idempotencyKey };
    }
    if (await releaseBlocked(deps, claim)) return null;
    const { transferId } = await provider.transfer(input);
    return { transferId, idempotencyKey };
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
    return null;
  }
}

/**
 * Records transferred releases in the caller's transaction (a whole chunk, or one escrow when a
 * chunk must be retried escrow by escrow): one insert of the payout guard rows (an escrow whose guard
 * row already exists was released by another run and is skipped), one update of the escrows, one
 * insert of all their ledger rows and one of their events. Throws, so that the caller's transaction
 * rolls back, if any escrow is no longer release_scheduled. Outcomes are in the order of `chunk`.
 */
async function recordReleases(deps: Deps, tx: Tx, chunk: Transferred[]): Promise<ReleaseOutcome[]> {
  const guards = await tx
    .insert(payouts)
    .values(chunk.map((release) => payoutGuard(deps, release)))
    .onConflictDoNothing()
    .returning({ escrowId: payouts.escrowId });
  const guarded = new Set(guards.map((guard) => guard.escrowId));
  const toRecord = chunk
    .filter((release) => guarded.has(release.claim.escrow.id))
    .map((release) => ({ release, at: tenantNow(deps, release.claim.tenant) }));
  if (toRecord.length > 0) {
    // One UPDATE … RETURNING for the chunk: each escrow gets its own amounts through CASE on its id.
    const each = (value: (item: (typeof toRecord)[number]) => number | string | null) =>
      sql`case ${escrows.id} ${sql.join(
        toRecord.map((item) => sql`when ${item.release.claim.escrow.id} then ${value(item)}`),
        sql` `,
      )} end`;
    const updated = await tx
      .update(escrows)
      .set({
        status: "released",
        releasedAmount: each(
          ({ release }) => release.claim.escrow.releasedAmount + release.payout + release.platformShare,
        ),
        payoutAmount: each(({ release }) => release.payout),
        transferId: each(({ release }) => release.transferId),
        releasedAt: each(({ at }) => at),
        claimToken: null,
        claimKind: null,
        claimExpiresAt: null,
        lastError: null,
        updatedAt: each(({ at }) => at),
      })
      .where(
        and(
          inArray(
            escrows.id,
            toRecord.map((item) => item.release.claim.escrow.id),
          ),
          eq(escrows.status, "release_scheduled"),
        ),
      )
      .returning();
    if (updated.length !== toRecord.length) {
      throw new Error("An escrow left release_scheduled while its release was claimed");
    }
    const byId = new Map(updated.map((escrow) => [escrow.id, escrow]));
    const released = toRecord.map(({ release, at }) => ({ release, at, escrow: byId.get(release.claim.escrow.id)! }));
    const legs = released.flatMap(({ release, at, escrow }) =>
      ledgerLegs(escrow, "release", releaseMovement(release), at),
    );
    if (legs.length > 0) await tx.insert(ledgerEntries).values(legs);
    await emitEvents(
      tx,
      released.map(({ escrow, at }) => releasedEvent(escrow, at)),
    );
  }
  return chunk.map((release) => (guarded.has(release.claim.escrow.id) ? "released" : "already_released"));
}

/** The payout row whose unique idempotency key guards the release against being recorded twice. */
function payoutGuard(deps: Deps, release: Transferred) {
  const { escrow } = release.claim;
  return {
    id: newId("rel"),
    tenantId: escrow.tenantId,
    escrowId: escrow.id,
    kind: "release" as const,
    idempotencyKey: release.idempotencyKey,
    providerId: release.transferId ?? "none",
    amount: release.payout,
    currency: escrow.currency,
    createdAt: tenantNow(deps, release.claim.tenant),
  };
}

const releaseMovement = ({ payout, platformShare }: Transferred): Movement => ({
  tutor_pending: -payout,
  tutor_released: payout,
  platform_pending: -platformShare,
  platform_revenue: platformShare,
});

const releasedEvent = (escrow: EscrowRow, at: number): EmitInput => ({
  tenantId: escrow.tenantId,
  type: "escrow.released",
  bookingId: escrow.bookingId,
  data: { escrow: presentEscrow(escrow) },
  at,
});

/** Releases one escrow at once if it is due (after a dispute resolved in the tutor's favour). */
export async function executeReleaseIfDue(deps: Deps, tenantId: string, escrowId: string): Promise<void> {
  const [claim] = await claimDueReleases(deps, { limit: 1, tenantId, escrowId });
  if (claim) await executeRelease(deps, claim);
}
