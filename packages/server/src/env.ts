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
            message: `has the scheme "${scheme}:", which LessonKit cannot use: give a file path, file:, :memory:, libsql:, http(s): or ws(s):`,
          });
          return z.NEVER;
        }
        return url;
      }),
    LESSONKIT_ADMIN_KEY: z.string().min(16, "must be at least 16 characters").optional(),
    LESSONKIT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    LESSONKIT_TICK_INTERVAL: z
      .string()
      .default("1h")
      .transform((value, ctx) => {
        const ms = parseDuration(value);
        if (ms === undefined || ms < 1000) {
          ctx.addIssue({ code: "custom", message: `"${value}" is not a duration such as 30s, 1m or 1h` });
          return z.NEVER;
        }
        return ms;
      }),
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
  adminKey: string;
  secret: string;
  tickIntervalMs: number;
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
    adminKey: env.LESSONKIT_ADMIN_KEY ?? (dev ? DEV_ADMIN_KEY : ""),
    secret: env.LESSONKIT_SECRET ?? (dev ? DEV_SECRET : ""),
    tickIntervalMs: env.LESSONKIT_TICK_INTERVAL,
    agora:
      env.AGORA_APP_ID && env.AGORA_APP_CERTIFICATE
        ? { appId: env.AGORA_APP_ID, appCertificate: env.AGORA_APP_CERTIFICATE }
        : undefined,
    stripeApiUrl: env.LESSONKIT_STRIPE_API_URL,
  };
}

/**
 * The embedded database (libsql): `:memory:`, a `file:` URL, a plain path (made a `file:` URL), or a
 * remote libsql server (`libsql:`, `http(s):`, `ws(s):`). Any other scheme is refused rather than
 * read as a file name (a `postgres://` URL must never quietly become a local file). A one-letter
 * scheme is a Windows drive (`C:\…`), so a path.
 */
function databaseUrl(url: string): string | null {
  if (url === ":memory:" || url.startsWith("file:") || /^(libsql|https?|wss?):\/\//.test(url)) return url;
  if (/^[a-z][a-z0-9+.-]+:/i.test(url)) return null;
  return `file:${url}`;
}
