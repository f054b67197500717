import { createRequire } from "node:module";

interface ParsedToken {
  appId: string | Buffer;
  issueTs: number;
  expire: number;
  services: { __channel_name: string | Buffer; __uid: string | Buffer; __privileges: Record<number, number> }[];
  from_string(token: string): boolean;
  verifySignature(appCertificate: string): boolean;
}

const { AccessToken2 } = createRequire(import.meta.url)("agora-token/src/AccessToken2") as {
  AccessToken2: new () => ParsedToken;
};

/** Parses an AccessToken2 ("007…") with agora-token's own parser. */
export function parseAgoraToken(token: string) {
  const parsed = new AccessToken2();
  if (!parsed.from_string(token)) throw new Error("not an AccessToken2");
  const rtc = parsed.services[0];
  return {
    appId: String(parsed.appId),
    issueTs: parsed.issueTs,
    expire: parsed.expire,
    channel: rtc ? String(rtc.__channel_name) : undefined,
    uid: rtc ? String(rtc.__uid) : undefined,
    privileges: rtc?.__privileges ?? {},
    verify: (certificate: string) => parsed.verifySignature(certificate),
  };
}
