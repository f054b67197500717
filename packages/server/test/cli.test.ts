import type { ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, waitFor } from "./cli-process";
import { tempDatabaseUrl } from "./harness";

describe("the lessonkit CLI", () => {
  const children: ChildProcess[] = [];
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it("`start --dev` migrates, seeds a demo sandbox tenant, prints its key and the docs URL, and serves", async () => {
    const db = tempDatabaseUrl();
    cleanups.push(db.cleanup);
    const run = runCli(["start", "--dev"], { PORT: "0", LESSONKIT_DATABASE_URL: db.url });
    children.push(run.child);
    await waitFor(() => /demo secret key:\s+lk_sk_/.test(run.output().stdout));
    const { stdout } = run.output();
    const url = /listening on (http:\/\/localhost:\d+)/.exec(stdout)?.[1];
    const key = /demo secret key:\s+(lk_sk_\S+)/.exec(stdout)?.[1];
    expect(stdout).toContain(`${url}/docs`);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const tenant = await fetch(`${url}/v1/tenant`, { headers: { Authorization: `Bearer ${key}` } });
    expect(tenant.status).toBe(200);
    expect(await tenant.json()).toMatchObject({ payment_provider: "sandbox", agora: { app_certificate_set: true } });
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);

    // A second start finds the same demo tenant instead of creating another.
    const again = runCli(["start", "--dev"], { PORT: "0", LESSONKIT_DATABASE_URL: db.url });
    children.push(again.child);
    await waitFor(() => /demo secret key:/.test(again.output().stdout));
    expect(again.output().stdout).toContain(key);
    expect(again.output().stdout).not.toContain("(created)");
  });

  it("`tick` runs the due work once and prints what it did", async () => {
    const db = tempDatabaseUrl();
    cleanups.push(db.cleanup);
    const run = runCli(["tick"], {
      LESSONKIT_DATABASE_URL: db.url,
      LESSONKIT_ADMIN_KEY: "admin-key-0123456789",
      LESSONKIT_SECRET: "a-secret-that-is-at-least-32-characters-long",
    });
    expect(await run.exited).toBe(0);
    expect(JSON.parse(run.output().stdout)).toMatchObject({ released: 0, expired: 0 });
  });

  it("refuses an unknown option of start with one line and exit code 1", async () => {
    const run = runCli(["start", "--workers"], { LESSONKIT_DATABASE_URL: ":memory:" });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr.trim()).toBe("Unknown option for start: --workers (see lessonkit help)");
  });

  it("refuses to start on bad configuration with one line and exit code 1", async () => {
    const run = runCli(["start"], { LESSONKIT_DATABASE_URL: ":memory:" });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr.trim()).toBe(
      "Invalid configuration: LESSONKIT_ADMIN_KEY is required in production mode",
    );
  });
});
