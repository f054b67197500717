import type { OperationKind } from "../../db/schema";
import type { Deps, Tenant } from "../context";
import { type ClaimFilter, claimDueOperations, releaseClaims, renewClaims } from "./claim";
import type { ClaimedOperation, Outcome } from "./outcome";
import { attemptRefund, recordRefund, recordRefundNotMade } from "./refund";
import { requestDueReleases } from "./releases";
import { attemptReversal, recordReversal, recordReversalNotMade } from "./reversal";
import { attemptTransfer, recordTransferNotMade, recordTransfers, type TransferSucceeded } from "./transfer";

/** Operations claimed at a time. */
const BATCH = 200;
/** Provider calls in flight at once per run (the provider adapter paces them to each tenant's budget). */
const CONCURRENCY = 32;
/** Succeeded transfers recorded per write transaction. */
const RECORD_CHUNK = 200;
/** How many operations one run may leave open or set aside before it ends (the next run goes on). */
const MAX_EXCLUDED = 10_000;

export interface ExecutionSummary {
  succeeded: Record<OperationKind, number>;
  /** Refused by the provider (final for this operation). */
  failed: Record<OperationKind, number>;
  /** Left to the next run: no definitive answer yet, or a payout blocked. */
  retrying: Record<OperationKind, number>;
}

const perKind = (): Record<OperationKind, number> => ({ transfer: 0, refund: 0, transfer_reversal: 0 });

/**
 * The one executor of money operations, of every kind: claims due operations under a lease, calls
 * the provider for them concurrently (outside any transaction; the adapter paces calls to each
 * tenant's budget and backs off on rate limits), and records each outcome in a transaction that
 * first checks the lease is still held. Every operation is attempted at most once per run, and an
 * escrow whose operation was refused waits for the next run before the next one is tried; a run that
 * loses a claim race simply claims the next due operations, until none is left.
 */
export async function executeDueOperations(
  deps: Deps,
  filter: Omit<ClaimFilter, "exclude" | "excludeEscrows"> = {},
  options: { signal?: AbortSignal | undefined } = {},
): Promise<ExecutionSummary> {
  const summary: ExecutionSummary = { succeeded: perKind(), failed: perKind(), retrying: perKind() };
  // Operations this run left open (retrying), so it does not take them up again, and escrows whose
  // operation was refused. Past a bound the run ends and the next one carries on.
  const retrying = new Set<string>();
  const refusedEscrows = new Set<string>();
  while (!options.signal?.aborted && retrying.size + refusedEscrows.size < MAX_EXCLUDED) {
    const claims = await claimDueOperations(deps, BATCH, {
      ...filter,
      exclude: [...retrying],
      excludeEscrows: [...refusedEscrows],
    });
    if (claims.length === 0) break;
    await executeClaims(deps, claims, { summary, refusedEscrows, retrying, signal: options.signal });
  }
  return summary;
}

/**
 * Attempts operations this run has claimed, concurrently, and records each outcome. Throws, after
 * every other outcome is recorded, if one could not be (it keeps its lease and is retried later).
 * Once `signal` aborts (the process is shutting down), no further operation is started: the ones
 * under way finish and are recorded, and the leases of the rest are handed back at once.
 */
export async function executeClaims(
  deps: Deps,
  claims: ClaimedOperation[],
  run: {
    summary: ExecutionSummary;
    refusedEscrows: Set<string>;
    retrying: Set<string>;
    signal?: AbortSignal | undefined;
  } = {
    summary: { succeeded: perKind(), failed: perKind(), retrying: perKind() },
    refusedEscrows: new Set(),
    retrying: new Set(),
  },
): Promise<ExecutionSummary> {
  const recorder = new Recorder(deps, run.summary, run.refusedEscrows, run.retrying);
  const leases = new LeaseKeeper(deps, claims);
  try {
    const notStarted = await forEachConcurrently(
      claims,
      CONCURRENCY,
      async (claim) => {
        // Taken over by another run while this one was busy with the rest: not ours to attempt.
        if (!leases.holds(claim)) return;
        const outcome = await attempt(deps, claim);
        deps.metrics.moneyOperation(claim.operation.kind, outcome.type, claim.tenant.id);
        await recorder.record(claim, outcome);
      },
      run.signal,
    );
    try {
      await recorder.flush();
    } finally {
      if (notStarted.length > 0) await releaseClaims(deps, notStarted);
    }
  } finally {
    leases.stop();
  }
  return run.summary;
}

/** Runs the due operations of one escrow now (after an API call or a provider event needed them). */
export function executeEscrowOperations(deps: Deps, tenant: Tenant, escrowId: string): Promise<ExecutionSummary> {
  return executeDueOperations(deps, { tenantId: tenant.id, escrowId });
}

/**
 * Makes at once what an API call made due for an escrow: its operations (a refund), then its release
 * if that is due now (a dispute resolved for the tutor, once any refund is made), then that transfer.
 */
export async function settleEscrowNow(deps: Deps, tenant: Tenant, escrowId: string): Promise<void> {
  await executeEscrowOperations(deps, tenant, escrowId);
  if ((await requestDueReleases(deps, { tenantId: tenant.id, escrowId })).requested > 0) {
    await executeEscrowOperations(deps, tenant, escrowId);
  }
}

function attempt(deps: Deps, claim: ClaimedOperation): Promise<Outcome> {
  switch (claim.operation.kind) {
    case "transfer":
      return attemptTransfer(deps, claim);
    case "refund":
      return attemptRefund(deps, claim);
    case "transfer_reversal":
      return attemptReversal(deps, claim);
  }
}

/**
 * Records outcomes as attempts finish: succeeded transfers (the bulk of the work) in chunks, one
 * transaction each; everything else one operation per transaction. If a chunk cannot be recorded,
 * nothing of it was, and it is recorded again one transfer per transaction, so that one bad escrow
 * never holds back the others (it keeps its lease, is retried later, and fails the run loudly).
 */
class Recorder {
  #transfers: TransferSucceeded[] = [];
  #flushing: Promise<void> = Promise.resolve();
  #failure: { error: unknown } | null = null;

  constructor(
    private readonly deps: Deps,
    private readonly summary: ExecutionSummary,
    private readonly refusedEscrows: Set<string>,
    private readonly retrying: Set<string>,
  ) {}

  async record(claim: ClaimedOperation, outcome: Outcome): Promise<void> {
    const kind = claim.operation.kind;
    if (outcome.type === "succeeded" && kind === "transfer") {
      this.#transfers.push({ claim, providerId: outcome.providerId });
      if (this.#transfers.length >= RECORD_CHUNK) await this.#flushTransfers();
      return;
    }
    let recorded: Awaited<ReturnType<typeof recordRefund>>;
    try {
      recorded = await this.#recordOne(claim, outcome);
    } catch (error) {
      // It keeps its lease (a later run takes it up again) and fails this run loudly.
      this.#failure ??= { error };
      return;
    }
    // Counted as attempted even if another run took the operation over meanwhile (nothing recorded).
    if (outcome.type === "succeeded") {
      if (recorded) this.summary.succeeded[kind]++;
    } else if (outcome.type === "refused" || outcome.type === "exceeds") {
      this.summary.failed[kind]++;
      this.refusedEscrows.add(claim.escrow.id);
    } else {
      this.summary.retrying[kind]++;
      if (recorded) this.retrying.add(claim.operation.id);
    }
  }

  #recordOne(claim: ClaimedOperation, outcome: Outcome) {
    const kind = claim.operation.kind;
    return this.deps.db.transaction(async (tx) => {
      if (outcome.type === "succeeded") {
        return kind === "refund"
          ? recordRefund(this.deps, tx, claim, outcome.providerId)
          : recordReversal(this.deps, tx, claim, outcome.providerId);
      }
      if (kind === "transfer") return recordTransferNotMade(this.deps, tx, claim, outcome);
      if (kind === "refund") return recordRefundNotMade(this.deps, tx, claim, outcome);
      return recordReversalNotMade(this.deps, tx, claim, outcome);
    });
  }

  async flush(): Promise<void> {
    await this.#flushTransfers();
    await this.#flushing;
    if (this.#failure) throw this.#failure.error;
  }

  #flushTransfers(): Promise<void> {
    const chunk = this.#transfers.splice(0);
    this.#flushing = this.#flushing.then(async () => {
      if (chunk.length === 0) return;
      try {
        const recorded = await this.deps.db.transaction((tx) => recordTransfers(this.deps, tx, chunk));
        this.summary.succeeded.transfer += recorded.length;
      } catch {
        for (const transfer of chunk) {
          try {
            const recorded = await this.deps.db.transaction((tx) => recordTransfers(this.deps, tx, [transfer]));
            this.summary.succeeded.transfer += recorded.length;
          } catch (error) {
            this.#failure ??= { error };
          }
        }
      }
    });
    return this.#flushing;
  }
}

/**
 * Keeps a batch's lease alive while the batch runs: renewed every third of the lease, so only a
 * process that stopped (killed, frozen, cut off from the database) loses its claims to another.
 */
class LeaseKeeper {
  #lost = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: Deps, claims: readonly ClaimedOperation[]) {
    const token = claims[0]?.operation.leaseToken;
    if (!token) return;
    const ids = claims.map((claim) => claim.operation.id);
    this.#timer = setInterval(
      () => {
        renewClaims(deps, token).then(
          (held) => {
            // Recorded ones are no longer held either: only the unstarted ones are ever asked about.
            for (const id of ids) if (!held.has(id)) this.#lost.add(id);
          },
          // The database is unreachable: the lease runs out, and another process takes the batch over.
          () => {},
        );
      },
      Math.max(1000, Math.floor(deps.releaseLeaseMs / 3)),
    );
    this.#timer.unref();
  }

  holds(claim: ClaimedOperation): boolean {
    return !this.#lost.has(claim.operation.id);
  }

  stop() {
    clearInterval(this.#timer);
  }
}

/**
 * Runs `fn` over `items` with at most `limit` at a time. Once `signal` aborts no item is started;
 * those under way finish. Returns the items never started.
 */
export async function forEachConcurrently<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<T[]> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return items.slice(next);
}
