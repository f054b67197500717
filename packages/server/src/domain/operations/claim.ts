import { and, asc, eq, inArray, isNull, lt, notInArray, or, sql } from "drizzle-orm";
import { claimable } from "../../db/queries";
import {
  bookings,
  escrows,
  moneyOperations,
  OPEN_OPERATION_STATUSES,
  type OperationRow,
  tenants,
} from "../../db/schema";
import { randomToken } from "../../lib/ids";
import type { Deps } from "../context";
import { dueBounds, withinBound } from "../due/bounds";
import { toTenant } from "../tenants/store";
import type { ClaimedOperation } from "./outcome";

export interface ClaimFilter {
  tenantId?: string | undefined;
  escrowId?: string | undefined;
  /** Operations this run already took up: each is attempted at most once per run. */
  exclude?: readonly string[] | undefined;
  /** Escrows whose operation was refused in this run: their next one waits for the next run. */
  excludeEscrows?: readonly string[] | undefined;
}

/** A lease is free when nobody holds it or the holder's ran out (the holder died). */
const leaseIsFree = (serverNow: number) =>
  or(isNull(moneyOperations.leaseToken), lt(moneyOperations.leaseExpiresAt, serverNow));

/**
 * Takes up to `limit` due operations (of every kind) under one lease, in one write transaction: the
 * select and the conditional update commit together, so two runs never hold the same operation, and
 * a run never comes back empty-handed while free due work is left. Each comes with its tenant, escrow
 * and the tutor's connected account, loaded once for the batch.
 */
export async function claimDueOperations(
  deps: Deps,
  limit: number,
  filter: ClaimFilter = {},
): Promise<ClaimedOperation[]> {
  const serverNow = deps.clock.now();
  const token = randomToken(16);
  const bounds = await dueBounds(deps.db, serverNow, filter.tenantId);
  return deps.db.transaction(async (tx) => {
    const due: { id: string; status: OperationRow["status"] }[] = [];
    for (const bound of bounds) {
      if (due.length >= limit) break;
      due.push(
        ...(await claimable(
          tx,
          tx
            .select({ id: moneyOperations.id, status: moneyOperations.status })
            .from(moneyOperations)
            .where(
              and(
                inArray(moneyOperations.status, [...OPEN_OPERATION_STATUSES]),
                withinBound(bound, moneyOperations.dueAt, moneyOperations.tenantId),
                leaseIsFree(serverNow),
                filter.escrowId ? eq(moneyOperations.escrowId, filter.escrowId) : undefined,
                filter.exclude?.length ? notInArray(moneyOperations.id, [...filter.exclude]) : undefined,
                filter.excludeEscrows?.length
                  ? notInArray(moneyOperations.escrowId, [...filter.excludeEscrows])
                  : undefined,
              ),
            )
            .orderBy(asc(moneyOperations.dueAt), asc(moneyOperations.seq))
            .limit(limit - due.length),
          moneyOperations,
        )),
      );
    }
    if (due.length === 0) return [];
    const resumed = new Set(due.filter((row) => row.status === "in_flight").map((row) => row.id));
    const claimed = await tx
      .update(moneyOperations)
      .set({
        status: "in_flight",
        leaseToken: token,
        leaseExpiresAt: serverNow + deps.releaseLeaseMs,
        attempts: sql`${moneyOperations.attempts} + 1`,
      })
      .where(
        and(
          inArray(
            moneyOperations.id,
            due.map((row) => row.id),
          ),
          leaseIsFree(serverNow),
        ),
      )
      .returning();
    if (claimed.length === 0) return [];
    const context = await tx
      .select({ escrow: escrows, tutorAccount: bookings.tutorStripeAccount, tenant: tenants })
      .from(escrows)
      .innerJoin(bookings, eq(bookings.id, escrows.bookingId))
      .innerJoin(tenants, eq(tenants.id, escrows.tenantId))
      .where(inArray(escrows.id, [...new Set(claimed.map((operation) => operation.escrowId))]));
    const byEscrow = new Map(context.map((row) => [row.escrow.id, row]));
    const tenantsById = new Map(context.map((row) => [row.tenant.id, toTenant(row.tenant)]));
    return claimed.flatMap((operation): ClaimedOperation[] => {
      const row = byEscrow.get(operation.escrowId);
      const tenant = tenantsById.get(operation.tenantId);
      if (!row || !tenant) return [];
      return [
        { operation, tenant, escrow: row.escrow, tutorAccount: row.tutorAccount, resumed: resumed.has(operation.id) },
      ];
    });
  });
}

/**
 * Extends the lease of a run (its token) on the operations it still holds: a batch may take longer
 * than one lease (a slow provider, a small budget), and without this another process would take its
 * operations over mid-batch and the two would go on stealing them from each other. Returns the ids
 * still held; one missing was taken over (its lease had run out first) and must not be attempted.
 */
export async function renewClaims(deps: Deps, token: string): Promise<Set<string>> {
  const held = await deps.db
    .update(moneyOperations)
    .set({ leaseExpiresAt: deps.clock.now() + deps.releaseLeaseMs })
    .where(and(eq(moneyOperations.leaseToken, token), eq(moneyOperations.status, "in_flight")))
    .returning({ id: moneyOperations.id });
  return new Set(held.map((row) => row.id));
}

/**
 * Hands back operations a run claimed but never attempted (the process is shutting down), so that
 * another process takes them up at once rather than when the lease runs out: the lease is cleared,
 * the claim's `attempts` increment undone, and an operation that was pending before the claim is
 * pending again (one that was already in flight stays in flight: an earlier attempt may have reached
 * the provider). Only while this run still holds the lease.
 */
export async function releaseClaims(deps: Deps, claims: readonly ClaimedOperation[]): Promise<void> {
  await deps.db.transaction(async (tx) => {
    for (const claim of claims) {
      await tx
        .update(moneyOperations)
        .set({
          status: claim.resumed ? "in_flight" : "pending",
          leaseToken: null,
          leaseExpiresAt: null,
          attempts: sql`${moneyOperations.attempts} - 1`,
        })
        .where(
          and(
            eq(moneyOperations.id, claim.operation.id),
            eq(moneyOperations.status, "in_flight"),
            eq(moneyOperations.leaseToken, claim.operation.leaseToken ?? ""),
          ),
        );
    }
  });
}
