import { describe, expect, it } from "vitest";
import { entries, measure } from "../scripts/size.mjs";
import * as browser from "../src/browser";
import * as full from "../src/index";

describe("entries", () => {
  it.each(Object.values(entries))("%s bundles for the browser with nothing but the SDK and ky", async (entry) => {
    // platform: "browser" fails the build on any Node built-in (node:crypto, node:buffer, …).
    const { inputs } = await measure(entry);
    const outside = inputs.filter((input) => !input.startsWith("src/") && !input.includes("node_modules/ky/"));
    expect(outside).toEqual([]);
    expect(inputs.some((input) => input.includes("node_modules/ky/"))).toBe(true);
  });

  it("the browser entry leaves the backend client and its key out", async () => {
    const { inputs } = await measure(entries["@lessonkit/sdk/browser (SessionClient + ky)"]!);
    expect(inputs).not.toContain("src/client.ts");
    expect(inputs).not.toContain("src/webhooks.ts");
    expect(Object.keys(browser).sort()).toEqual(["LessonKitError", "SessionClient", "isLessonKitError"]);
  });

  it("the full entry exports the runtime API", () => {
    expect(Object.keys(full).sort()).toEqual([
      "LessonKit",
      "LessonKitAdmin",
      "LessonKitError",
      "PageIterator",
      "SessionClient",
      "WebhookVerificationError",
      "isLessonKitError",
      "verifyWebhook",
    ]);
  });
});
