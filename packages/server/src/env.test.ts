import { describe, expect, it } from "vitest";
import { EnvError, loadEnv } from "./env";

const production = {
  LESSONKIT_ADMIN_KEY: "admin-key-0123456789",
  LESSONKIT_SECRET: "a-secret-that-is-at-least-32-characters-long",
};

describe("configuration", () => {
  it("uses the documented defaults", () => {
    const env = loadEnv(production);
    expect(env).toMatchObject({
      port: 8787,
      mode: "production",
      databaseUrl: "file:./.lessonkit/lessonkit.db",
      tickIntervalMs: 3_600_000,
      agora: undefined,
      logLevel: "info",
      logFormat: "json",
      metricsPort: undefined,
      metricsTenantLabels: false,
      shutdownTimeoutMs: 25_000,
    });
    expect(loadEnv({}, { LESSONKIT_MODE: "development" }).logFormat).toBe("pretty");
  });

  it("reads the logging, metrics and shutdown settings", () => {
    const env = loadEnv({
      ...production,
      LESSONKIT_LOG_LEVEL: "debug",
      LESSONKIT_LOG_FORMAT: "pretty",
      LESSONKIT_METRICS_PORT: "9464",
      LESSONKIT_METRICS_TENANT_LABELS: "true",
      LESSONKIT_SHUTDOWN_TIMEOUT: "1m",
    });
    expect(env).toMatchObject({
      logLevel: "debug",
      logFormat: "pretty",
      metricsPort: 9464,
      metricsTenantLabels: true,
      shutdownTimeoutMs: 60_000,
    });
  });

  it("accepts durations, database URLs and Agora settings", () => {
    const env = loadEnv({
      ...production,
      LESSONKIT_TICK_INTERVAL: "1m",
      LESSONKIT_DATABASE_URL: "/var/lib/lessonkit.db",
      AGORA_APP_ID: "0123456789abcdef0123456789abcdef",
      AGORA_APP_CERTIFICATE: "fedcba9876543210fedcba9876543210",
    });
    expect(env.tickIntervalMs).toBe(60_000);
    expect(env.databaseUrl).toBe("file:/var/lib/lessonkit.db");
    expect(env.agora?.appId).toBe("0123456789abcdef0123456789abcdef");
    expect(loadEnv({ ...production, LESSONKIT_DATABASE_URL: ":memory:" }).databaseUrl).toBe(":memory:");
    expect(loadEnv({ ...production, LESSONKIT_DATABASE_URL: "libsql://db.example.com" }).databaseUrl).toBe(
      "libsql://db.example.com",
    );
    expect(loadEnv({ ...production, LESSONKIT_DATABASE_URL: "C:\\lessonkit\\db.sqlite" }).databaseUrl).toBe(
      "file:C:\\lessonkit\\db.sqlite",
    );
  });

  it("takes a PostgreSQL URL (either scheme) as it is, with the pool size", () => {
    for (const url of ["postgres://lk@db.internal/lessonkit", "postgresql://lk:pw@db.internal:5433/lessonkit"]) {
      expect(loadEnv({ ...production, LESSONKIT_DATABASE_URL: url })).toMatchObject({
        databaseUrl: url,
        databasePool: 10,
      });
    }
    expect(loadEnv({ ...production, LESSONKIT_DATABASE_POOL: "25" }).databasePool).toBe(25);
    expect(() => loadEnv({ ...production, LESSONKIT_DATABASE_POOL: "0" })).toThrow(
      /^Invalid configuration: LESSONKIT_DATABASE_POOL /,
    );
  });

  it.each(["mysql://db/lessonkit", "redis://cache:6379", "sqlserver://db"])(
    "refuses a database URL it cannot use (%s) with one line naming the variable, never as a file name",
    (url) => {
      expect(() => loadEnv({ ...production, LESSONKIT_DATABASE_URL: url })).toThrow(
        new RegExp(`^Invalid configuration: LESSONKIT_DATABASE_URL has the scheme "${url.split(":")[0]}:"`),
      );
    },
  );

  it.each([
    [{}, "LESSONKIT_ADMIN_KEY is required in production mode"],
    [{ LESSONKIT_ADMIN_KEY: production.LESSONKIT_ADMIN_KEY }, "LESSONKIT_SECRET is required in production mode"],
    [{ ...production, LESSONKIT_TICK_INTERVAL: "soon" }, 'LESSONKIT_TICK_INTERVAL "soon" is not a duration'],
    [{ ...production, PORT: "http" }, "PORT"],
    [{ ...production, LESSONKIT_MODE: "staging" }, "LESSONKIT_MODE"],
    [
      { ...production, AGORA_APP_ID: "0123456789abcdef0123456789abcdef" },
      "AGORA_APP_ID and AGORA_APP_CERTIFICATE must be set together",
    ],
    [
      { ...production, AGORA_APP_ID: "not-hex", AGORA_APP_CERTIFICATE: "x" },
      "AGORA_APP_ID must be a 32-character hex Agora App ID",
    ],
    [{ ...production, LESSONKIT_SECRET: "short" }, "LESSONKIT_SECRET must be at least 32 characters"],
    [{ ...production, LESSONKIT_LOG_LEVEL: "loud" }, "LESSONKIT_LOG_LEVEL must be one of fatal, error, warn"],
    [{ ...production, LESSONKIT_LOG_FORMAT: "xml" }, "LESSONKIT_LOG_FORMAT must be json or pretty"],
    [{ ...production, LESSONKIT_METRICS_PORT: "prometheus" }, "LESSONKIT_METRICS_PORT"],
    [
      { ...production, LESSONKIT_METRICS_TENANT_LABELS: "yes" },
      "LESSONKIT_METRICS_TENANT_LABELS must be true or false",
    ],
    [{ ...production, LESSONKIT_SHUTDOWN_TIMEOUT: "soon" }, 'LESSONKIT_SHUTDOWN_TIMEOUT "soon" is not a duration'],
  ])("fails fast with one clear line: %j", (source, message) => {
    let error: unknown;
    try {
      loadEnv(source as Record<string, string>);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EnvError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain("\n");
  });

  it("development mode fills the admin key and secret so `npm start` needs no setup", () => {
    const env = loadEnv({}, { LESSONKIT_MODE: "development" });
    expect(env.mode).toBe("development");
    expect(env.adminKey.length).toBeGreaterThan(0);
    expect(env.secret.length).toBeGreaterThanOrEqual(32);
  });
});
