import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghijkmnopqrstuvwxyz";

export type IdPrefix = "tn" | "bk" | "esc" | "evt" | "we" | "whd" | "led" | "rel" | "req" | "ref";

/** Random, URL-safe, prefixed ids (`bk_3kTq…`), 20 characters of entropy after the prefix. */
export function newId(prefix: IdPrefix, length = 20): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${out}`;
}

export function randomToken(length: number): string {
  return newId("req", length).slice(4);
}
