import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openApiDocument } from "../src/openapi";
import { ADMIN_KEY, createTestServer, type Json, paidBooking, type TestServer } from "./harness";

describe("the committed OpenAPI contract", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await createTestServer();
  });
  afterEach(() => server.close());

  it("matches what the route schemas generate (run `npm run openapi -w @lessonkit/server` after changing a route)", () => {
    const committed = JSON.parse(readFileSync(resolve(import.meta.dirname, "../openapi.json"), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it("is served at /openapi.json and documents every route the API answers", async () => {
    const res = await server.call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    const paths = Object.keys(res.body.paths);
    for (const path of [
      "/v1/bookings",
      "/v1/bookings/{id}",
      "/v1/bookings/{id}/cancel",
      "/v1/bookings/{id}/participant-tokens",
      "/v1/escrows",
      "/v1/escrows/{id}/resolve",
      "/v1/sessions/{bookingId}/start",
      "/v1/sessions/{bookingId}/rating",
      "/v1/tutors/{tutorId}/balance",
      "/v1/events",
      "/v1/sandbox/clock",
      "/v1/admin/tenants",
      "/v1/admin/tick",
      "/healthz",
    ]) {
      expect(paths).toContain(path);
    }
    expect(res.body.components.schemas.Booking.properties.escrow).toBeDefined();
    const docs = await server.app.request("/docs");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("/openapi.json");
  });

  describe("error statuses", () => {
    type Operation = { method: string; path: string; responses: Record<string, unknown>; requestBody?: unknown };
    const operations: Operation[] = Object.entries(openApiDocument().paths as Record<string, Json>).flatMap(
      ([path, methods]) =>
        Object.entries(methods as Record<string, Json>).map(([method, operation]) => ({
          method: method.toUpperCase(),
          path,
          responses: operation.responses as Record<string, unknown>,
          requestBody: operation.requestBody,
        })),
    );
    const v1 = operations.filter((operation) => operation.path.startsWith("/v1/"));
    const writes = v1.filter((operation) => operation.method !== "GET");
    const name = (operation: Operation) => `${operation.method} ${operation.path}`;

    /** Credentials the route takes, and its path with a real booking where a participant token needs one. */
    async function caller(operation: Operation) {
      const { key } = await server.createTenant();
      if (operation.path.startsWith("/v1/admin/")) return { authorization: ADMIN_KEY, path: operation.path };
      if (operation.path.startsWith("/v1/sessions/")) {
        const lesson = await paidBooking(server, key);
        return { authorization: lesson.tutor, path: operation.path.replace("{bookingId}", lesson.id) };
      }
      return { authorization: key, path: operation.path.replace(/\{[^}]+\}/g, "x_1") };
    }

    it("documents 400, 401, 403, 404, 409 and 422 on every route", () => {
      for (const operation of v1) {
        for (const status of ["400", "401", "403", "404", "409", "422"]) {
          expect(operation.responses, name(operation)).toHaveProperty(status);
        }
      }
    });

    it.each(writes.map((operation) => [name(operation), operation] as const))(
      "%s documents the 413 it answers to a body over 256 KB",
      async (_, operation) => {
        expect(operation.responses).toHaveProperty("413");
        const path = operation.path.replace(/\{[^}]+\}/g, "x_1");
        const res = await server.app.request(path, {
          method: operation.method,
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ filler: "x".repeat(300 * 1024) }),
        });
        expect(res.status).toBe(413);
        expect(((await res.json()) as Json).error.code).toBe("body_too_large");
      },
    );

    it("documents 502 where a route calls the payment provider while it answers", () => {
      const withProvider = v1.filter((operation) => "502" in operation.responses).map(name);
      expect(withProvider).toEqual(["POST /v1/bookings", "POST /v1/bookings/{id}/cancel"]);
    });

    it("documents no 413 or 415 on reads, which take no body", () => {
      for (const operation of operations.filter((candidate) => candidate.method === "GET")) {
        expect(operation.responses, name(operation)).not.toHaveProperty("413");
        expect(operation.responses, name(operation)).not.toHaveProperty("415");
      }
    });

    it.each(writes.map((operation) => [name(operation), operation] as const))(
      "%s documents 415 exactly when it answers one to a body of another media type",
      async (_, operation) => {
        const { authorization, path } = await caller(operation);
        const res = await server.app.request(path, {
          method: operation.method,
          headers: { Authorization: `Bearer ${authorization}`, "Content-Type": "text/plain" },
          body: "{}",
        });
        if (operation.requestBody) {
          expect(operation.responses).toHaveProperty("415");
          expect(res.status).toBe(415);
          expect(((await res.json()) as Json).error.code).toBe("unsupported_media_type");
        } else {
          expect(operation.responses).not.toHaveProperty("415");
          expect(res.status).not.toBe(415);
        }
      },
    );
  });
});
