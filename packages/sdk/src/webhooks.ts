import { LessonKitError } from "./errors";
import type { Event } from "./types";

/** The body LessonKit posts to a webhook endpoint (Standard Webhooks). */
export type WebhookEvent = Pick<Event, "id" | "type" | "created_at" | "data">;

export type WebhookVerificationCode =
  | "missing_headers"
  | "invalid_secret"
  | "invalid_timestamp"
  | "timestamp_out_of_tolerance"
  | "invalid_signature"
  | "invalid_payload";

/** A delivery that must not be trusted; `code` says why. A LessonKitError with `status: 0`. */
export class WebhookVerificationError extends LessonKitError {
  declare readonly code: WebhookVerificationCode;
  constructor(code: WebhookVerificationCode, message: string) {
    super({ type: "webhook_verification_error", code, status: 0, message });
    Object.defineProperty(this, "name", { value: "WebhookVerificationError" });
  }
}

export type WebhookHeaders =
  | Headers
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** The current time (epoch ms or a Date); defaults to the local clock. For tests. */
  now?: number | Date;
  /** Allowed distance between `webhook-timestamp` and now, in seconds. Default 300 (±5 min). */
  toleranceSeconds?: number;
}

/**
 * Verifies a Standard Webhooks delivery and returns the event it carries.
 *
 * `payload` is the raw request body exactly as received (string or bytes; never re-serialised
 * JSON). `secret` is the endpoint's `whsec_…` secret, or several during a rotation: the
 * delivery is genuine when any `v1` signature in `webhook-signature` matches any secret.
 * Uses Web Crypto only, so it runs in Node, Deno, Bun, edge runtimes and workers.
 */
export async function verifyWebhook(
  payload: string | Uint8Array | ArrayBuffer,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  options: VerifyWebhookOptions = {},
): Promise<WebhookEvent> {
  const id = header(headers, "webhook-id");
  const timestampText = header(headers, "webhook-timestamp");
  const signatureText = header(headers, "webhook-signature");
  if (!id || !timestampText || !signatureText) {
    throw new WebhookVerificationError(
      "missing_headers",
      "webhook-id, webhook-timestamp and webhook-signature headers are required",
    );
  }

  const timestamp = Number(timestampText);
  if (!/^\d+$/.test(timestampText) || !Number.isSafeInteger(timestamp)) {
    throw new WebhookVerificationError("invalid_timestamp", "webhook-timestamp is not a Unix timestamp in seconds");
  }
  const nowMs = options.now === undefined ? Date.now() : Number(options.now);
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(nowMs / 1000 - timestamp) > tolerance) {
    throw new WebhookVerificationError(
      "timestamp_out_of_tolerance",
      `webhook-timestamp is more than ${tolerance} seconds away from now`,
    );
  }

  const keys = await Promise.all((typeof secret === "string" ? [secret] : [...secret]).map(importSecret));
  if (keys.length === 0) throw new WebhookVerificationError("invalid_secret", "No webhook secret was given");

  const body = typeof payload === "string" ? payload : new TextDecoder().decode(payload);
  const signed = new TextEncoder().encode(`${id}.${timestampText}.${body}`);
  const signatures = signatureText
    .split(" ")
    .map((entry) => entry.split(","))
    .filter((parts): parts is [string, string] => parts.length === 2 && parts[0] === "v1")
    .map(([, value]) => decodeBase64(value))
    .filter((bytes): bytes is Uint8Array<ArrayBuffer> => bytes !== undefined);

  let valid = false;
  for (const key of keys) {
    for (const signature of signatures) {
      // subtle.verify compares in constant time.
      if (await globalThis.crypto.subtle.verify("HMAC", key, signature, signed)) valid = true;
    }
  }
  if (!valid) {
    throw new WebhookVerificationError("invalid_signature", "No webhook signature matches the secret");
  }

  try {
    return JSON.parse(body) as WebhookEvent;
  } catch {
    throw new WebhookVerificationError("invalid_payload", "The webhook body is not JSON");
  }
}

async function importSecret(secret: string): Promise<CryptoKey> {
  const bytes = typeof secret === "string" ? decodeBase64(secret.replace(/^whsec_/, "")) : undefined;
  if (!bytes || bytes.length === 0) {
    throw new WebhookVerificationError("invalid_secret", "The webhook secret must be `whsec_` followed by base64");
  }
  return globalThis.crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  if (!Array.isArray(value)) return value;
  return name === "webhook-signature" ? value.join(" ") : value[0];
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}
