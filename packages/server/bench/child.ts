import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Runs a bench helper (`http-target.ts`, `receiver.ts`) in its own process, so the load generator
 * or the webhook receiver does not share an event loop with the server it measures. The child
 * inherits tsx's loader flags from this process and answers over the IPC channel.
 */
export interface Child<Ready> {
  ready: Ready;
  /** Sends a request and waits for the child's one answer to it. */
  ask<T>(message: { type: string; [key: string]: unknown }): Promise<T>;
  stop(): Promise<void>;
}

export async function startChild<Ready>(module: string, env: Record<string, string> = {}): Promise<Child<Ready>> {
  const profile = process.env.BENCH_PROFILE;
  const child: ChildProcess = fork(fileURLToPath(new URL(module, import.meta.url)), [], {
    env: { ...process.env, ...env },
    // BENCH_PROFILE=<dir>: each child writes a V8 CPU profile there when it exits (open it in
    // Chrome DevTools or speedscope) — where a server's time per request goes.
    ...(profile ? { execArgv: [...process.execArgv, "--cpu-prof", `--cpu-prof-dir=${profile}`] } : {}),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: T) => {
        child.off("exit", onExit);
        resolve(message);
      };
      const onExit = (code: number | null) => {
        child.off("message", onMessage);
        reject(new Error(`${module} exited with code ${code} before answering`));
      };
      child.once("message", onMessage);
      child.once("exit", onExit);
    });
  const ready = await next<Ready>();
  return {
    ready,
    async ask<T>(message: { type: string }) {
      const answer = next<T>();
      child.send(message);
      return answer;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.send({ type: "stop" });
      await exited;
    },
  };
}

/** In a child: handles the parent's requests; `stop` runs `onStop` and exits. */
export function serveParent(
  handlers: Record<string, (message: Record<string, unknown>) => Promise<unknown> | unknown>,
  onStop: () => Promise<void> | void,
) {
  process.on("message", async (message: { type: string }) => {
    if (message.type === "stop") {
      await onStop();
      process.exit(0);
    }
    const handler = handlers[message.type];
    process.send?.(handler ? await handler(message) : { error: `unknown request ${message.type}` });
  });
  process.on("disconnect", () => process.exit(0));
}

/** In a child: the database the parent made for it (bench/engine.ts), passed as BENCH_DATABASE_URL. */
export function databaseUrlFromParent(): string {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error("BENCH_DATABASE_URL is not set: this child is started by the bench with a database");
  return url;
}
