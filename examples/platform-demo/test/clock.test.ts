import { LessonKit } from "@lessonkit/sdk";
import { describe, expect, it } from "vitest";
import { createDemoApp } from "../server/app";

// What the demo backend refuses before it asks LessonKit anything (the end-to-end test moves the
// real clock to the moments of a lesson, "1 min before the end" among them).
function app() {
  const lessonkit = new LessonKit({ apiKey: "lk_sk_unused", baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
  return createDemoApp({
    lessonkit,
    lessonkitUrl: "http://127.0.0.1:9",
    webhookSecret: () => undefined,
    agoraEnabled: false,
    log: () => {},
  }).app;
}

const move = (body: unknown) =>
  app().request("/api/sandbox/clock", {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", "x-demo-user": "tutor" },
  });

describe("POST /api/sandbox/clock", () => {
  it.each([
    [{ advance_seconds: 0 }, "invalid_step"],
    [{ advance_seconds: -60 }, "invalid_step"],
    [{ advance_seconds: 1.5 }, "invalid_step"],
    [{ advance_seconds: 91 * 24 * 3600 }, "invalid_step"],
    [{ advance_seconds: "soon" }, "invalid_step"],
    [{}, "invalid_step"],
    [{ to: "tomorrow-ish" }, "invalid_time"],
    [{ to: 12 }, "invalid_time"],
  ])("refuses %j with a 400 (%s)", async (body, code) => {
    const res = await move(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe(code);
  });
});
