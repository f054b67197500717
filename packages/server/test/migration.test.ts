import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { afterEach, describe, expect, it } from "vitest";
import { SandboxPayments } from "../src/adapters/sandbox/payments";
import { selectRows } from "../src/db/queries";
import { moneyOperations } from "../src/db/schema";
import { tutorBalance } from "../src/domain/ledger/balance";
import { tick } from "../src/jobs/tick";
import type { RefundInput, ReverseTransferInput, TransferInput } from "../src/ports/payments";
import {
  ADMIN_KEY,
  createTestServer,
  HOUR,
  ledgerInvariant,
  MINUTE,
  type TestServer,
  tempDatabaseUrl,
} from "./harness";

/**
 * The step to money operations (migration 0003) on a database that the schema before it made: a
 * refund left pending by an outage, a transfer reversal left pending, and a release a process had
 * claimed when it died. Migrated forward, the tick finishes each exactly once, with the keys the
 * provider already saw.
 */

const DRIZZLE = join(import.meta.dirname, "..", "drizzle");
const T0 = Date.UTC(2030, 0, 1, 8, 0, 0);

/** The committed migrations up to `last` (inclusive), as a folder drizzle's migrator reads. */
function migrationsUpTo(dir: string, last: number): string {
  const folder = join(dir, "drizzle-old");
  mkdirSync(join(folder, "meta"), { recursive: true });
  const journal = JSON.parse(readFileSync(join(DRIZZLE, "meta", "_journal.json"), "utf8"));
  journal.entries = journal.entries.filter((entry: { idx: number }) => entry.idx <= last);
  writeFileSync(join(folder, "meta", "_journal.json"), JSON.stringify(journal));
  for (const entry of journal.entries as { idx: number; tag: string }[]) {
    copyFileSync(join(DRIZZLE, `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`));
    const snapshot = `${String(entry.idx).padStart(4, "0")}_snapshot.json`;
    copyFileSync(join(DRIZZLE, "meta", snapshot), join(folder, "meta", snapshot));
  }
  return folder;
}

/** The sandbox provider, counting each movement per idempotency key, with transfer reversals. */
class CountingSandbox extends SandboxPayments {
  readonly calls: { method: string; key: string; amount: number }[] = [];
  override async refund(input: RefundInput) {
    this.calls.push({ method: "refund", key: input.idempotencyKey, amount: input.amount });
    return super.refund(input);
  }
  override async transfer(input: TransferInput) {
    this.calls.push({ method: "transfer", key: input.idempotencyKey, amount: input.amount });
    return super.transfer(input);
  }
  async reverseTransfer(input: ReverseTransferInput) {
    this.calls.push({ method: "reverseTransfer", key: input.idempotencyKey, amount: input.amount });
    return { reversalId: `trr_sandbox_${input.idempotencyKey.length}` };
  }
}

const legs = (escrowId: string, bookingId: string, moves: [string, number, string][]) =>
  moves
    .map(
      ([account, amount, kind], n) =>
        `('led_${escrowId}_${n}', 'tn_old', '${escrowId}', '${bookingId}', 'tutor_1', 'usd', '${account}', ${amount}, '${kind}', ${T0})`,
    )
    .join(",\n");

const CAPTURE: [string, number, string][] = [
  ["payer", -5000, "capture"],
  ["tutor_pending", 4000, "capture"],
  ["platform_pending", 1000, "capture"],
];

/** What the schema before money operations held, written as its code wrote it. */
async function seedOldDatabase(url: string, folder: string) {
  const client = createClient({ url });
  await migrate(drizzle(client), { migrationsFolder: folder });
  const booking = (id: string, status: string) =>
    `('${id}', 'tn_old', 'ext_${id}', '${status}', 'student_1', 'tutor_1', ${T0}, 60, ${T0 + HOUR}, '{}', ${T0}, ${T0}, ${T0}, ${T0}, ${T0}, ${T0})`;
  await client.executeMultiple(`
    insert into tenants (id, name, payment_provider, secret_key_hash, secret_key_hint, created_at, updated_at)
      values ('tn_old', 'Old Tutoring', 'sandbox', 'hash', 'lk_sk_old', ${T0}, ${T0});
    insert into bookings (id, tenant_id, external_id, status, student_id, tutor_id, scheduled_start, duration_minutes,
      ends_at, policy, payment_expires_at, join_opens_at, no_show_at, auto_complete_at, created_at, updated_at)
      values ${booking("bk_refund", "canceled")}, ${booking("bk_reversal", "completed")},
        ${booking("bk_release", "completed")}, ${booking("bk_chargeback", "completed")};
    -- A platform cancellation's full refund, pending after Stripe answered 500s.
    insert into escrows (id, tenant_id, booking_id, tutor_id, status, provider, currency, amount, platform_fee, tutor_amount,
      held_at, payment_id, charge_id, last_error, pending_refund_amount, pending_refund_key, pending_refund_reason, created_at, updated_at)
      values ('esc_refund', 'tn_old', 'bk_refund', 'tutor_1', 'held', 'sandbox', 'usd', 5000, 1000, 4000, ${T0},
        'pi_refund', 'ch_refund', 'api_error: An unknown error occurred', 5000, 'refund:esc_refund:0+5000', 'canceled_by_platform', ${T0}, ${T0});
    -- Released, then 1000 refunded after release: the reversal of the tutor's share is pending.
    insert into escrows (id, tenant_id, booking_id, tutor_id, status, provider, currency, amount, platform_fee, tutor_amount,
      refunded_amount, released_amount, payout_amount, release_at, held_at, released_at, payment_id, charge_id, transfer_id,
      pending_reversal_amount, pending_reversal_key, created_at, updated_at)
      values ('esc_reversal', 'tn_old', 'bk_reversal', 'tutor_1', 'released', 'sandbox', 'usd', 5000, 1000, 4000,
        1000, 4000, 4000, ${T0}, ${T0}, ${T0}, 'pi_reversal', 'ch_reversal', 'tr_sandbox_old', 1000, 'reversal:esc_reversal:0+1000', ${T0}, ${T0});
    insert into payouts (id, tenant_id, escrow_id, kind, idempotency_key, provider_id, amount, currency, created_at)
      values ('rel_old', 'tn_old', 'esc_reversal', 'release', 'release:esc_reversal', 'tr_sandbox_old', 4000, 'usd', ${T0});
    -- A release claimed by a process that died (its lease has run out).
    insert into escrows (id, tenant_id, booking_id, tutor_id, status, provider, currency, amount, platform_fee, tutor_amount,
      release_at, held_at, payment_id, charge_id, claim_token, claim_kind, claim_expires_at, created_at, updated_at)
      values ('esc_release', 'tn_old', 'bk_release', 'tutor_1', 'release_scheduled', 'sandbox', 'usd', 5000, 1000, 4000,
        ${T0}, ${T0}, 'pi_release', 'ch_release', 'dead_process', 'release', ${T0 - MINUTE}, ${T0}, ${T0});
    -- Frozen by a chargeback: who froze it was a prefix on the reason.
    insert into escrows (id, tenant_id, booking_id, tutor_id, status, provider, currency, amount, platform_fee, tutor_amount,
      release_at, held_at, payment_id, charge_id, status_before_dispute, dispute_reason, dispute_opened_by, disputed_at,
      provider_dispute_id, created_at, updated_at)
      values ('esc_chargeback', 'tn_old', 'bk_chargeback', 'tutor_1', 'disputed', 'sandbox', 'usd', 5000, 1000, 4000,
        ${T0}, ${T0}, 'pi_chargeback', 'ch_chargeback', 'release_scheduled', 'chargeback:fraudulent', 'student', ${T0}, 'dp_1', ${T0}, ${T0});
    insert into ledger_entries (id, tenant_id, escrow_id, booking_id, tutor_id, currency, account, amount, kind, created_at) values
      ${legs("esc_refund", "bk_refund", CAPTURE)},
      ${legs("esc_reversal", "bk_reversal", [
        ...CAPTURE,
        ["tutor_pending", -4000, "release"],
        ["tutor_released", 4000, "release"],
        ["platform_pending", -1000, "release"],
        ["platform_revenue", 1000, "release"],
        ["tutor_released", -1000, "refund_after_release"],
        ["refunded", 1000, "refund_after_release"],
      ])},
      ${legs("esc_release", "bk_release", CAPTURE)},
      ${legs("esc_chargeback", "bk_chargeback", [
        ...CAPTURE,
        ["tutor_pending", -4000, "dispute"],
        ["tutor_disputed", 4000, "dispute"],
      ])};
  `);
  client.close();
}

describe("migrating a database of the schema before money operations", () => {
  let server: TestServer | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await server?.close();
    await cleanup?.();
  });

  it("turns pending refunds, reversals and claimed releases into operations the tick finishes once", async () => {
    const db = await tempDatabaseUrl();
    cleanup = db.cleanup;
    await seedOldDatabase(db.url, migrationsUpTo(db.url.slice("file:".length, -"/db.sqlite".length), 2));

    const provider = new CountingSandbox();
    server = await createTestServer({ url: db.url, providers: { sandbox: provider } });
    server.clock.set(T0 + HOUR);
    const operations = await server.db.select().from(moneyOperations).orderBy(moneyOperations.seq);
    expect(
      operations.map((op) => [op.escrowId, op.kind, op.status, op.amount, op.idempotencyKey, op.providerId]),
    ).toEqual([
      ["esc_reversal", "transfer", "succeeded", 4000, "release:esc_reversal", "tr_sandbox_old"],
      ["esc_refund", "refund", "in_flight", 5000, "refund:esc_refund:0+5000", null],
      ["esc_reversal", "transfer_reversal", "in_flight", 1000, "reversal:esc_reversal:0+1000", null],
      ["esc_release", "transfer", "in_flight", 4000, "release:esc_release", null],
    ]);
    const escrow = async (id: string) =>
      (await selectRows<Record<string, unknown>>(server!.db, sql`select * from escrows where id = ${id}`))[0];
    expect(await escrow("esc_chargeback")).toMatchObject({
      dispute_source: "provider",
      dispute_reason: "fraudulent",
      provider_dispute_id: "dp_1",
    });
    expect(await escrow("esc_refund")).toMatchObject({
      last_error_code: "api_error",
      last_error_message: "An unknown error occurred",
    });
    for (const column of ["pending_refund_amount", "claim_token", "status_before_dispute", "last_error"]) {
      expect(await escrow("esc_refund")).not.toHaveProperty(column);
    }

    const summary = await tick(server.deps);
    expect(summary).toMatchObject({ refunds: 1, released: 1, reversals: 1, release_failures: 0 });
    // Each movement asked of the provider once, under the key it had before the migration.
    expect(provider.calls).toEqual([
      { method: "refund", key: "refund:esc_refund:0+5000", amount: 5000 },
      { method: "reverseTransfer", key: "reversal:esc_reversal:0+1000", amount: 1000 },
      { method: "transfer", key: "release:esc_release", amount: 4000 },
    ]);
    expect(await escrow("esc_refund")).toMatchObject({ status: "refunded", refunded_amount: 5000 });
    expect(await escrow("esc_reversal")).toMatchObject({ status: "released", reversed_amount: 1000 });
    expect(await escrow("esc_release")).toMatchObject({ status: "released", released_amount: 5000 });
    const open = await server.db.select().from(moneyOperations).where(eq(moneyOperations.status, "in_flight"));
    expect(open).toEqual([]);

    expect(await tick(server.deps)).toMatchObject({ refunds: 0, released: 0, reversals: 0 });
    expect(provider.calls).toHaveLength(3);
    expect(await ledgerInvariant(server.deps)).toEqual({ broken: [], ledgerTotal: 0 });
  });

  it("starts every tutor's running totals from the ledger it finds", async () => {
    const db = await tempDatabaseUrl();
    cleanup = db.cleanup;
    await seedOldDatabase(db.url, migrationsUpTo(db.url.slice("file:".length, -"/db.sqlite".length), 2));
    server = await createTestServer({ url: db.url });
    // Two captures still pending, one frozen by a chargeback, one released with 1000 refunded after.
    expect(await tutorBalance(server.db, "tn_old", "tutor_1")).toEqual([
      { currency: "usd", pending: 8000, disputed: 4000, released: 3000 },
    ]);
    const reconciled = await server.call("POST", "/v1/admin/reconcile", { key: ADMIN_KEY });
    expect(reconciled.body).toEqual({ checked: 1, mismatches: [] });
  });
});
