import { isIP } from "node:net";

/**
 * Where webhooks may not go (SSRF): private, loopback, link-local, shared, multicast, reserved and
 * unspecified addresses, in IPv4 and IPv6 (including IPv4 addresses embedded in IPv6 ones).
 * Loopback is allowed only in development mode, for receivers on the developer's machine.
 */
export function forbiddenAddressReason(ip: string, options: { allowLoopback: boolean }): string | null {
  const version = isIP(ip);
  if (version === 4) return forbiddenV4(ip, options);
  if (version === 6) return forbiddenV6(ip.toLowerCase(), options);
  return "not an IP address";
}

function forbiddenV4(ip: string, { allowLoopback }: { allowLoopback: boolean }): string | null {
  const [a = 0, b = 0] = ip.split(".").map(Number);
  if (a === 127) return allowLoopback ? null : "loopback address";
  if (a === 0) return "unspecified address";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private address";
  if (a === 169 && b === 254) return "link-local address";
  if (a === 100 && b >= 64 && b <= 127) return "shared address space";
  if (a === 192 && b === 0) return "reserved address";
  if (a === 198 && (b === 18 || b === 19)) return "benchmarking address";
  if (a >= 224) return "multicast or reserved address";
  return null;
}

function forbiddenV6(ip: string, options: { allowLoopback: boolean }): string | null {
  const groups = expandV6(ip);
  if (!groups) return "not an IP address";
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const embeddedV4 = `${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`;
  // IPv4-mapped (::ffff:a.b.c.d, which URLs spell ::ffff:a00:1), IPv4-compatible and NAT64
  // addresses reach the IPv4 address inside them, so they follow its rules.
  const zeroPrefix = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroPrefix && g5 === 0xffff) return forbiddenV4(embeddedV4, options);
  if (zeroPrefix && g5 === 0 && g6 === 0 && g7 <= 1) {
    if (g7 === 1) return options.allowLoopback ? null : "loopback address";
    return "unspecified address";
  }
  if (zeroPrefix && g5 === 0) return forbiddenV4(embeddedV4, options);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return forbiddenV4(embeddedV4, options);
  }
  if ((g0 & 0xfe00) === 0xfc00) return "private address";
  if ((g0 & 0xffc0) === 0xfe80) return "link-local address";
  if ((g0 & 0xffc0) === 0xfec0) return "site-local address";
  if ((g0 & 0xff00) === 0xff00) return "multicast address";
  return null;
}

/** The eight 16-bit groups of an IPv6 address (with `::` and a trailing dotted IPv4 expanded). */
function expandV6(ip: string): number[] | null {
  let text = ip.split("%")[0] ?? "";
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right].map((g) =>
    Number.parseInt(g, 16),
  );
  return groups.some((g) => Number.isNaN(g)) ? null : groups;
}
