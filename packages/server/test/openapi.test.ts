import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openApiDocument } from "../src/openapi";
import { createTestServer, type TestServer } from "./harness";

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
});
