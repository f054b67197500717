import { Writable } from "node:stream";
import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger } from "pino";

export interface LoggerOptions {
  level: string;
  /** `json`: one JSON object a line (production); `pretty`: readable lines (development). */
  format: "json" | "pretty";
  /** Where lines go (tests capture them); stdout by default. */
  destination?: DestinationStream;
}

/**
 * What a secret looks like wherever it could slip into an error message: tenant secret keys,
 * participant tokens, webhook signing secrets, Stripe keys. Log lines are built from chosen fields
 * (never headers or bodies); this is the second line of defence, for the text of errors.
 */
const SECRET_PATTERN = /\b(lk_sk_|lk_pt_|whsec_|sk_live_|sk_test_|rk_live_|rk_test_)[A-Za-z0-9_.+/=-]+/g;

export function scrubSecrets(text: string): string {
  return text.replace(SECRET_PATTERN, "$1[redacted]");
}

/** pino's error serializer (type, message, stack, cause, own fields), with secrets scrubbed from every string. */
function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error);
  return scrub(serialized, 0);
}

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === "string") return scrubSecrets(value);
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrub(item, depth + 1);
  return out;
}

/**
 * The process's logger (pino). JSON lines go to stdout through an asynchronous buffer, so a busy
 * API does not pay one write per request; await `flushLogger` before exit. Times are ISO 8601, levels are
 * names. Request lines are `msg: "request"` with request_id, tenant_id, method, route, status and
 * duration_ms; errors carry `err` with their stack (never sent in a response).
 */
export function createLogger(options: LoggerOptions): Logger {
  const buffered =
    options.format === "json" && !options.destination ? pino.destination({ dest: 1, sync: false }) : null;
  const destination =
    options.format === "pretty"
      ? pretty({
          destination: options.destination ? asStream(options.destination) : 1,
          colorize: !options.destination && (process.stdout.isTTY ?? false),
          sync: true,
          translateTime: "SYS:HH:MM:ss.l",
          // A request reads as one line: `GET /v1/bookings/:id 200 3.1ms` and its request id below.
          ignore: "pid,hostname,method,route,status,duration_ms",
          messageFormat: (log, messageKey) =>
            log.msg === "request"
              ? `${log.method} ${log.route} ${log.status} ${log.duration_ms}ms`
              : String(log[messageKey] ?? ""),
        })
      : (buffered ?? options.destination);
  const logger = pino(
    {
      level: options.level,
      timestamp: isoTime,
      formatters: { level: levelLabel },
      serializers: { err: serializeError },
    },
    destination,
  );
  if (buffered) stdoutBuffers.add(buffered);
  return logger;
}

/** The asynchronous stdout buffers of the JSON loggers made by `createLogger` (their children share them). */
type StdoutBuffer = ReturnType<typeof pino.destination>;
const stdoutBuffers = new WeakSet<StdoutBuffer>();

/**
 * Resolves once every line the logger (or its parent) has taken is written out, or after `timeoutMs`,
 * so that the last lines before an exit are not lost. A write already handed to the operating system
 * cannot be hurried (a synchronous flush skips it, and an exit right after may drop it): for the
 * stdout buffer of `createLogger` this waits for its `drain`, which comes once everything up to an
 * empty write queued behind it is written. Any other destination is flushed synchronously if it can be.
 */
export async function flushLogger(logger: Logger, timeoutMs = 2_000): Promise<void> {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as
    | (Partial<StdoutBuffer> & object)
    | undefined;
  if (!stream) return;
  if (!stdoutBuffers.has(stream as StdoutBuffer)) {
    try {
      stream.flushSync?.();
    } catch {
      // A destination still opening, or one without a buffer (pino-pretty writes synchronously).
    }
    return;
  }
  const buffer = stream as StdoutBuffer;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      buffer.off("drain", done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    timer.unref();
    buffer.once("drain", done);
    try {
      buffer.write("");
    } catch {
      done(); // Already closed.
    }
  });
}

/** pino-pretty writes to a Node stream; a plain `{ write }` destination is wrapped in one. */
function asStream(destination: DestinationStream): Writable {
  if (destination instanceof Writable) return destination;
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      destination.write(chunk.toString());
      done();
    },
  });
}

/**
 * ISO 8601 times, formatted once per millisecond: a busy API writes many lines in the same one, and
 * formatting a Date costs more than the rest of a request line.
 */
let lastMs = -1;
let lastTime = "";
function isoTime(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastTime = `,"time":"${new Date(ms).toISOString()}"`;
  }
  return lastTime;
}

/** Level names rather than numbers, one object per level (allocated once, not per line). */
const LEVEL_LABELS = new Map<string, { level: string }>();
function levelLabel(label: string): { level: string } {
  let entry = LEVEL_LABELS.get(label);
  if (!entry) {
    entry = { level: label };
    LEVEL_LABELS.set(label, entry);
  }
  return entry;
}

/** A logger that writes nothing (library callers that pass none, and tools). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
