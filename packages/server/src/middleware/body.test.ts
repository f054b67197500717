import type { Server } from "node:http";
import { connect, type Socket } from "node:net";
import { serve } from "@hono/node-server";
import { Agent, fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookingBody, createTestServer, type Json, type TestServer } from "../../test/harness";
import { DISCARD_LIMIT_BYTES, MAX_BODY_BYTES } from "./body";

/**
 * Refused requests on a keep-alive connection, against a real listening server (the Node adapter,
 * port 0, as server.ts serves it): whatever was refused, and however early, the next request on
 * the same connection is answered.
 */

interface Step {
  name: string;
  method: string;
  path: string;
  authorization?: string;
  contentType?: string;
  body?: string | (() => string);
  /** Sent with `Transfer-Encoding: chunked` instead of a Content-Length. */
  chunked?: boolean;
  status: number;
  code?: string;
}

interface Answer {
  status: number;
  connection: string | null;
  body: Json;
}

let server: TestServer;
let http: Server;
let port: number;
let key: string;
let connections = 0;
/** A pooled keep-alive client held to one connection, so every request after a refusal must reuse it. */
const agent = new Agent({ connections: 1, keepAliveTimeout: 60_000 });

beforeAll(async () => {
  server = await createTestServer();
  ({ key } = await server.createTenant());
  http = serve({ fetch: server.app.fetch, port: 0 }) as Server;
  await new Promise<void>((done) => http.once("listening", done));
  port = (http.address() as { port: number }).port;
  // Idle connections are not what is tested: a slow machine must not see one time out mid-sequence.
  http.keepAliveTimeout = 60_000;
  http.on("connection", () => {
    connections += 1;
  });
});

afterAll(async () => {
  await agent.close();
  http.closeAllConnections();
  await new Promise<void>((done) => http.close(() => done()));
  server.close();
});

const json = "application/json";
const filler = (bytes: number) => JSON.stringify({ filler: "x".repeat(bytes) });
const overLimit = filler(MAX_BODY_BYTES + 40 * 1024);
const underLimit = filler(MAX_BODY_BYTES - 10 * 1024);
const beyondDiscard = filler(DISCARD_LIMIT_BYTES + 100 * 1024);

const validRead = (): Step => ({
  name: "a valid read",
  method: "GET",
  path: "/v1/tenant",
  authorization: `Bearer ${key}`,
  status: 200,
});
// A body right behind a refused one: read whole and on its own, or it would be refused as well.
const validBooking = (): Step => ({
  name: "a valid booking",
  method: "POST",
  path: "/v1/bookings",
  authorization: `Bearer ${key}`,
  contentType: json,
  body: () => JSON.stringify(bookingBody(server.clock)),
  status: 200,
});

const refusals = (): Step[] => [
  {
    name: "an oversized body (Content-Length)",
    method: "POST",
    path: "/v1/bookings",
    authorization: `Bearer ${key}`,
    contentType: json,
    body: overLimit,
    status: 413,
    code: "body_too_large",
  },
  {
    name: "an oversized body (chunked)",
    method: "POST",
    path: "/v1/bookings",
    authorization: `Bearer ${key}`,
    contentType: json,
    body: overLimit,
    chunked: true,
    status: 413,
    code: "body_too_large",
  },
  {
    name: "an unauthenticated body",
    method: "POST",
    path: "/v1/bookings",
    contentType: json,
    body: underLimit,
    status: 401,
    code: "missing_api_key",
  },
  {
    name: "an unauthenticated chunked body",
    method: "POST",
    path: "/v1/bookings",
    contentType: json,
    body: underLimit,
    chunked: true,
    status: 401,
    code: "missing_api_key",
  },
  {
    name: "a body with a participant token on a tenant route",
    method: "POST",
    path: "/v1/bookings",
    authorization: "Bearer lk_pt_not_for_this_route",
    contentType: json,
    body: underLimit,
    status: 403,
    code: "participant_token_not_allowed",
  },
  {
    name: "a body with a secret key on a participant route",
    method: "PUT",
    path: "/v1/sessions/bk_someone/notes",
    authorization: `Bearer ${key}`,
    contentType: json,
    body: underLimit,
    status: 403,
    code: "secret_key_not_allowed",
  },
  {
    name: "a body of another media type",
    method: "POST",
    path: "/v1/bookings",
    authorization: `Bearer ${key}`,
    contentType: "text/plain",
    body: underLimit,
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "a body with no media type",
    method: "POST",
    path: "/v1/bookings",
    authorization: `Bearer ${key}`,
    body: underLimit,
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "a body that is not JSON",
    method: "POST",
    path: "/v1/bookings",
    authorization: `Bearer ${key}`,
    contentType: json,
    body: `{${underLimit}`,
    status: 400,
    code: "invalid_json",
  },
  {
    name: "a body to no route",
    method: "POST",
    path: "/v1/nowhere",
    authorization: `Bearer ${key}`,
    contentType: json,
    body: underLimit,
    status: 404,
    code: "route_not_found",
  },
];

/** Every refusal, each followed by a read and a booking. */
const interleaved = (): Step[] => refusals().flatMap((refusal) => [refusal, validRead(), validBooking()]);

function bodyOf(step: Step): string | undefined {
  return typeof step.body === "function" ? step.body() : step.body;
}

function expectAnswered(step: Step, answer: Answer) {
  expect(answer.status, `${step.name}: ${JSON.stringify(answer.body).slice(0, 200)}`).toBe(step.status);
  if (step.code) {
    expect(answer.body.error, step.name).toMatchObject({ code: step.code, request_id: expect.stringMatching(/^req_/) });
  } else {
    expect(answer.body.error, step.name).toBeUndefined();
  }
}

/** One TCP connection speaking HTTP/1.1 by hand: nothing pools, retries or reconnects behind the test's back. */
class RawConnection {
  #buffer = Buffer.alloc(0);
  #closed = false;
  #wake: (() => void) | undefined;
  readonly #socket: Socket;

  constructor(port: number) {
    this.#socket = connect(port, "127.0.0.1");
    this.#socket.on("data", (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    // A write after the server closed its side fails (EPIPE); what matters is what was answered.
    this.#socket.on("error", () => undefined);
    this.#socket.on("close", () => {
      this.#closed = true;
      this.#wake?.();
    });
  }

  /** Writes the request; with `pauseMs`, its body goes in four parts that far apart. */
  async send(step: Step, pauseMs = 0) {
    const body = bodyOf(step);
    const head = [`${step.method} ${step.path} HTTP/1.1`, "Host: lessonkit.test"];
    if (step.authorization) head.push(`Authorization: ${step.authorization}`);
    if (step.contentType) head.push(`Content-Type: ${step.contentType}`);
    if (body !== undefined && step.chunked) head.push("Transfer-Encoding: chunked");
    else if (body !== undefined) head.push(`Content-Length: ${Buffer.byteLength(body)}`);
    this.#socket.write(`${head.join("\r\n")}\r\n\r\n`);
    if (body === undefined) return;
    if (pauseMs > 0 && !step.chunked) {
      const part = Math.ceil(body.length / 4);
      for (let at = 0; at < body.length; at += part) {
        await new Promise((wait) => setTimeout(wait, pauseMs));
        this.#socket.write(body.slice(at, at + part));
      }
      return;
    }
    if (!step.chunked) {
      this.#socket.write(body);
      return;
    }
    for (let at = 0; at < body.length; at += 64 * 1024) {
      const chunk = body.slice(at, at + 64 * 1024);
      this.#socket.write(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`);
    }
    this.#socket.write("0\r\n\r\n");
  }

  /** The next response on the connection, or null once the server has closed it without one. */
  async response(): Promise<Answer | null> {
    for (;;) {
      const parsed = this.#parse();
      if (parsed) return parsed;
      if (this.#closed) return null;
      await new Promise<void>((wake) => {
        this.#wake = wake;
      });
    }
  }

  get closed() {
    return this.#closed;
  }

  end() {
    this.#socket.destroy();
  }

  #parse(): Answer | null {
    const headEnd = this.#buffer.indexOf("\r\n\r\n");
    if (headEnd < 0) return null;
    const [statusLine = "", ...lines] = this.#buffer.subarray(0, headEnd).toString("latin1").split("\r\n");
    const headers = new Map(
      lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
    );
    const length = Number(headers.get("content-length"));
    if (!Number.isInteger(length)) throw new Error(`a response without Content-Length: ${statusLine}`);
    if (this.#buffer.length < headEnd + 4 + length) return null;
    const body = this.#buffer.subarray(headEnd + 4, headEnd + 4 + length).toString("utf8");
    this.#buffer = this.#buffer.subarray(headEnd + 4 + length);
    return {
      status: Number(statusLine.split(" ")[1]),
      connection: headers.get("connection") ?? null,
      body: JSON.parse(body),
    };
  }
}

/** The fetch Node's global one is built on (undici), over the one-connection keep-alive pool. */
async function fetchStep(step: Step): Promise<Answer> {
  const text = bodyOf(step);
  const headers: Record<string, string> = {};
  if (step.authorization) headers.Authorization = step.authorization;
  if (step.contentType) headers["Content-Type"] = step.contentType;
  // An async iterable goes out with Transfer-Encoding: chunked.
  const body =
    text !== undefined && step.chunked
      ? (async function* () {
          yield new TextEncoder().encode(text);
        })()
      : text;
  const response = await fetch(`http://127.0.0.1:${port}${step.path}`, {
    method: step.method,
    headers,
    body,
    dispatcher: agent,
    ...(step.chunked ? { duplex: "half" as const } : {}),
  });
  return {
    status: response.status,
    connection: response.headers.get("connection"),
    body: (await response.json()) as Json,
  };
}

describe("a refused request on a keep-alive connection", () => {
  it("leaves a raw connection answering every request after it", async () => {
    const connection = new RawConnection(port);
    try {
      for (const step of interleaved()) {
        await connection.send(step);
        const answer = await connection.response();
        expect(answer, `${step.name}: no answer, the connection closed`).not.toBeNull();
        expectAnswered(step, answer as Answer);
        expect(answer?.connection, step.name).toBe("keep-alive");
      }
    } finally {
      connection.end();
    }
  });

  it("leaves a request sent right behind a refused body answered (pipelined)", async () => {
    const connection = new RawConnection(port);
    try {
      const steps = interleaved();
      for (const step of steps) await connection.send(step);
      for (const step of steps) {
        const answer = await connection.response();
        expect(answer, `${step.name}: no answer, the connection closed`).not.toBeNull();
        expectAnswered(step, answer as Answer);
      }
    } finally {
      connection.end();
    }
  });

  it("waits for a slow body it refuses, and answers the request after it", async () => {
    const connection = new RawConnection(port);
    try {
      // Refusing on the headers alone and then giving the body half a second to arrive (the Node
      // adapter's own drain) closed the connection under the next request.
      const [unauthenticated] = refusals().filter((step) => step.status === 401 && !step.chunked);
      for (const step of [unauthenticated as Step, validRead(), validBooking()]) {
        await connection.send(step, step === unauthenticated ? 200 : 0);
        const answer = await connection.response();
        expect(answer, `${step.name}: no answer, the connection closed`).not.toBeNull();
        expectAnswered(step, answer as Answer);
      }
    } finally {
      connection.end();
    }
  });

  it("leaves a pooled fetch client on its one connection, every request answered", async () => {
    // Open the pool's connection, then count: every step must reuse it.
    expectAnswered(validRead(), await fetchStep(validRead()));
    const before = connections;
    for (const step of interleaved()) {
      const answer = await fetchStep(step);
      expectAnswered(step, answer);
      expect(answer.connection, step.name).toBe("keep-alive");
    }
    expect(connections - before).toBe(0);
  });
});

describe("a body too large even to discard", () => {
  const tooLargeToDiscard = (chunked: boolean): Step => ({
    name: `a body past the discard bound (${chunked ? "chunked" : "Content-Length"})`,
    method: "POST",
    path: "/v1/bookings",
    authorization: `Bearer ${key}`,
    contentType: json,
    body: beyondDiscard,
    chunked,
    status: 413,
    code: "body_too_large",
  });

  it.each([false, true])("is refused with Connection: close on a raw connection (chunked: %s)", async (chunked) => {
    const connection = new RawConnection(port);
    try {
      connection.send(tooLargeToDiscard(chunked));
      const answer = await connection.response();
      expect(answer).not.toBeNull();
      expectAnswered(tooLargeToDiscard(chunked), answer as Answer);
      expect(answer?.connection).toBe("close");
      // The server ends the connection; nothing more is read from it or answered on it.
      expect(await connection.response()).toBeNull();
      expect(connection.closed).toBe(true);
    } finally {
      connection.end();
    }
  });

  it.each([false, true])(
    "is refused to fetch, whose next request gets a new connection (chunked: %s)",
    async (chunked) => {
      expectAnswered(validRead(), await fetchStep(validRead()));
      const before = connections;
      const refused = await fetchStep(tooLargeToDiscard(chunked));
      expectAnswered(tooLargeToDiscard(chunked), refused);
      expect(refused.connection).toBe("close");
      for (const step of [validBooking(), validRead()]) expectAnswered(step, await fetchStep(step));
      // The refused request's connection was closed, so the pool had to open another.
      expect(connections - before).toBeGreaterThanOrEqual(1);
    },
  );
});
