import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/** One request a receiver got: what an integrator's endpoint would see. */
export interface Received {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  /** The webhook-id header. */
  id: string;
}

/**
 * What the receiver answers; "hang" holds the request open until `releaseHanging()`; "drop" closes
 * the connection without an answer (a receiver that crashed mid-request).
 */
export type Reply = { status: number; body?: string; headers?: Record<string, string> } | "hang" | "drop";

/**
 * A real HTTP receiver on loopback. Each path answers through its own handler (200 "ok" by default),
 * and every request is recorded in arrival order.
 */
export class Receiver {
  readonly received: Received[] = [];
  readonly #handlers = new Map<string, (request: Received, nth: number) => Reply>();
  readonly #hanging: ServerResponse[] = [];
  #server: Server | undefined;
  #port = 0;

  async start(): Promise<this> {
    this.#server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  url(path = "/hook", host = "127.0.0.1"): string {
    return `http://${host}:${this.#port}${path}`;
  }

  /** Sets how `path` answers; `nth` counts that path's requests from 1. */
  on(path: string, handler: (request: Received, nth: number) => Reply): void {
    this.#handlers.set(path, handler);
  }

  at(path: string): Received[] {
    return this.received.filter((request) => request.path === path);
  }

  get hanging(): number {
    return this.#hanging.filter((res) => !res.writableEnded && !res.destroyed).length;
  }

  /** Answers every held request with 200 (those whose sender already gave up are skipped). */
  releaseHanging(): void {
    for (const res of this.#hanging.splice(0)) {
      if (!res.writableEnded && !res.destroyed) res.writeHead(200).end("late");
    }
  }

  /** Resolves once `count` requests have arrived (polling; fails after `timeoutMs`). */
  async waitFor(count: number, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`receiver got ${this.received.length} of ${count} requests`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async close(): Promise<void> {
    this.releaseHanging();
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const request: Received = {
        path,
        method: req.method ?? "",
        headers,
        body: Buffer.concat(chunks).toString("utf8"),
        id: headers["webhook-id"] ?? "",
      };
      this.received.push(request);
      const nth = this.at(path).length;
      const reply = this.#handlers.get(path)?.(request, nth) ?? { status: 200, body: "ok" };
      if (reply === "hang") {
        this.#hanging.push(res);
        return;
      }
      if (reply === "drop") {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, reply.headers).end(reply.body ?? "");
    });
  }
}

/** Verifies a received request with the independent Standard Webhooks implementation. */
export function verifyWith(secret: string, request: Received): unknown {
  return new Webhook(secret).verify(request.body, request.headers);
}

/**
 * Whether one of the request's signatures is `secret`'s signature of it, computed by the
 * standardwebhooks package; unlike `verify`, this does not compare the timestamp with the wall
 * clock, for requests sent while a test's clock is hours ahead.
 */
export function signedBy(secret: string, request: Received): boolean {
  const timestamp = new Date(Number(request.headers["webhook-timestamp"]) * 1000);
  const expected = new Webhook(secret).sign(request.id, timestamp, request.body);
  return (request.headers["webhook-signature"] ?? "").split(" ").includes(expected);
}
