import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { openStorage } from "../src/adapters/storage";
import { selectRows } from "../src/db/queries";
import { runCli, waitFor } from "./cli-process";
import { TEST_ENGINE, tableNames, tempDatabaseUrl } from "./harness";

const packageDir = resolve(import.meta.dirname, "..");

describe("the lessonkit CLI", () => {
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it("`start --dev` migrates, seeds a demo sandbox tenant, prints its key and the docs URL, and serves", async () => {
    const db = await tempDatabaseUrl();
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
    const db = await tempDatabaseUrl();
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

  it("three processes migrating a new database at once all succeed, every time, and apply each migration once", async () => {
    const journal = (
      TEST_ENGINE === "postgres"
        ? await import("../drizzle-pg/meta/_journal.json", { with: { type: "json" } })
        : await import("../drizzle/meta/_journal.json", { with: { type: "json" } })
    ).default;
    // `lessonkit migrate` once (the command), then the same opening in a lighter process, many times.
    const once = await tempDatabaseUrl();
    cleanups.push(once.cleanup);
    const cli = runCli(["migrate"], { LESSONKIT_DATABASE_URL: once.url, LESSONKIT_MODE: "development" });
    children.push(cli.child);
    expect(await cli.exited).toBe(0);
    expect(cli.output().stdout).toContain(`migrated ${once.url}`);
    for (let round = 0; round < 5; round++) {
      const db = await tempDatabaseUrl();
      cleanups.push(db.cleanup);
      const runs = [0, 1, 2].map(() => {
        const child = spawn(process.execPath, ["--import", "tsx", "test/migrate-child.ts", db.url], {
          cwd: packageDir,
          stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr?.on("data", (chunk) => {
          stderr += chunk;
        });
        return {
          child,
          exited: new Promise<number | null>((done) => child.on("exit", (code) => done(code))),
          output: () => ({ stderr }),
        };
      });
      children.push(...runs.map((run) => run.child));
      const codes = await Promise.all(runs.map((run) => run.exited));
      expect(codes, JSON.stringify(runs.map((run) => run.output().stderr))).toEqual([0, 0, 0]);
      const opened = await openStorage(db.url);
      const applied = await selectRows(opened.db, sql`select hash from "__drizzle_migrations"`);
      expect(applied).toHaveLength(journal.entries.length);
      expect(await tableNames(opened.db)).toContain("money_operations");
      await opened.close();
    }
  }, 60_000);
});
