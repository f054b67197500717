import { spawn } from "node:child_process";
import { type MachineProbe, planChromium } from "./find";
import { machineProbe } from "./machine";

export type RunCommand = (command: readonly string[]) => Promise<void>;

export interface EnsureChromiumOptions {
  probe?: () => MachineProbe;
  run?: RunCommand;
  log?: (line: string) => void;
}

/** Runs a command with its output passed through; rejects on a non-zero exit. */
export const runCommand: RunCommand = (command) =>
  new Promise((resolve, reject) => {
    const [file = "", ...args] = command;
    const child = spawn(file, args, {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`\`${command.join(" ")}\` failed (${signal ?? `exit ${code}`})`)),
    );
  });

/**
 * The Chromium for this run's browser tests: found, or installed first (Debian, as root); null when
 * the browser tests are to be skipped (no browser and not CI), after saying why and how to get one.
 * Throws when a browser is required (CI=true) or CHROME_PATH points nowhere.
 */
export async function ensureChromium(options: EnsureChromiumOptions = {}): Promise<string | null> {
  const probe = options.probe ?? machineProbe;
  const run = options.run ?? runCommand;
  const log = options.log ?? ((line: string) => console.log(line));

  const plan = planChromium(probe());
  if (plan.action === "use") return plan.path;
  if (plan.action === "fail") throw new Error(plan.message);
  if (plan.action === "skip") {
    log(plan.notice);
    return null;
  }
  log(plan.notice);
  let installError: unknown;
  try {
    for (const command of plan.commands) await run(command);
  } catch (error) {
    installError = error;
  }
  const after = planChromium(probe(), { afterInstall: true });
  if (after.action === "use") {
    log(`Installed Chromium: ${after.path}`);
    return after.path;
  }
  const why = installError instanceof Error ? ` (${installError.message})` : "";
  if (after.action === "fail") throw new Error(`Installing Chromium did not work${why}. ${after.message}`);
  if (after.action === "skip") log(`Installing Chromium did not work${why}. ${after.notice}`);
  return null;
}
