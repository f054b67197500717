// The one place the repository's browser tests get Chromium from. Each suite's vitest config lists
// `@lessonkit/test-browser/global-setup`, which finds a browser (or installs Debian's chromium as
// root, or explains how to get one) once per run; its tests then call `chromiumPath()` or
// `launchChromium()` and skip only themselves when there is none.
import { type Browser, chromium, type LaunchOptions } from "playwright-core";
import { inject } from "vitest";

export { ensureChromium } from "./ensure";
export {
  type ChromiumPlan,
  findChromium,
  installHint,
  isCI,
  KNOWN_PATHS,
  type MachineProbe,
  planChromium,
} from "./find";

declare module "vitest" {
  export interface ProvidedContext {
    /** Set by the global setup: the browser to drive, or null to skip the browser tests. */
    chromiumPath: string | null;
  }
}

/** Headless, no sandbox (root in containers), no GPU, nothing phoning home. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The Chromium the global setup settled on, or null when this run skips the browser tests. */
export function chromiumPath(): string | null {
  const path = inject("chromiumPath");
  if (path === undefined) {
    throw new Error("chromiumPath() needs `globalSetup: ['@lessonkit/test-browser/global-setup']` in vitest.config");
  }
  return path;
}

/** Launches that Chromium headless with CHROMIUM_ARGS (plus `options.args`). */
export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error("No Chromium for this run: guard browser tests with chromiumPath()");
  return chromium.launch({
    ...options,
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}
