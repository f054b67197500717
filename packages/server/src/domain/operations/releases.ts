import { and, asc, eq, gt, inArray, or, sql } from "drizzle-orm";
import { claimable } from "../../db/queries";
import {
  type EscrowRow,
  escrows,
  ledgerEntries,
  moneyOperations,
  OPEN_OPERATION_STATUSES,
  type OperationRow,
  tenants,
} from "../../db/schema";
import type { Queryable, Tx } from "../../ports/storage";
import { presentEscrow } from "../bookings/present";
import type { Deps } from "../context";
import { type DueBound, dueBounds, withinBound } from "../due/bounds";
import { transitionEscrows } from "../escrow/status";
import { type EmitInput, emitEvents } from "../events/emit";
import { type AccountBalances, appendLedger, ledgerLegs, type Movement } from "../ledger/post";
import { presentOperation } from "./present";
import { requestOperations } from "./store";

/**
 * Releases: the tutor's share of an escrow whose release is due, paid out by a transfer operation.
 * The tick asks for the transfers here (requestDueReleases); the executor makes them (transfer.ts),
 * and each released escrow is recorded here (recordReleases).
 */

const BATCH = 500;

/**
 * Writes a transfer operation for every escrow whose release is due in its tenant's clock and that
 * has no operation open (a refund still being made goes first). An escrow with nothing left for the
 * tutor but a platform fee is released at once: no money moves at the provider for it. Returns how
 * many transfers it requested and how many escrows it released that way.
 */
export async function requestDueReleases(
  deps: Deps,
  filter: { tenantId?: string | undefined; escrowId?: string | undefined } = {},
): Promise<{ requested: number; releasedNow: number }> {
  let releasedNow = 0;
  let requested = 0;
  for (const bound of await dueBounds(deps.db, deps.clock.now(), filter.tenantId)) {
    // Walks the bound's due escrows once, in (release_at, seq) order: whatever a batch looked at is
    // behind the cursor and is not looked at again in this run.
    let after: ReleaseCursor | null = null;
    for (;;) {
      const batch = await requestReleaseBatch(deps, bound, filter.escrowId, after);
      if (!batch) break;
      after = batch.last;
      releasedNow += batch.releasedNow;
      requested += batch.requested;
    }
  }
  return { requested, releasedNow };
}

type ReleaseCursor = { releaseAt: number; seq: number };

/** One batch of due releases within one bound (see due/bounds.ts) after `after`, in one write transaction. */
async function requestReleaseBatch(
  deps: Deps,
  bound: DueBound,
  escrowId: string | undefined,
  after: ReleaseCursor | null,
) {
  const serverNow = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const due = await claimable(
      tx,
      tx
        .select({ escrow: escrows, clockOffsetMs: tenants.clockOffsetMs })
        .from(escrows)
        .innerJoin(tenants, eq(tenants.id, escrows.tenantId))
        .where(
          and(
            eq(escrows.status, "release_scheduled"),
            withinBound(bound, escrows.releaseAt, escrows.tenantId),
            escrowId ? eq(escrows.id, escrowId) : undefined,
            after
              ? or(
                  gt(escrows.releaseAt, after.releaseAt),
                  and(eq(escrows.releaseAt, after.releaseAt), gt(escrows.seq, after.seq)),
                )
              : undefined,
          ),
        )
        .orderBy(asc(escrows.releaseAt), asc(escrows.seq))
        .limit(BATCH),
      escrows,
    );
    if (due.length === 0) return null;
    // Asked again now that the escrows are locked. On PostgreSQL (READ COMMITTED) the query above
    // judged "no open operation" from the snapshot its statement started with, and a lock taken
    // after another process committed an operation for an escrow (without changing the escrow's
    // row) does not make it look again: this statement sees that commit, so no escrow gets a second
    // transfer. Every writer of an escrow's operations holds the escrow's lock while it writes.
    const open = new Set(
      (
        await tx
          .select({ escrowId: moneyOperations.escrowId })
          .from(moneyOperations)
          .where(
            and(
              inArray(
                moneyOperations.escrowId,
                due.map(({ escrow }) => escrow.id),
              ),
              inArray(moneyOperations.status, [...OPEN_OPERATION_STATUSES]),
            ),
          )
      ).map((row) => row.escrowId),
    );
    const last = due[due.length - 1]!.escrow;
    const cursor = { releaseAt: last.releaseAt ?? 0, seq: last.seq };
    const free = due.filter(({ escrow }) => !open.has(escrow.id));
    if (free.length === 0) return { last: cursor, releasedNow: 0, requested: 0 };
    const balances = await releaseBalances(
      tx,
      free.map(({ escrow }) => escrow.id),
    );
    const transfers = free.flatMap(({ escrow, clockOffsetMs }) => {
      const payout = balances.get(escrow.id)?.tutor_pending ?? 0;
      return payout > 0
        ? [
            {
              escrow,
              at: serverNow + clockOffsetMs,
              request: { kind: "transfer" as const, amount: payout, reason: "release" },
            },
          ]
        : [];
    });
    // A transfer not written is one another process asked for first: the escrow is in its hands.
    const written = await requestOperations(tx, transfers);
    const nothingToTransfer = free
      .filter(({ escrow }) => (balances.get(escrow.id)?.tutor_pending ?? 0) <= 0)
      .map(({ escrow, clockOffsetMs }) => ({ escrow, at: serverNow + clockOffsetMs, transferId: null, payout: 0 }));
    await recordReleases(tx, nothingToTransfer, balances);
    return {
      last: cursor,
      releasedNow: nothingToTransfer.length,
      requested: written.length,
    };
  });
}

/** What each escrow owes the tutor and the platform, from the ledger, in one query for the batch. */
export async function releaseBalances(db: Queryable, escrowIds: string[]) {
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

export interface Release {
  escrow: EscrowRow;
  at: number;
  transferId: string | null;
  payout: number;
  operation?: OperationRow;
}

/** Marks escrows released, with their ledger rows and `escrow.released` events, in one statement each. */
export async function recordReleases(
  tx: Tx,
  releases: Release[],
  balances: Map<string, Pick<AccountBalances, "tutor_pending" | "platform_pending">>,
): Promise<void> {
  if (releases.length === 0) return;
  const platformShare = (escrow: EscrowRow) => balances.get(escrow.id)?.platform_pending ?? 0;
  const updated = await transitionEscrows(
    tx,
    "released",
    releases.map(({ escrow, at, transferId, payout }) => ({
      escrow,
      patch: {
        releasedAmount: escrow.releasedAmount + payout + platformShare(escrow),
        payoutAmount: payout,
        transferId,
        releasedAt: at,
        lastErrorCode: null,
        lastErrorMessage: null,
        updatedAt: at,
      },
    })),
  );
  if (updated.length !== releases.length) throw new Error("An escrow left release_scheduled while it was released");
  const byId = new Map(updated.map((escrow) => [escrow.id, escrow]));
  const legs = releases.flatMap(({ escrow, at, payout }) =>
    ledgerLegs(escrow, "release", releaseMovement(payout, platformShare(escrow)), at),
  );
  await appendLedger(tx, legs);
  await emitEvents(
    tx,
    releases.map(({ escrow, at, operation }) => releasedEvent(byId.get(escrow.id)!, at, operation)),
  );
}

const releaseMovement = (payout: number, platformShare: number): Movement => ({
  tutor_pending: -payout,
  tutor_released: payout,
  platform_pending: -platformShare,
  platform_revenue: platformShare,
});

const releasedEvent = (escrow: EscrowRow, at: number, operation?: OperationRow): EmitInput => ({
  tenantId: escrow.tenantId,
  type: "escrow.released",
  bookingId: escrow.bookingId,
  data: { escrow: presentEscrow(escrow), ...(operation ? { operation: presentOperation(operation) } : {}) },
  at,
});
