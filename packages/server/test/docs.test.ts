import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { chromiumPath, launchChromium } from "@lessonkit/test-browser";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "./harness";

// /docs in a real browser with the internet taken away: every request to anything but loopback is
// aborted and recorded, so the API reference must come entirely from this server.

let lessonkit: TestServer;
let http: ReturnType<typeof serve> | undefined;
let origin: string;
let browser: Browser | undefined;

beforeAll(async () => {
  lessonkit = await createTestServer();
  http = serve({ fetch: lessonkit.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((listening) => http?.once("listening", listening));
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  if (chromiumPath()) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (http) await new Promise((closed) => http?.close(closed));
  lessonkit?.close();
});

const isLoopback = (url: string) => {
  const { protocol, hostname } = new URL(url);
  if (protocol === "data:" || protocol === "blob:") return true;
  return hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";
};

describe.skipIf(!chromiumPath())("/docs with no internet", () => {
  it("renders every operation from assets this server serves", async () => {
    const context = await browser!.newContext();
    const offline: string[] = [];
    const problems: string[] = [];
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (isLoopback(url)) return route.continue();
      offline.push(url);
      return route.abort("internetdisconnected");
    });
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(error.message));
    const served: string[] = [];
    page.on("response", (response) => served.push(`${response.status()} ${new URL(response.url()).pathname}`));
    await page.goto(`${origin}/docs`);

    const spec = (await (await fetch(`${origin}/openapi.json`)).json()) as { paths: Record<string, object> };
    const operations = Object.values(spec.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    const opblocks = page.locator(".opblock");
    await expect.poll(() => opblocks.count(), { timeout: 20_000 }).toBe(operations);
    await expect.poll(() => page.locator(".info .title").textContent()).toContain("LessonKit API");
    const clock = page.locator(".opblock-get", { hasText: "/v1/sandbox/clock" });
    expect(await clock.locator(".opblock-summary-description").textContent()).toMatch(/^Read your clock/);

    expect(offline).toEqual([]);
    expect(problems).toEqual([]);
    expect(served).toEqual(
      expect.arrayContaining([
        "200 /docs",
        "200 /docs/assets/swagger-ui.css",
        "200 /docs/assets/swagger-ui-bundle.js",
        "200 /openapi.json",
      ]),
    );
    await context.close();
  });
});

describe("/docs assets", () => {
  it("serves only the files the page needs, with their types", async () => {
    const css = await lessonkit.app.request("/docs/assets/swagger-ui.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await css.text()).toContain(".swagger-ui");
    for (const path of ["/docs/assets/package.json", "/docs/assets/..%2Fpackage.json", "/docs/assets/index.html"]) {
      const res = await lessonkit.app.request(path);
      expect(res.status, path).toBe(404);
      expect((await res.json()).error.code).toBe("route_not_found");
    }
  });
});
