import type { Context, Next } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../routes/context";
import { ApiError } from "../routes/errors";

/** The largest request body any route accepts. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * How much of a body that is refused (413, 401/403, 404, 415, …) or otherwise left unread is read
 * off the connection and thrown away before the answer.
 *
 * Why: HTTP/1.1 sends the next request on a keep-alive connection right after this one's body, so
 * a body left on the wire must be read to the end before that request can be seen. Integrators'
 * clients pool connections; if we answered early and left the body there, the request after a
 * refused one would wait behind it and then fail with a closed socket. So up to this bound the
 * body is read and discarded and the connection stays open. A body declared larger, or one that
 * runs past the bound while it is discarded, is not worth receiving: the refusal then says
 * `Connection: close`, and clients open a new connection for their next request.
 *
 * The Node adapter's own clean-up is not enough: it gives the unread body 500 ms before it
 * destroys the socket (a slow upload loses the connection), and once the body stream has been
 * opened (as a size check on it did) that stream pauses the socket and the drain never finishes.
 */
export const DISCARD_LIMIT_BYTES = 1024 * 1024;

const tooLarge = () =>
  new ApiError(
    413,
    "invalid_request_error",
    "body_too_large",
    `The request body is larger than ${MAX_BODY_BYTES / 1024} KB`,
  );

/**
 * Every request body passes here first: it enforces MAX_BODY_BYTES and makes sure that whatever the
 * answer, the body has left the connection (or the answer closes it). See DISCARD_LIMIT_BYTES.
 */
export const requestBody = createMiddleware<AppEnv>((c, next) =>
  // A GET or HEAD body is never read by a route; Node's HTTP server discards it by itself. Not
  // async on this path, which most requests take.
  c.req.method === "GET" || c.req.method === "HEAD" ? next() : boundBody(c, next),
);

async function boundBody(c: Context<AppEnv>, next: Next): Promise<void> {
  const length = c.req.header("content-length");
  if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
    const declared = Number(length);
    if (declared > MAX_BODY_BYTES) {
      // Refused on its declared size: discarded unread when it is small enough, else not received.
      if (declared > DISCARD_LIMIT_BYTES || !(await discardBody(c.req.raw.body))) closeAfterwards(c);
      throw tooLarge();
    }
    await next();
    // Refused before a route read it (credentials, media type, unknown route): at most
    // MAX_BODY_BYTES, so it is read off the wire here rather than left in front of the next request.
    if (declared > 0 && !c.req.raw.bodyUsed && !(await discardBody(c.req.raw.body))) closeAfterwards(c);
    return;
  }

  // No declared length (a chunked upload): read it here, keeping at most MAX_BODY_BYTES.
  const body = c.req.raw.body;
  if (!body) return next();
  const read = await readBody(body, MAX_BODY_BYTES);
  switch (read.status) {
    case "kept":
      c.req.raw = new Request(c.req.raw, { body: read.bytes });
      return next();
    case "dropped":
      throw tooLarge();
    case "abandoned":
      closeAfterwards(c);
      throw tooLarge();
    case "broken":
      closeAfterwards(c);
      throw new ApiError(400, "invalid_request_error", "body_unreadable", "The request body could not be read");
  }
}

function closeAfterwards(c: Context<AppEnv>) {
  c.header("Connection", "close");
}

type BodyRead =
  /** At most the bytes asked for: here they are. */
  | { status: "kept"; bytes: Uint8Array<ArrayBuffer> }
  /** Larger, and read to its end only to be dropped: the connection can carry the next request. */
  | { status: "dropped" }
  /** Larger than DISCARD_LIMIT_BYTES, so reading stopped: the connection must close. */
  | { status: "abandoned" }
  /** It broke off (the client went away, or the stream was already taken). */
  | { status: "broken" };

/**
 * Reads a body to its end, keeping it when it is at most `keep` bytes; past that it goes on reading
 * only to drop the bytes, up to DISCARD_LIMIT_BYTES in all.
 */
async function readBody(body: ReadableStream<Uint8Array>, keep: number): Promise<BodyRead> {
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = body.getReader();
  } catch {
    return { status: "broken" };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > DISCARD_LIMIT_BYTES) {
        await reader.cancel().catch(() => undefined);
        return { status: "abandoned" };
      }
      if (size <= keep) chunks.push(value);
    }
  } catch {
    return { status: "broken" };
  } finally {
    reader.releaseLock();
  }
  if (size > keep) return { status: "dropped" };
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { status: "kept", bytes };
}

/** Reads a body off the wire and drops it; false when the connection cannot carry another request. */
async function discardBody(body: ReadableStream<Uint8Array> | null): Promise<boolean> {
  if (!body) return true;
  const read = await readBody(body, 0);
  return read.status === "kept" || read.status === "dropped";
}
