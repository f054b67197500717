import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The README's "Try a whole lesson" block, exactly as a newcomer pastes it, run with bash against
// a fresh `lessonkit start --dev` (what `npm start` runs) in a scratch directory: twice, to show it
// repeats on the same server, and once with a wrong key, to show it stops at the first failure.

const root = resolve(import.meta.dirname, "../../..");
const tsx = createRequire(import.meta.url).resolve("tsx/cli");

function walkthrough(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Try a whole lesson"));
  const block = /```sh\n(bash <<'WALKTHROUGH'\n[\s\S]*?\nWALKTHROUGH)\n```/.exec(section)?.[1];
  if (!block) throw new Error("README.md has no `bash <<'WALKTHROUGH'` block under 'Try a whole lesson'");
  return block;
}

function run(command: string, args: string[], cwd: string, env: Record<string, string>) {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

let dir: string;
let server: ChildProcess | undefined;
let api: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lessonkit-walkthrough-"));
  const started = run(process.execPath, [tsx, join(root, "packages/server/src/cli.ts"), "start", "--dev"], dir, {
    PORT: "0",
  });
  server = started.child;
  const until = Date.now() + 60_000;
  while (!/demo secret key:/.test(started.output().stdout)) {
    if (Date.now() > until || started.child.exitCode !== null) {
      throw new Error(`the server did not start:\n${started.output().stdout}${started.output().stderr}`);
    }
    await new Promise((wait) => setTimeout(wait, 100));
  }
  api = /listening on (http:\/\/localhost:\d+)/.exec(started.output().stdout)?.[1] ?? "";
}, 90_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((done) => server?.once("exit", done));
    server.kill("SIGTERM");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const walk = async (env: Record<string, string> = {}) => {
  const script = run("bash", ["-c", walkthrough()], dir, { API: api, ...env });
  const code = await script.exited;
  return { code, ...script.output() };
};

describe("the README walkthrough", () => {
  it("runs start to finish, and again on the same server", async () => {
    const first = await walk();
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^booked bk_\w+ for \S+Z: confirmed, escrow held$/),
      expect.stringMatching(/^tutor started the session: in_progress, video channel \S+$/),
      expect.stringMatching(/^student joined at \S+Z$/),
      expect.stringMatching(/^ended: escrow release_scheduled, release at \S+Z$/),
      "escrow released: 4000 to the tutor, 1000 platform fee",
      `tutor t1's balance: {"tutor_id":"t1","balances":[{"currency":"usd","pending":0,"disputed":0,"released":4000}]}`,
    ]);

    // The test clock is now a day ahead and the first external_id is taken: a second run books a
    // new lesson from the tenant's clock, and the tutor has been paid twice.
    const second = await walk();
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    const booked = (run: string) => /^booked (bk_\w+) for (\S+):/.exec(run)?.slice(1);
    const [firstId, firstStart] = booked(first.stdout) ?? [];
    const [secondId, secondStart] = booked(second.stdout) ?? [];
    expect(secondId).not.toBe(firstId);
    expect(Date.parse(secondStart ?? "") - Date.parse(firstStart ?? "")).toBeGreaterThan(24 * 3600_000);
    expect(second.stdout).toContain('"released":8000');
  }, 120_000);

  it("stops at the first failing step with the API's error", async () => {
    const refused = await walk({ KEY: "lk_sk_not_a_real_key" });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(
      /✗ GET \/v1\/sandbox\/clock: \{"error":\{"type":"authentication_error","code":"invalid_api_key"/,
    );
  }, 60_000);
});
