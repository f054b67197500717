import { and, asc, desc, eq, lt } from "drizzle-orm";
import { moneyOperations, type OperationKind, type OperationStatus } from "../../db/schema";
import type { Queryable } from "../../ports/storage";
import type { TenantContext } from "../context";
import { type PageRequest, resolveCursor, toPage } from "../lists/page";
import { presentOperation } from "./present";

export interface ListOperationsInput extends PageRequest {
  status?: OperationStatus | undefined;
  kind?: OperationKind | undefined;
  escrow_id?: string | undefined;
}

/** The tenant's money operations, newest first: stuck money (in flight, failed) is one filter away. */
export async function listOperations({ deps, tenant }: TenantContext, input: ListOperationsInput) {
  const cursor = await resolveCursor(
    input,
    async (id) =>
      (
        await deps.db
          .select({ seq: moneyOperations.seq })
          .from(moneyOperations)
          .where(and(eq(moneyOperations.tenantId, tenant.id), eq(moneyOperations.id, id)))
      )[0]?.seq,
    "money operation",
  );
  const rows = await deps.db
    .select()
    .from(moneyOperations)
    .where(
      and(
        eq(moneyOperations.tenantId, tenant.id),
        input.status ? eq(moneyOperations.status, input.status) : undefined,
        input.kind ? eq(moneyOperations.kind, input.kind) : undefined,
        input.escrow_id ? eq(moneyOperations.escrowId, input.escrow_id) : undefined,
        cursor !== undefined ? lt(moneyOperations.seq, cursor) : undefined,
      ),
    )
    .orderBy(desc(moneyOperations.seq))
    .limit(input.limit + 1);
  return toPage(rows.map(presentOperation), input.limit);
}

/** Every operation of one escrow, oldest first (the escrow's own page). */
export async function operationsOfEscrow(db: Queryable, escrowId: string) {
  const rows = await db
    .select()
    .from(moneyOperations)
    .where(eq(moneyOperations.escrowId, escrowId))
    .orderBy(asc(moneyOperations.seq));
  return rows.map(presentOperation);
}
