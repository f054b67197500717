/**
 * Where the browser tests get their Chromium. Pure: everything it looks at comes in a
 * `MachineProbe`, so the whole decision is testable with fake paths and environments.
 */

/** What the search looks at: the real machine (`machineProbe()` in ./machine) or a test's fake. */
export interface MachineProbe {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  /** uid 0: system packages can be installed without sudo. */
  isRoot: boolean;
  /** `/etc/debian_version` exists: `apt-get install chromium` gets Debian's build. */
  isDebian: boolean;
  /** Where playwright-core keeps a Chromium it downloaded (`npx playwright-core install chromium`). */
  playwrightChromium: string | null;
  isExecutable(path: string): boolean;
}

/** Where Chromium or Chrome is usually installed, most likely first. */
export const KNOWN_PATHS: Readonly<Partial<Record<NodeJS.Platform, readonly string[]>>> = {
  linux: [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/snap/bin/chromium",
  ],
  darwin: [
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  ],
  win32: [
    "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
    "C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe",
  ],
};

/** The commands that install Debian's chromium as root. */
export const DEBIAN_INSTALL: readonly (readonly string[])[] = [
  ["apt-get", "update", "-qq"],
  ["apt-get", "install", "-y", "-qq", "chromium"],
];

export type ChromiumPlan =
  | { action: "use"; path: string }
  | { action: "install"; commands: readonly (readonly string[])[]; notice: string }
  | { action: "skip"; notice: string }
  | { action: "fail"; message: string };

/** `CI=true` (or any value but empty, `0` or `false`): a missing browser is an error, not a skip. */
export function isCI(env: MachineProbe["env"]): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/** The first Chromium found: `CHROME_PATH`, the usual install paths, then playwright-core's download. */
export function findChromium(probe: MachineProbe): string | null {
  const candidates = [...(KNOWN_PATHS[probe.platform] ?? []), probe.playwrightChromium];
  return candidates.find((path): path is string => !!path && probe.isExecutable(path)) ?? null;
}

/** The one command that gets this machine a Chromium the search will find. */
export function installHint(probe: MachineProbe): string {
  if (probe.platform === "linux" && probe.isDebian) return "sudo apt-get install -y chromium";
  return "npx playwright-core install chromium";
}

/** What to do about the browser tests on this machine. */
export function planChromium(probe: MachineProbe, { afterInstall = false } = {}): ChromiumPlan {
  const configured = probe.env.CHROME_PATH?.trim();
  if (configured) {
    // A path someone set on purpose is never silently replaced by another browser or a skip.
    if (probe.isExecutable(configured)) return { action: "use", path: configured };
    return { action: "fail", message: `CHROME_PATH is ${configured}, which is not an executable file.` };
  }
  const found = findChromium(probe);
  if (found) return { action: "use", path: found };
  if (!afterInstall && probe.platform === "linux" && probe.isDebian && probe.isRoot) {
    return {
      action: "install",
      commands: DEBIAN_INSTALL,
      notice: "No Chromium found: installing Debian's chromium for the browser tests (apt-get install -y chromium)…",
    };
  }
  const how = `Get one with \`${installHint(probe)}\`, or set CHROME_PATH to a Chrome or Chromium binary.`;
  if (isCI(probe.env)) {
    return { action: "fail", message: `No Chromium found, and CI=true requires the browser tests. ${how}` };
  }
  return { action: "skip", notice: `No Chromium found: skipping the browser tests. ${how}` };
}
