import { z } from "zod";
import { parseDuration } from "./lib/duration";

/**
 * The only place that reads process.env. Everything is parsed once at start-up; a missing or
 * malformed value fails here with one clear line instead of later, at first use.
 */

const DEV_ADMIN_KEY = "lk_admin_dev";
// Development only: a fixed, clearly-marked secret so tenant secrets stay readable across restarts.
const DEV_SECRET = "lessonkit-development-secret-do-not-use-in-production";

const hex32 = /^[0-9a-f]{32}$/i;

/** A duration such as `30s`, `1m` or `1h`, at least `minMs`, in milliseconds. */
const duration = (fallback: string, minMs: number) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined || ms < minMs) {
        ctx.addIssue({ code: "custom", message: `"${value}" is not a duration such as 30s, 1m or 1h` });
        return z.NEVER;
      }
      return ms;
    });

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const schema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8787),
    LESSONKIT_MODE: z.enum(["production", "development"]).default("production"),
    LESSONKIT_DATABASE_URL: z
      .string()
      .min(1)
      .default("file:./.lessonkit/lessonkit.db")
      .transform((value, ctx) => {
        const url = databaseUrl(value);
        if (url === null) {
          const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1];
          ctx.addIssue({
            code: "custom",
            message: `has the scheme "${scheme}:", which LessonKit cannot use: give postgres:// (PostgreSQL), or a file path, file:, :memory:, libsql:, http(s): or ws(s): (the embedded libsql)`,
          });
          return z.NEVER;
        }
        return url;
      }),
    LESSONKIT_DATABASE_POOL: z.coerce.number().int().min(1).max(1000).default(10),
    LESSONKIT_ADMIN_KEY: z.string().min(16, "must be at least 16 characters").optional(),
    LESSONKIT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    LESSONKIT_TICK_INTERVAL: duration("1h", 1000),
    LESSONKIT_LOG_LEVEL: z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(", ")}`).default("info"),
    LESSONKIT_LOG_FORMAT: z.enum(["json", "pretty"], "must be json or pretty").optional(),
    LESSONKIT_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    LESSONKIT_METRICS_TENANT_LABELS: z.enum(["true", "false"], "must be true or false").default("false"),
    LESSONKIT_SHUTDOWN_TIMEOUT: duration("25s", 0),
    AGORA_APP_ID: z.string().regex(hex32, "must be a 32-character hex Agora App ID").optional(),
    AGORA_APP_CERTIFICATE: z.string().regex(hex32, "must be a 32-character hex Agora App Certificate").optional(),
    LESSONKIT_STRIPE_API_URL: z.url().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.LESSONKIT_MODE === "production") {
      if (!env.LESSONKIT_ADMIN_KEY) {
        ctx.addIssue({ code: "custom", path: ["LESSONKIT_ADMIN_KEY"], message: "is required in production mode" });
      }
      if (!env.LESSONKIT_SECRET) {
        ctx.addIssue({ code: "custom", path: ["LESSONKIT_SECRET"], message: "is required in production mode" });
      }
    }
    if (Boolean(env.AGORA_APP_ID) !== Boolean(env.AGORA_APP_CERTIFICATE)) {
      ctx.addIssue({
        code: "custom",
        path: ["AGORA_APP_CERTIFICATE"],
        message: "AGORA_APP_ID and AGORA_APP_CERTIFICATE must be set together",
      });
    }
  });

export interface Env {
  port: number;
  mode: "production" | "development";
  databaseUrl: string;
  /** Connections in a PostgreSQL pool (LESSONKIT_DATABASE_POOL, 10 by default). */
  databasePool: number;
  adminKey: string;
  secret: string;
  tickIntervalMs: number;
  logLevel: LogLevel;
  /** `pretty` (readable lines) by default in development, JSON lines in production. */
  logFormat: "json" | "pretty";
  /** When set, `GET /metrics` is served on this port only (no key), not on the API port. */
  metricsPort: number | undefined;
  /** Adds a `tenant_id` label to the per-tenant metrics (one series per tenant: opt in). */
  metricsTenantLabels: boolean;
  /** How long a SIGTERM waits for in-flight requests and the workers' current items. */
  shutdownTimeoutMs: number;
  agora: { appId: string; appCertificate: string } | undefined;
  stripeApiUrl: string | undefined;
}

export class EnvError extends Error {
  override name = "EnvError";
}

type Source = Record<string, string | undefined>;

/** Parses configuration from `source` (defaults to process.env); `defaults` fill unset keys. */
export function loadEnv(source: Source = process.env, defaults: Source = {}): Env {
  const merged: Source = { ...defaults };
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined && value !== "") merged[key] = value;
  }
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join(".") || "environment";
    throw new EnvError(`Invalid configuration: ${key} ${issue?.message ?? "is invalid"}`);
  }
  const env = parsed.data;
  const dev = env.LESSONKIT_MODE === "development";
  return {
    port: env.PORT,
    mode: env.LESSONKIT_MODE,
    databaseUrl: env.LESSONKIT_DATABASE_URL,
    databasePool: env.LESSONKIT_DATABASE_POOL,
    adminKey: env.LESSONKIT_ADMIN_KEY ?? (dev ? DEV_ADMIN_KEY : ""),
    secret: env.LESSONKIT_SECRET ?? (dev ? DEV_SECRET : ""),
    tickIntervalMs: env.LESSONKIT_TICK_INTERVAL,
    logLevel: env.LESSONKIT_LOG_LEVEL,
    logFormat: env.LESSONKIT_LOG_FORMAT ?? (dev ? "pretty" : "json"),
    metricsPort: env.LESSONKIT_METRICS_PORT,
    metricsTenantLabels: env.LESSONKIT_METRICS_TENANT_LABELS === "true",
    shutdownTimeoutMs: env.LESSONKIT_SHUTDOWN_TIMEOUT,
    agora:
      env.AGORA_APP_ID && env.AGORA_APP_CERTIFICATE
        ? { appId: env.AGORA_APP_ID, appCertificate: env.AGORA_APP_CERTIFICATE }
        : undefined,
    stripeApiUrl: env.LESSONKIT_STRIPE_API_URL,
  };
}

/**
 * PostgreSQL (`postgres://`, `postgresql://`), or the embedded database (libsql): `:memory:`, a `file:`
 * URL, a plain path (made a `file:` URL), or a remote libsql server (`libsql:`, `http(s):`, `ws(s):`). Any other scheme is refused rather than
 * read as a file name (a `postgres://` URL must never quietly become a local file). A one-letter
 * scheme is a Windows drive (`C:\…`), so a path.
 */
function databaseUrl(url: string): string | null {
  if (/^postgres(ql)?:\/\//.test(url)) return url;
  if (url === ":memory:" || url.startsWith("file:") || /^(libsql|https?|wss?):\/\//.test(url)) return url;
  if (/^[a-z][a-z0-9+.-]+:/i.test(url)) return null;
  return `file:${url}`;
}
