import { and, desc, eq, lt } from "drizzle-orm";
import { type EscrowStatus, escrows } from "../../db/schema";
import { presentEscrow } from "../bookings/present";
import type { TenantContext } from "../context";
import { type PageRequest, resolveCursor, toPage } from "../lists/page";

export interface ListEscrowsInput extends PageRequest {
  status?: EscrowStatus | undefined;
  tutor_id?: string | undefined;
}

export async function listEscrows({ deps, tenant }: TenantContext, input: ListEscrowsInput) {
  const cursor = await resolveCursor(
    input,
    async (id) =>
      (
        await deps.db
          .select({ seq: escrows.seq })
          .from(escrows)
          .where(and(eq(escrows.tenantId, tenant.id), eq(escrows.id, id)))
      )[0]?.seq,
    "escrow",
  );
  const rows = await deps.db
    .select()
    .from(escrows)
    .where(
      and(
        eq(escrows.tenantId, tenant.id),
        input.status ? eq(escrows.status, input.status) : undefined,
        input.tutor_id ? eq(escrows.tutorId, input.tutor_id) : undefined,
        cursor !== undefined ? lt(escrows.seq, cursor) : undefined,
      ),
    )
    .orderBy(desc(escrows.seq))
    .limit(input.limit + 1);
  return toPage(rows.map(presentEscrow), input.limit);
}
