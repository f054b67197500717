import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { forbiddenAddressReason } from "../../domain/webhooks/address";
import type { WebhookRequest, WebhookResponse, WebhookTransport } from "../../ports/webhooks";

const EXCERPT_BYTES = 1024;
/** Idle pooled connections are closed after this, before the 5 s keep-alive of common servers. */
const IDLE_SOCKET_MS = 4_000;

/**
 * Delivers over node:http(s). The address is checked again at connect time, after DNS, so a
 * hostname that starts resolving to a private address (DNS rebinding) is refused too.
 *
 * Connections are kept alive and reused per origin (the agents pool by host and port), so a
 * backlog to one endpoint is not a TCP (and TLS) handshake per event. Every pooled connection was
 * opened through the guarded lookup; loopback-allowed and loopback-refused requests never share a
 * pool, so a connection opened in development mode can never carry a request that must refuse it.
 */
export class NodeWebhookTransport implements WebhookTransport {
  readonly #agents = new Map<string, HttpAgent>();

  #agentFor(protocol: string, allowLoopback: boolean): HttpAgent {
    const key = `${protocol}${allowLoopback ? "loopback" : ""}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      const options = { keepAlive: true, timeout: IDLE_SOCKET_MS };
      agent = protocol === "https:" ? new HttpsAgent(options) : new HttpAgent(options);
      this.#agents.set(key, agent);
    }
    return agent;
  }

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

  #post(
    input: WebhookRequest,
    retried = false,
  ): Promise<Pick<WebhookResponse, "status" | "retryAfterSeconds" | "bodyExcerpt">> {
    const url = new URL(input.url);
    // An IP literal never goes through the lookup below, so it is checked here.
    const literal = url.hostname.replace(/^\[|\]$/g, "");
    const literalReason = isIP(literal)
      ? forbiddenAddressReason(literal, { allowLoopback: input.allowLoopback })
      : null;
    if (literalReason) return Promise.reject(new Error(`refused to connect to ${literal} (${literalReason})`));
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
      let responded = false;
      const req = send(
        url,
        {
          method: "POST",
          headers: { ...input.headers, "content-length": Buffer.byteLength(input.body).toString() },
          lookup: guardedLookup,
          timeout: input.timeoutMs,
          agent: this.#agentFor(url.protocol, input.allowLoopback),
        },
        (res) => {
          responded = true;
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
      req.on("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(deadline);
        // A pooled connection the receiver closed while idle fails before any response: the request
        // never reached it, so it is sent again once, on a new connection.
        const stale = req.reusedSocket && !responded && (error.code === "ECONNRESET" || error.code === "EPIPE");
        if (stale && !retried) resolve(this.#post(input, true));
        else reject(error);
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
