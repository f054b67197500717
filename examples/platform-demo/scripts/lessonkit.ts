import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface LessonKitProcess {
  url: string;
  /** The seeded sandbox demo tenant's secret key, as `lessonkit start --dev` prints it. */
  secretKey: string;
  /** Everything the server printed so far (for diagnostics). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartLessonKitOptions {
  /** 0 picks a free port. */
  port: number;
  databaseUrl: string;
  env?: Record<string, string | undefined>;
  /** Called with each line the server prints. */
  onLine?: (line: string) => void;
  timeoutMs?: number;
}

const CLI = fileURLToPath(new URL("../../../packages/server/src/cli.ts", import.meta.url));

/**
 * Starts `lessonkit start --dev` (development mode: seeds a sandbox demo tenant, accepts http
 * loopback webhook URLs) from the server's source in a child process, and resolves once it
 * listens and has printed the demo tenant's key.
 */
export function startLessonKit(options: StartLessonKitOptions): Promise<LessonKitProcess> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const child = spawn(process.execPath, ["--import", tsx, CLI, "start", "--dev"], {
    env: {
      ...process.env,
      ...options.env,
      LESSONKIT_MODE: "development",
      PORT: String(options.port),
      LESSONKIT_DATABASE_URL: options.databaseUrl,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let url: string | undefined;
  let secretKey: string | undefined;

  return new Promise<LessonKitProcess>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => fail(new Error("LessonKit did not start in time")), options.timeoutMs ?? 60_000);
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${error.message}\n--- lessonkit output ---\n${output}`));
    };
    const consume = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split("\n")) if (line.trim()) options.onLine?.(line);
      // Matched on the whole output: a chunk may end in the middle of a line.
      url ??= /listening on (http:\/\/\S+)\r?\n/.exec(output)?.[1];
      secretKey ??= /demo secret key:\s+(lk_sk_\S+)\r?\n/.exec(output)?.[1];
      if (settled || !url || !secretKey) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        // "localhost" may resolve to ::1 first; the server listens on every interface.
        url: url.replace("//localhost:", "//127.0.0.1:"),
        secretKey,
        output: () => output,
        stop: () => stopChild(child),
      });
    };
    child.stdout?.on("data", consume);
    child.stderr?.on("data", consume);
    child.once("exit", (code) => fail(new Error(`LessonKit exited with code ${code} before it was ready`)));
    child.once("error", (error) => fail(error));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
