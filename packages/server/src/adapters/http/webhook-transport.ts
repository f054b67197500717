import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { forbiddenAddressReason } from "../../domain/webhooks/address";
import type { WebhookRequest, WebhookResponse, WebhookTransport } from "../../ports/webhooks";

const EXCERPT_BYTES = 1024;

/**
 * Delivers over node:http(s). The address is checked again at connect time, after DNS, so a
 * hostname that starts resolving to a private address (DNS rebinding) is refused too.
 */
export class NodeWebhookTransport implements WebhookTransport {
  async lookup(hostname: string): Promise<string[]> {
    const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
      dnsLookup(hostname, { all: true }, (error, found) => (error ? reject(error) : resolve(found))),
    );
    return addresses.map((entry) => entry.address);
  }

  async send(input: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    try {
      const response = await this.#post(input);
      return { ...response, error: null, durationMs: Math.round(performance.now() - started) };
    } catch (error) {
      return {
        status: null,
        error: error instanceof Error ? error.message : String(error),
        retryAfterSeconds: null,
        bodyExcerpt: "",
        durationMs: Math.round(performance.now() - started),
      };
    }
  }

  #post(input: WebhookRequest): Promise<Pick<WebhookResponse, "status" | "retryAfterSeconds" | "bodyExcerpt">> {
    const url = new URL(input.url);
    const guardedLookup: LookupFunction = (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) return callback(error, "", 4);
        const list = addresses as LookupAddress[];
        for (const entry of list) {
          const reason = forbiddenAddressReason(entry.address, { allowLoopback: input.allowLoopback });
          if (reason) return callback(new Error(`refused to connect to ${entry.address} (${reason})`), "", 4);
        }
        if ((options as { all?: boolean }).all)
          return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
        const first = list[0];
        if (!first) return callback(new Error(`no address for ${hostname}`), "", 4);
        return callback(null, first.address, first.family);
      });
    };
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method: "POST",
          headers: { ...input.headers, "content-length": Buffer.byteLength(input.body).toString() },
          lookup: guardedLookup,
          timeout: input.timeoutMs,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            if (size < EXCERPT_BYTES) chunks.push(chunk);
            size += chunk.length;
          });
          res.on("end", () => {
            clearTimeout(deadline);
            resolve({
              status: res.statusCode ?? 0,
              retryAfterSeconds: parseRetryAfter(res.headers["retry-after"]),
              bodyExcerpt: Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString("utf8"),
            });
          });
          res.on("error", reject);
        },
      );
      // The socket timeout covers idleness; this covers a receiver that trickles bytes forever.
      const deadline = setTimeout(
        () => req.destroy(new Error(`timed out after ${input.timeoutMs} ms`)),
        input.timeoutMs,
      );
      req.on("timeout", () => req.destroy(new Error(`timed out after ${input.timeoutMs} ms`)));
      req.on("error", (error) => {
        clearTimeout(deadline);
        reject(error);
      });
      req.end(input.body);
    });
  }
}

function parseRetryAfter(value: string | string[] | undefined): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return null;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}
