import { isIP } from "node:net";

/**
 * Where webhooks may not go (SSRF): private, loopback, link-local, shared, multicast, reserved and
 * unspecified addresses, in IPv4 and IPv6 (including IPv4-mapped IPv6). Loopback is allowed only
 * in development mode, for receivers on the developer's machine.
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
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped?.[1]) return forbiddenV4(mapped[1], options);
  if (ip === "::1") return options.allowLoopback ? null : "loopback address";
  if (ip === "::") return "unspecified address";
  if (/^f[cd]/.test(ip)) return "private address";
  if (/^fe[89ab]/.test(ip)) return "link-local address";
  if (ip.startsWith("ff")) return "multicast address";
  return null;
}
