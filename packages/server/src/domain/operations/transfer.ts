import { and, asc, eq, inArray, lte, notExists, notInArray, sql } from "drizzle-orm";
import {
  type EscrowRow,
  escrows,
  ledgerEntries,
  moneyOperations,
  OPEN_OPERATION_STATUSES,
  type OperationRow,
  tenants,
} from "../../db/schema";
import { PaymentProviderError, type TransferInput } from "../../ports/payments";
import type { Queryable, Tx } from "../../ports/storage";
import { presentEscrow } from "../bookings/present";
import { type Deps, tenantNow } from "../context";
import { recordEscrowError } from "../escrow/movements";
import { transitionEscrows } from "../escrow/status";
import { type EmitInput, emitEvent, emitEvents } from "../events/emit";
import { type AccountBalances, ledgerLegs, type Movement } from "../ledger/post";
import { knownPayoutsEnabled, recordAccountStatus } from "../provider-events/accounts";
import { type ClaimedOperation, describeFailure, failureOutcome, finishOperation, type Outcome } from "./outcome";
import { presentOperation } from "./present";
import { requestOperations } from "./store";

/**
 * Releases: the tutor's share of an escrow whose release is due, paid out by a transfer operation.
 * The tick asks for the transfers (requestDueReleases), the executor makes them (attemptTransfer)
 * and records each released escrow (recordTransfers).
 */

const BATCH = 200;

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
  const seen: string[] = [];
  for (;;) {
    const serverNow = deps.clock.now();
    const batch = await deps.db.transaction(async (tx) => {
      const due = await tx
        .select({ escrow: escrows, clockOffsetMs: tenants.clockOffsetMs })
        .from(escrows)
        .innerJoin(tenants, eq(tenants.id, escrows.tenantId))
        .where(
          and(
            eq(escrows.status, "release_scheduled"),
            lte(escrows.releaseAt, sql`${serverNow} + ${tenants.clockOffsetMs}`),
            notExists(
              tx
                .select({ id: moneyOperations.id })
                .from(moneyOperations)
                .where(
                  and(
                    eq(moneyOperations.escrowId, escrows.id),
                    inArray(moneyOperations.status, [...OPEN_OPERATION_STATUSES]),
                  ),
                ),
            ),
            filter.tenantId ? eq(escrows.tenantId, filter.tenantId) : undefined,
            filter.escrowId ? eq(escrows.id, filter.escrowId) : undefined,
            seen.length > 0 ? notInArray(escrows.id, seen) : undefined,
          ),
        )
        .orderBy(asc(escrows.releaseAt))
        .limit(BATCH);
      if (due.length === 0) return null;
      const balances = await releaseBalances(
        tx,
        due.map(({ escrow }) => escrow.id),
      );
      const transfers = due.flatMap(({ escrow, clockOffsetMs }) => {
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
      await requestOperations(tx, transfers);
      const nothingToTransfer = due
        .filter(({ escrow }) => (balances.get(escrow.id)?.tutor_pending ?? 0) <= 0)
        .map(({ escrow, clockOffsetMs }) => ({ escrow, at: serverNow + clockOffsetMs, transferId: null, payout: 0 }));
      await recordReleases(tx, nothingToTransfer, balances);
      return {
        ids: due.map(({ escrow }) => escrow.id),
        releasedNow: nothingToTransfer.length,
        requested: transfers.length,
      };
    });
    if (!batch) return { requested, releasedNow };
    seen.push(...batch.ids);
    releasedNow += batch.releasedNow;
    requested += batch.requested;
  }
}

/** What each escrow owes the tutor and the platform, from the ledger, in one query for the batch. */
async function releaseBalances(db: Queryable, escrowIds: string[]) {
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

/**
 * Pays the tutor. A transfer that was already in flight is first looked up at the provider: an
 * earlier attempt may have made it without our database hearing of it, and the idempotency key alone
 * does not last (Stripe forgets keys after 24 hours). Then a tutor whose account cannot be paid out
 * is not paid now (blocked, retried every tick).
 */
export async function attemptTransfer(deps: Deps, claim: ClaimedOperation): Promise<Outcome> {
  const { operation, escrow, tenant } = claim;
  const provider = deps.payments.forTenant(tenant);
  const input: TransferInput = {
    tenant,
    escrowId: escrow.id,
    bookingId: escrow.bookingId,
    destination: claim.tutorAccount,
    chargeId: escrow.chargeId,
    amount: operation.amount,
    currency: operation.currency,
    idempotencyKey: operation.idempotencyKey,
  };
  try {
    if (claim.resumed && provider.findTransfer) {
      const earlier = await provider.findTransfer(input).catch((error: unknown) => {
        // Not knowing whether money moved is never a refusal: the operation stays in flight.
        throw new PaymentProviderError(
          `looking up an earlier transfer failed: ${describeFailure(error).message}`,
          "transfer_lookup_failed",
          true,
        );
      });
      if (earlier && earlier.amount !== operation.amount) {
        // Recording either figure would be wrong: it stays in flight, with the reason, for an operator.
        return {
          type: "unknown",
          error: {
            code: "transfer_amount_mismatch",
            message: `an earlier transfer ${earlier.transferId} of ${earlier.amount} does not match the ${operation.amount} of this release`,
          },
        };
      }
      if (earlier) return { type: "succeeded", providerId: earlier.transferId };
    }
    const blocked = await payoutsBlock(deps, claim);
    if (blocked) return blocked;
    const { transferId } = await provider.transfer(input);
    return { type: "succeeded", providerId: transferId };
  } catch (error) {
    return failureOutcome(error);
  }
}

const BLOCKED = "payouts_not_enabled";

/** A tutor whose connected account cannot be paid out (as the provider said) is not paid now. */
async function payoutsBlock(deps: Deps, claim: ClaimedOperation): Promise<Outcome | null> {
  const { tenant, tutorAccount, operation } = claim;
  const provider = deps.payments.forTenant(tenant);
  if (!tutorAccount || !provider.payoutsEnabled) return null;
  let enabled = await knownPayoutsEnabled(deps.db, tenant.id, tutorAccount);
  if (enabled === null) {
    try {
      enabled = await provider.payoutsEnabled(tenant, tutorAccount);
    } catch (error) {
      const failure = describeFailure(error);
      return { type: "blocked", error: { code: "account_status_unknown", message: failure.message }, report: false };
    }
    // As of "the beginning of time", so that any account.updated event overrides it.
    await recordAccountStatus(deps.db, tenant.id, tutorAccount, enabled, 0, tenantNow(deps, tenant));
  }
  if (enabled) return null;
  return {
    type: "blocked",
    error: {
      code: BLOCKED,
      message: `The tutor's Stripe account ${tutorAccount} cannot receive payouts yet; the release is retried on every tick`,
    },
    report: operation.errorCode !== BLOCKED,
  };
}

export interface TransferSucceeded {
  claim: ClaimedOperation;
  providerId: string;
}

/**
 * Records succeeded transfers in the caller's transaction, a whole chunk at once: the operations
 * (only those this run still holds), then each escrow `released` with its ledger rows and event.
 * Throws, rolling the chunk back, if an escrow changed in a way a release in flight forbids.
 */
export async function recordTransfers(deps: Deps, tx: Tx, chunk: TransferSucceeded[]): Promise<OperationRow[]> {
  const recorded: { operation: OperationRow; claim: ClaimedOperation; at: number }[] = [];
  for (const { claim, providerId } of chunk) {
    const at = tenantNow(deps, claim.tenant);
    const operation = await finishOperation(tx, claim, "succeeded", {
      providerId,
      errorCode: null,
      errorMessage: null,
      updatedAt: at,
    });
    if (operation) recorded.push({ operation, claim, at });
  }
  if (recorded.length === 0) return [];
  const current = await tx
    .select()
    .from(escrows)
    .where(
      inArray(
        escrows.id,
        recorded.map(({ operation }) => operation.escrowId),
      ),
    );
  const byId = new Map(current.map((escrow) => [escrow.id, escrow]));
  const balances = await releaseBalances(tx, [...byId.keys()]);
  const releases = recorded.map(({ operation, at }) => {
    const escrow = byId.get(operation.escrowId);
    const owed = balances.get(operation.escrowId)?.tutor_pending ?? 0;
    if (escrow?.status !== "release_scheduled" || owed !== operation.amount) {
      throw new Error(
        `Escrow ${operation.escrowId} changed while its transfer of ${operation.amount} was in flight (${escrow?.status}, ${owed} owed)`,
      );
    }
    return { escrow, at, transferId: operation.providerId, payout: operation.amount, operation };
  });
  await recordReleases(tx, releases, balances);
  return recorded.map(({ operation }) => operation);
}

interface Release {
  escrow: EscrowRow;
  at: number;
  transferId: string | null;
  payout: number;
  operation?: OperationRow;
}

/** Marks escrows released, with their ledger rows and `escrow.released` events, in one statement each. */
async function recordReleases(
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
  if (legs.length > 0) await tx.insert(ledgerEntries).values(legs);
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

/**
 * A transfer not made now. Blocked: back to pending (or, if an earlier attempt may have reached the
 * provider, still in flight), `escrow.release_blocked` the first time. Refused: the operation failed
 * and the next tick asks for a new one. Unknown: in flight, retried with the same key.
 */
export async function recordTransferNotMade(
  deps: Deps,
  tx: Tx,
  claim: ClaimedOperation,
  outcome: Exclude<Outcome, { type: "succeeded" }>,
): Promise<OperationRow | null> {
  const at = tenantNow(deps, claim.tenant);
  const status =
    outcome.type === "refused" || outcome.type === "exceeds"
      ? "failed"
      : outcome.type === "blocked" && !claim.resumed
        ? "pending"
        : "in_flight";
  const operation = await finishOperation(tx, claim, status, {
    errorCode: outcome.error.code,
    errorMessage: outcome.error.message,
    dueAt: at,
    updatedAt: at,
  });
  if (!operation) return null;
  const escrow = await recordEscrowError(tx, claim.escrow, outcome.error, at);
  if (outcome.type === "blocked" && outcome.report) {
    await emitEvent(tx, {
      tenantId: escrow.tenantId,
      type: "escrow.release_blocked",
      bookingId: escrow.bookingId,
      data: { escrow: presentEscrow(escrow), reason: outcome.error, operation: presentOperation(operation) },
      at,
    });
  }
  return operation;
}
