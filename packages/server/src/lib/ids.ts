import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghijkmnopqrstuvwxyz";

export type IdPrefix = "tn" | "bk" | "esc" | "evt" | "we" | "whd" | "led" | "op" | "req";

/**
 * Cryptographically random bytes, drawn from a pool filled 4 KB at a time: one system call per
 * hundred ids instead of one per id (every request gets a request id).
 */
let pool = Buffer.alloc(0);
let used = 0;
function poolBytes(length: number): Buffer {
  if (used + length > pool.length) {
    pool = randomBytes(Math.max(4096, length));
    used = 0;
  }
  used += length;
  return pool.subarray(used - length, used);
}

/** Random, URL-safe, prefixed ids (`bk_3kTq…`), 20 characters of entropy after the prefix. */
export function newId(prefix: IdPrefix, length = 20): string {
  const bytes = poolBytes(length);
  let out = "";
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${out}`;
}

export function randomToken(length: number): string {
  return newId("req", length).slice(4);
}

/** A request's id, as the `Request-Id` header and every error body carry it. */
export function newRequestId(): string {
  return newId("req");
}
