/**
 * Child process of the Stripe releases benchmark: a Stripe-compatible server on 127.0.0.1 for the
 * calls a release makes (POST /v1/transfers, GET /v1/accounts/:id), with Stripe's latency
 * (STRIPE_LATENCY_MS, 250 by default) and Stripe's limiter, a token bucket of STRIPE_RATE_LIMIT
 * requests a second (25: Stripe's test-mode limit) that answers 429 `rate_limit` when it runs dry.
 * Idempotency keys are honoured as Stripe does (the same key replays the first answer). Asked for
 * a report, it counts transfers per escrow and the 429s it sent.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { serveParent } from "./child";

const latencyMs = Number(process.env.STRIPE_LATENCY_MS ?? 250);
const perSecond = Number(process.env.STRIPE_RATE_LIMIT ?? 25);

export interface StripeServerReport {
  transfers: number;
  /** Escrows paid more than once. */
  paidTwice: number;
  /** Transfers per escrow id. */
  byEscrow: Record<string, number>;
  limited: number;
  requests: number;
  firstAt: number;
  lastAt: number;
}

const bucket = { tokens: perSecond, at: performance.now() };
const answered = new Map<string, { status: number; body: string }>();
const byEscrow = new Map<string, number>();
let transfers = 0;
let limited = 0;
let requests = 0;
let firstAt = 0;
let lastAt = 0;
let counter = 0;

function take(): boolean {
  const now = performance.now();
  bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) * perSecond) / 1000);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

function handle(method: string, path: string, form: URLSearchParams): { status: number; body: object } {
  if (method === "GET" && path.startsWith("/v1/accounts/")) {
    return { status: 200, body: { id: path.slice("/v1/accounts/".length), object: "account", payouts_enabled: true } };
  }
  if (method === "POST" && path === "/v1/transfers") {
    const escrowId = form.get("metadata[lessonkit_escrow_id]") ?? "unknown";
    byEscrow.set(escrowId, (byEscrow.get(escrowId) ?? 0) + 1);
    transfers++;
    return {
      status: 200,
      body: {
        id: `tr_bench${(++counter).toString(36)}`,
        object: "transfer",
        amount: Number(form.get("amount")),
        amount_reversed: 0,
        currency: form.get("currency"),
        destination: form.get("destination"),
        metadata: { lessonkit_escrow_id: escrowId },
      },
    };
  }
  return { status: 404, body: { error: { type: "invalid_request_error", message: `No route ${method} ${path}` } } };
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    requests++;
    const now = performance.now();
    if (firstAt === 0) firstAt = now;
    lastAt = now;
    const allowed = take();
    setTimeout(() => {
      const json = (status: number, body: string) =>
        res.writeHead(status, { "content-type": "application/json", "request-id": `req_${requests}` }).end(body);
      if (!allowed) {
        limited++;
        return json(
          429,
          JSON.stringify({
            error: { type: "invalid_request_error", code: "rate_limit", message: "Request rate limit exceeded." },
          }),
        );
      }
      const key = req.headers["idempotency-key"];
      const earlier = typeof key === "string" ? answered.get(key) : undefined;
      if (earlier) return json(earlier.status, earlier.body);
      const url = new URL(req.url ?? "/", "http://localhost");
      const { status, body } = handle(
        req.method ?? "GET",
        url.pathname,
        new URLSearchParams(Buffer.concat(chunks).toString("utf8")),
      );
      const text = JSON.stringify(body);
      if (typeof key === "string" && req.method === "POST") answered.set(key, { status, body: text });
      json(status, text);
    }, latencyMs);
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

serveParent(
  {
    report: (): StripeServerReport => ({
      transfers,
      paidTwice: [...byEscrow.values()].filter((n) => n > 1).length,
      byEscrow: Object.fromEntries(byEscrow),
      limited,
      requests,
      firstAt,
      lastAt,
    }),
  },
  () => new Promise<void>((resolve) => server.close(() => resolve())),
);
process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
