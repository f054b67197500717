import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { execute } from "../../db/queries";
import type { Deps } from "../../domain/context";
import type { App } from "../context";
import { json } from "../schemas";
import { registerDocs } from "./docs";

const health = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["System"],
  summary: "Liveness: the process is up and answering (it touches nothing else)",
  responses: {
    200: json(z.object({ ok: z.literal(true), time: z.string() }).openapi("Health"), "Alive"),
  },
});

const ReadinessSchema = z
  .object({
    ok: z.boolean(),
    database: z.enum(["ok", "unreachable"]),
    migrations: z.enum(["current", "behind", "unknown"]),
    shutting_down: z.boolean(),
  })
  .openapi("Readiness");

const ready = createRoute({
  method: "get",
  path: "/readyz",
  tags: ["System"],
  summary: "Readiness: the database answers, its migrations are current and the process is not shutting down",
  responses: {
    200: json(ReadinessSchema, "Ready for traffic"),
    503: json(ReadinessSchema, "Not ready: take it out of the load balancer (the body says why)"),
  },
});

/** What /readyz asks besides the database. */
export interface Readiness {
  /** True once the process is shutting down: load balancers stop sending it traffic. */
  shuttingDown(): boolean;
  /** Whether every migration this build ships is applied (throws if the database does not answer). */
  migrationsCurrent(): Promise<boolean>;
}

/** /readyz's answer: the database is asked (one trivial query, then the migrations table). */
export async function checkReadiness(deps: Deps, readiness: Readiness) {
  let database: "ok" | "unreachable" = "ok";
  let migrations: "current" | "behind" | "unknown" = "unknown";
  try {
    await execute(deps.db, sql`select 1`);
    migrations = (await readiness.migrationsCurrent()) ? "current" : "behind";
  } catch {
    database = "unreachable";
  }
  const shutting_down = readiness.shuttingDown();
  const ok = database === "ok" && migrations === "current" && !shutting_down;
  return { ok, database, migrations, shutting_down };
}

export const OPENAPI_INFO = {
  openapi: "3.1.0",
  info: {
    title: "LessonKit API",
    version: "1.0.0",
    description: "Sessions and escrow for tutoring platforms. Amounts are integer minor units; times are ISO 8601 UTC.",
  },
} as const;

export function register(app: App, readiness: Readiness) {
  app.openapi(health, (c) =>
    c.json({ ok: true as const, time: new Date(c.get("deps").clock.now()).toISOString() }, 200),
  );
  app.openapi(ready, async (c) => {
    const state = await checkReadiness(c.get("deps"), readiness);
    return c.json(state, state.ok ? 200 : 503);
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "SecretKey", {
    type: "http",
    scheme: "bearer",
    description: "Your tenant secret key, lk_sk_…",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "ParticipantToken", {
    type: "http",
    scheme: "bearer",
    description: "A participant token, lk_pt_…, minted by the platform for one booking and role",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "AdminKey", {
    type: "http",
    scheme: "bearer",
    description: "The operator's LESSONKIT_ADMIN_KEY",
  });
  app.doc31("/openapi.json", OPENAPI_INFO);
  registerDocs(app);
}
