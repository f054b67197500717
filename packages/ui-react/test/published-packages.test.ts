import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { live, START } from "./fixtures";

// @lessonkit/sdk and @lessonkit/ui-react as an integrator gets them: packed with `npm pack` (what
// `npm publish` would upload), installed from the tarballs into a scratch project outside the
// workspace (with React and the packages' dependencies from the registry), and used from ESM,
// CommonJS and TypeScript. turbo builds both dist/ folders before this suite runs
// (packages/ui-react/turbo.json); run `npm run build -w @lessonkit/sdk -w @lessonkit/ui-react`
// first when running this file alone.

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../../..");
const tsc = join(root, "node_modules/typescript/bin/tsc");

let dir: string;
let project: string;
const packed: Record<string, { filename: string; files: string[] }> = {};

async function node(file: string) {
  const { stdout } = await run(process.execPath, [file], { cwd: project });
  return JSON.parse(stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  for (const pkg of ["sdk", "ui-react"]) {
    if (!existsSync(join(root, "packages", pkg, "dist/index.js"))) {
      throw new Error(`packages/${pkg}/dist is missing: run npm run build -w @lessonkit/${pkg}`);
    }
  }
  dir = mkdtempSync(join(tmpdir(), "lessonkit-install-"));
  const tarballs = join(dir, "tarballs");
  project = join(dir, "project");
  mkdirSync(tarballs);
  mkdirSync(project);
  // The README's command; --ignore-scripts skips the prepack build turbo has just done.
  const { stdout } = await run(
    "npm",
    [
      "pack",
      "-w",
      "@lessonkit/sdk",
      "-w",
      "@lessonkit/ui-react",
      "--pack-destination",
      tarballs,
      "--json",
      "--ignore-scripts",
    ],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 },
  );
  for (const entry of JSON.parse(stdout) as { name: string; filename: string; files: { path: string }[] }[]) {
    packed[entry.name] = { filename: join(tarballs, entry.filename), files: entry.files.map((f) => f.path).sort() };
  }

  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "integrator", private: true }));
  await run(
    "npm",
    [
      "install",
      packed["@lessonkit/sdk"]?.filename ?? "",
      packed["@lessonkit/ui-react"]?.filename ?? "",
      "react@19",
      "react-dom@19",
      "@types/react@19",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
    ],
    { cwd: project, maxBuffer: 16 * 1024 * 1024 },
  );

  // A live lesson with 4½ minutes left, as GET /v1/sessions/{id} would return it.
  const status = live(START + 55 * 60_000 + 30_000);
  writeFileSync(join(project, "status.json"), JSON.stringify(status));
  const clockAnswer = { now: "2030-03-05T14:00:00.000Z", offset_seconds: 3600, movable: true };
  writeFileSync(join(project, "clock.json"), JSON.stringify(clockAnswer));
  for (const [file, imports] of Object.entries(USAGE)) {
    writeFileSync(join(project, file), `${imports}\n${BODY}`);
  }
  for (const [file, text] of Object.entries(TYPESCRIPT)) writeFileSync(join(project, file), text);
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The same program, imported the ESM way and required the CommonJS way.
const USAGE = {
  "esm.mjs": `import { readFileSync } from "node:fs";
import { LessonKit, LessonKitAdmin, LessonKitError, verifyWebhook } from "@lessonkit/sdk";
import { SessionClient } from "@lessonkit/sdk/browser";
import { SessionTimer, formatClock } from "@lessonkit/ui-react";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
const here = (file) => new URL(file, import.meta.url);`,
  "cjs.cjs": `const { readFileSync } = require("node:fs");
const { LessonKit, LessonKitAdmin, LessonKitError, verifyWebhook } = require("@lessonkit/sdk");
const { SessionClient } = require("@lessonkit/sdk/browser");
const { SessionTimer, formatClock } = require("@lessonkit/ui-react");
const { createElement } = require("react");
const { renderToString } = require("react-dom/server");
const here = (file) => require("node:path").join(__dirname, file);`,
};
const BODY = `const status = JSON.parse(readFileSync(here("status.json"), "utf8"));
const requests = [];
const fetch = async (input, init) => {
  const request = new Request(input, init);
  requests.push(request.method + " " + new URL(request.url).pathname + " " + request.headers.get("authorization"));
  return new Response(readFileSync(here("clock.json"), "utf8"), { headers: { "content-type": "application/json" } });
};
const print = (result) => console.log(JSON.stringify(result));
async function main() {
  const lk = new LessonKit({ apiKey: "lk_sk_test", baseUrl: "https://lessonkit.test", fetch });
  const clock = await lk.sandbox.clock();
  const admin = new LessonKitAdmin({ adminKey: "lk_admin_test", baseUrl: "https://lessonkit.test", fetch });
  await admin.tick();
  const client = new SessionClient({ token: "lk_pt_test", bookingId: status.booking_id, baseUrl: "https://lessonkit.test", fetch });
  const html = renderToString(createElement(SessionTimer, { client, status }));
  const refused = await verifyWebhook("{}", {}, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").catch((e) => e);
  return {
    clock,
    requests,
    html,
    clockText: formatClock(4 * 60 + 30),
    webhookError: refused instanceof LessonKitError ? refused.code : String(refused),
  };
}
main().then(print);`;

// Types: one program under moduleResolution bundler (with JSX), and ESM and CommonJS files under node16.
const TYPED = (imports: string) => `${imports}

export async function check(status: SessionStatus): Promise<[string, number, string, unknown]> {
  const lk = new LessonKit({ apiKey: "lk_sk_test", baseUrl: "https://lessonkit.test" });
  const clock: TestClockReading = await lk.sandbox.clock();
  const moved: TestClock = await lk.sandbox.advanceClock({ to: new Date() });
  const released: number = moved.due_work.released;
  // @ts-expect-error minutes are not a way to move the clock
  await lk.sandbox.advanceClock({ minutes: 5 });
  const admin = new LessonKitAdmin({ adminKey: "lk_admin_test", baseUrl: "https://lessonkit.test" });
  const { secret_key } = await admin.tenants.create({ name: "Acme", payment_provider: "sandbox" });
  // @ts-expect-error a tenant's payment provider is sandbox or stripe
  await admin.tenants.create({ name: "Acme", payment_provider: "paypal" });
  const client = new SessionClient({ token: "lk_pt_test", baseUrl: "https://lessonkit.test" });
  const phase: SessionPhase = (await client.status()).phase;
  return [clock.now + phase, released, secret_key, createElement(SessionTimer, { client, status })];
}`;
const SDK_IMPORTS = `import { createElement } from "react";
import { LessonKit, LessonKitAdmin, type SessionPhase, type SessionStatus, type TestClock, type TestClockReading } from "@lessonkit/sdk";
import { SessionClient } from "@lessonkit/sdk/browser";
import { SessionTimer } from "@lessonkit/ui-react";`;
const COMPILER = {
  strict: true,
  noEmit: true,
  target: "es2022",
  lib: ["es2022", "dom"],
  types: [],
  skipLibCheck: true,
};
const TYPESCRIPT = {
  "app.tsx": `${TYPED(SDK_IMPORTS)}

export const Lesson = ({ status, client }: { status: SessionStatus; client: SessionClient }) => (
  <SessionTimer client={client} status={status} warningSeconds={120} />
);
// @ts-expect-error the timer needs a client
export const Broken = () => <SessionTimer status={null} />;
`,
  "esm.mts": TYPED(SDK_IMPORTS),
  "cjs.cts": TYPED(SDK_IMPORTS),
  "tsconfig.bundler.json": JSON.stringify({
    compilerOptions: { ...COMPILER, module: "esnext", moduleResolution: "bundler", jsx: "react-jsx" },
    files: ["app.tsx"],
  }),
  "tsconfig.node16.json": JSON.stringify({
    compilerOptions: { ...COMPILER, module: "node16", moduleResolution: "node16" },
    files: ["esm.mts", "cjs.cts"],
  }),
};

describe("the packed packages, installed outside the workspace", () => {
  it("ship their build, types, README, CHANGELOG and LICENSE, and nothing else", () => {
    for (const name of ["@lessonkit/sdk", "@lessonkit/ui-react"]) {
      const files = packed[name]?.files ?? [];
      expect(files).toEqual(expect.arrayContaining(["CHANGELOG.md", "LICENSE", "README.md", "package.json"]));
      expect(files).toEqual(
        expect.arrayContaining(["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts"]),
      );
      expect(files.filter((f) => !/^(dist\/|CHANGELOG\.md$|LICENSE$|README\.md$|package\.json$)/.test(f))).toEqual([]);
    }
    expect(packed["@lessonkit/ui-react"]?.files).toContain("dist/styles.css");
    expect(packed["@lessonkit/sdk"]?.files).toContain("dist/browser.cjs");
  });

  it.each(["esm.mjs", "cjs.cjs"])(
    "work from %s: the SDK calls the API, ui-react renders with the app's React",
    async (file) => {
      const result = await node(file);
      expect(result).toEqual({
        clock: { now: "2030-03-05T14:00:00.000Z", offset_seconds: 3600, movable: true },
        requests: ["GET /v1/sandbox/clock Bearer lk_sk_test", "POST /v1/admin/tick Bearer lk_admin_test"],
        html: expect.stringMatching(/role="timer"[^>]*>00:04:30</),
        clockText: "00:04:30",
        webhookError: "missing_headers",
      });
    },
  );

  it.each(["bundler", "node16"])("type-check under moduleResolution %s", async (resolution) => {
    const checked = await run(process.execPath, [tsc, "-p", `tsconfig.${resolution}.json`], { cwd: project }).then(
      () => "",
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(checked).toBe("");
  });
});
