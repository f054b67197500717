import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { App } from "../context";
import { json } from "../schemas";
import { registerDocs } from "./docs";

const health = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["System"],
  summary: "Liveness and database reachability",
  responses: {
    200: json(z.object({ ok: z.literal(true), time: z.string() }).openapi("Health"), "Healthy"),
    503: json(z.object({ ok: z.literal(false), error: z.string() }), "The database is unreachable"),
  },
});

export const OPENAPI_INFO = {
  openapi: "3.1.0",
  info: {
    title: "LessonKit API",
    version: "1.0.0",
    description: "Sessions and escrow for tutoring platforms. Amounts are integer minor units; times are ISO 8601 UTC.",
  },
} as const;

export function register(app: App) {
  app.openapi(health, async (c) => {
    try {
      await c.get("deps").db.run(sql`select 1`);
      return c.json({ ok: true as const, time: new Date(c.get("deps").clock.now()).toISOString() }, 200);
    } catch {
      return c.json({ ok: false as const, error: "database unreachable" }, 503);
    }
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
