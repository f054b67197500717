import { accessSync, constants, existsSync, statSync } from "node:fs";
import { chromium } from "playwright-core";
import type { MachineProbe } from "./find";

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function playwrightChromium(): string | null {
  try {
    return chromium.executablePath() || null;
  } catch {
    return null; // a platform playwright-core has no build for
  }
}

/** This machine, as `planChromium` needs to see it. */
export function machineProbe(): MachineProbe {
  return {
    env: process.env,
    platform: process.platform,
    isRoot: process.getuid?.() === 0,
    isDebian: existsSync("/etc/debian_version"),
    playwrightChromium: playwrightChromium(),
    isExecutable,
  };
}
