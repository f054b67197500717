import { spawn } from "node:child_process";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { createAdaptorServer } from "@hono/node-server";

const packageDir = resolve(import.meta.dirname, "..");

/** A JSON log line of the server (`LESSONKIT_LOG_FORMAT=json`). */
// biome-ignore lint/suspicious/noExplicitAny: log lines are read loosely by design
export type LogLine = Record<string, any>;

/** Runs `lessonkit <args>` from the sources in a child process, as an operator would, with only `env`. */
export function runCli(args: string[], env: Record<string, string>) {
  return runScript("src/cli.ts", args, env);
}

/** Runs a TypeScript file of this package (path from the package root) in a child process, with only `env`. */
export function runScript(script: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: packageDir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  // "close", not "exit": it comes once the child's output has been read to the end.
  const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
  /** The JSON lines printed so far. */
  const lines = (): LogLine[] =>
    stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as LogLine);
  return { child, exited, output: () => ({ stdout, stderr }), lines };
}

export async function waitFor(check: () => boolean, ms = 15_000, what = "the CLI") {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Listens on a free loopback port (a receiver or a fake provider beside the processes); `cleanups` closes it. */
export async function listenOn(cleanups: (() => unknown)[], server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  cleanups.push(
    () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * A fake Stripe (`handle`, from stripe-mock.ts) served over real HTTP for server processes, each
 * transfer taking `transferMs`: slow enough that a kill or a shutdown lands mid-batch.
 * `transfersArrived()` counts the transfer requests that reached it.
 */
export async function slowStripe(
  cleanups: (() => unknown)[],
  handle: (request: Request) => Response | Promise<Response>,
  transferMs: number,
): Promise<{ url: string; transfersArrived: () => number }> {
  let arrived = 0;
  const url = await listenOn(
    cleanups,
    createAdaptorServer({
      fetch: async (request: Request) => {
        if (request.method === "POST" && new URL(request.url).pathname === "/v1/transfers") {
          arrived++;
          await new Promise((resolve) => setTimeout(resolve, transferMs));
        }
        return handle(request);
      },
    }) as Server,
  );
  return { url, transfersArrived: () => arrived };
}
