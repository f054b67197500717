import { and, eq, type SQL } from "drizzle-orm";
import { forChange } from "../../db/queries";
import { bookings, escrows, providerEvents } from "../../db/schema";
import type { Tx } from "../../ports/storage";
import type { BookingWithEscrow } from "../bookings/store";
import { type Deps, type Tenant, tenantNow } from "../context";
import { executeEscrowOperations } from "../operations/execute";
import { recordAccountStatus } from "./accounts";
import { closeProviderDispute, openProviderDispute } from "./chargebacks";
import type { FactContext, ProviderEventInput, ProviderEventOutcome, ProviderFact } from "./facts";
import { cancelUnpaid, ensureCaptured, recordFailedPayment } from "./payments";
import { recordRefundedTotal, recordReversedTotal } from "./refunds";

type Applied = { outcome: ProviderEventOutcome; escrowId: string | null };

/**
 * Applies one provider event at most once: the event row and its effects commit together, so a
 * redelivery finds the row and changes nothing. Money operations the event made necessary (a
 * transfer reversal) are executed after the commit, and also on a redelivery, so one left open by a
 * crash after the first delivery is finished then.
 */
export async function applyProviderEvent(
  deps: Deps,
  tenant: Tenant,
  input: ProviderEventInput,
): Promise<ProviderEventOutcome> {
  const context = { tenant, at: tenantNow(deps, tenant), serverNow: deps.clock.now(), event: input };
  const result = await deps.db.transaction(async (tx): Promise<Applied> => {
    const inserted = await tx
      .insert(providerEvents)
      .values({
        tenantId: tenant.id,
        eventId: input.id,
        provider: "stripe",
        type: input.type,
        subjectId: subjectOf(input.fact),
        createdAt: input.createdAt,
        receivedAt: context.serverNow,
        outcome: "applied",
      })
      .onConflictDoNothing()
      .returning({ id: providerEvents.eventId });
    if (inserted.length === 0) return { outcome: "duplicate", escrowId: null };
    const applied = input.fact
      ? await applyFact({ ...context, tx }, input.fact)
      : { outcome: "ignored:unhandled_type" as const, escrowId: null };
    if (applied.outcome !== "applied") {
      await tx
        .update(providerEvents)
        .set({ outcome: applied.outcome })
        .where(and(eq(providerEvents.tenantId, tenant.id), eq(providerEvents.eventId, input.id)));
    }
    return applied;
  });
  const fact = input.fact;
  if (fact && fact.kind !== "account_updated" && MOVES_MONEY.has(fact.kind)) {
    const escrowId = result.escrowId ?? (await findEscrowId(deps, tenant, fact));
    if (escrowId) await executeEscrowOperations(deps, tenant, escrowId);
  }
  return result.outcome;
}

/** Facts after which the escrow may have a money operation to make. */
const MOVES_MONEY = new Set<ProviderFact["kind"]>([
  "charge_refunded",
  "dispute_opened",
  "dispute_closed",
  "transfer_reversed",
]);

async function applyFact(context: FactContext, fact: ProviderFact): Promise<Applied> {
  const { tx, tenant } = context;
  if (fact.kind === "account_updated") {
    await recordAccountStatus(tx, tenant.id, fact.accountId, fact.payoutsEnabled, context.event.createdAt, context.at);
    return { outcome: "applied", escrowId: null };
  }
  const found = await findEscrow(tx, tenant.id, escrowCondition(fact));
  if (!found) return { outcome: "ignored:unknown_payment", escrowId: null };
  const applied = (outcome: ProviderEventOutcome = "applied"): Applied => ({ outcome, escrowId: found.escrow.id });
  switch (fact.kind) {
    case "payment_succeeded": {
      const captured = await ensureCaptured(context, found, fact.chargeId);
      return applied(captured ? "applied" : `ignored:escrow_${found.escrow.status}`);
    }
    case "payment_failed":
      await recordFailedPayment(context, found, fact);
      return applied();
    case "payment_canceled":
      return applied((await cancelUnpaid(context, found)) ? "applied" : "ignored:not_pending");
    case "charge_refunded": {
      const escrow = await ensureCaptured(context, found, fact.chargeId);
      if (!escrow) return applied(`ignored:escrow_${found.escrow.status}`);
      await recordRefundedTotal(context, escrow, fact.amountRefunded);
      return applied();
    }
    case "dispute_opened": {
      const escrow = await ensureCaptured(context, found, fact.chargeId);
      if (!escrow) return applied(`ignored:escrow_${found.escrow.status}`);
      return applied(await openProviderDispute(context, { booking: found.booking, escrow }, fact));
    }
    case "dispute_closed": {
      const escrow = await ensureCaptured(context, found, fact.chargeId);
      if (!escrow) return applied(`ignored:escrow_${found.escrow.status}`);
      await closeProviderDispute(context, { booking: found.booking, escrow }, fact);
      return applied();
    }
    case "transfer_reversed":
      return applied(
        (await recordReversedTotal(context, found.escrow, fact.amountReversed)) ? "applied" : "ignored:known",
      );
  }
}

function subjectOf(fact: ProviderFact | null): string | null {
  if (!fact) return null;
  switch (fact.kind) {
    case "dispute_opened":
    case "dispute_closed":
      return fact.disputeId;
    case "transfer_reversed":
      return fact.transferId;
    case "account_updated":
      return fact.accountId;
    default:
      return fact.paymentId;
  }
}

/** Which escrow a fact is about: by transfer, by payment, or (a dispute without a payment id) by charge. */
function escrowCondition(fact: Exclude<ProviderFact, { kind: "account_updated" }>): SQL {
  if (fact.kind === "transfer_reversed") return eq(escrows.transferId, fact.transferId);
  if (fact.kind === "dispute_opened" || fact.kind === "dispute_closed") {
    return fact.paymentId ? eq(escrows.paymentId, fact.paymentId) : eq(escrows.chargeId, fact.chargeId);
  }
  return eq(escrows.paymentId, fact.paymentId);
}

async function findEscrow(tx: Tx, tenantId: string, condition: SQL): Promise<BookingWithEscrow | null> {
  const [row] = await forChange(
    tx,
    tx
      .select({ booking: bookings, escrow: escrows })
      .from(escrows)
      .innerJoin(bookings, eq(bookings.id, escrows.bookingId))
      .where(and(eq(escrows.tenantId, tenantId), condition))
      .limit(1),
  );
  return row ?? null;
}

async function findEscrowId(
  deps: Deps,
  tenant: Tenant,
  fact: Exclude<ProviderFact, { kind: "account_updated" }>,
): Promise<string | null> {
  const [row] = await deps.db
    .select({ id: escrows.id })
    .from(escrows)
    .where(and(eq(escrows.tenantId, tenant.id), escrowCondition(fact)))
    .limit(1);
  return row?.id ?? null;
}
