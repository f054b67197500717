import { createHash } from "node:crypto";
import type {
  CancelPaymentInput,
  CreatePaymentInput,
  CreatePaymentResult,
  PaymentProvider,
  RefundInput,
  TransferInput,
} from "../../ports/payments";

/**
 * The sandbox provider moves no real money and makes no network calls. Its ids are derived from
 * the idempotency key, so a replayed call returns the same id, as a real provider's would.
 */
export class SandboxPayments implements PaymentProvider {
  readonly name = "sandbox" as const;

  async createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult> {
    const id = `pi_sandbox_${digest(input.idempotencyKey)}`;
    return { paymentId: id, clientSecret: `${id}_secret_${digest(`${id}:secret`)}` };
  }

  async cancelPayment(_input: CancelPaymentInput): Promise<void> {}

  async refund(input: RefundInput): Promise<{ refundId: string }> {
    return { refundId: `re_sandbox_${digest(input.idempotencyKey)}` };
  }

  async transfer(input: TransferInput): Promise<{ transferId: string }> {
    return { transferId: `tr_sandbox_${digest(input.idempotencyKey)}` };
  }
}

function digest(value: string): string {
  return createHash("sha256").update(value).digest("base64url").replace(/[-_]/g, "").slice(0, 24);
}
