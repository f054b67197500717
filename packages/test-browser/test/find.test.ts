import { describe, expect, it } from "vitest";
import { ensureChromium, findChromium, installHint, type MachineProbe, planChromium } from "../src/index";

/** A machine made of a set of executable paths; `install` adds Debian's chromium to it. */
function machine(overrides: Partial<MachineProbe> & { executables?: string[] } = {}) {
  const executables = new Set(overrides.executables ?? []);
  const probe: MachineProbe = {
    env: {},
    platform: "linux",
    isRoot: false,
    isDebian: false,
    playwrightChromium: null,
    ...overrides,
    isExecutable: (path) => executables.has(path),
  };
  return { probe, executables };
}

describe("finding Chromium", () => {
  it.each([
    ["Debian's chromium", "linux", ["/usr/bin/chromium", "/usr/bin/google-chrome"], "/usr/bin/chromium"],
    ["Ubuntu's chromium-browser", "linux", ["/usr/bin/chromium-browser"], "/usr/bin/chromium-browser"],
    ["Google Chrome", "linux", ["/usr/bin/google-chrome"], "/usr/bin/google-chrome"],
    ["the snap", "linux", ["/snap/bin/chromium"], "/snap/bin/chromium"],
    [
      "Chrome on macOS",
      "darwin",
      ["/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"],
      "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    ],
  ] as const)("finds %s", (_, platform, executables, expected) => {
    const { probe } = machine({ platform, executables: [...executables] });
    expect(findChromium(probe)).toBe(expected);
    expect(planChromium(probe)).toEqual({ action: "use", path: expected });
  });

  it("ignores another platform's paths and files that are not executable", () => {
    expect(findChromium(machine({ platform: "darwin", executables: ["/usr/bin/chromium"] }).probe)).toBeNull();
  });

  it("falls back to the Chromium playwright-core downloaded", () => {
    const cached = "/home/dev/.cache/ms-playwright/chromium-1255/chrome-linux64/chrome";
    expect(findChromium(machine({ playwrightChromium: cached, executables: [cached] }).probe)).toBe(cached);
    // Not downloaded yet: playwright-core still names the path, which does not exist.
    expect(findChromium(machine({ playwrightChromium: cached }).probe)).toBeNull();
  });

  it("prefers CHROME_PATH over every usual path", () => {
    const { probe } = machine({
      env: { CHROME_PATH: "/opt/chrome/chrome" },
      executables: ["/opt/chrome/chrome", "/usr/bin/chromium"],
    });
    expect(planChromium(probe)).toEqual({ action: "use", path: "/opt/chrome/chrome" });
  });

  it("fails, even outside CI, when CHROME_PATH names no executable", () => {
    const { probe } = machine({ env: { CHROME_PATH: "/nope/chrome" }, executables: ["/usr/bin/chromium"] });
    expect(planChromium(probe)).toEqual({
      action: "fail",
      message: "CHROME_PATH is /nope/chrome, which is not an executable file.",
    });
  });
});

describe("without a browser", () => {
  it("installs Debian's chromium when root on Debian", () => {
    const plan = planChromium(machine({ isRoot: true, isDebian: true }).probe);
    expect(plan).toMatchObject({
      action: "install",
      commands: [
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "chromium"],
      ],
    });
  });

  it.each([
    ["Debian, not root", { isDebian: true }, "sudo apt-get install -y chromium"],
    ["another Linux", {}, "npx playwright-core install chromium"],
    ["macOS, even as root", { platform: "darwin", isRoot: true }, "npx playwright-core install chromium"],
  ] as const)("on %s: skips the browser tests and prints the one command that gets one", (_, overrides, command) => {
    const { probe } = machine(overrides);
    expect(installHint(probe)).toBe(command);
    const plan = planChromium(probe);
    expect(plan.action).toBe("skip");
    expect(plan).toHaveProperty("notice", expect.stringContaining(`\`${command}\``));
  });

  it.each(["true", "1", "TRUE"])("fails instead of skipping with CI=%s", (ci) => {
    const plan = planChromium(machine({ env: { CI: ci }, isDebian: true }).probe);
    expect(plan).toEqual({
      action: "fail",
      message: expect.stringMatching(/^No Chromium found, and CI=true requires the browser tests\. .*sudo apt-get/),
    });
  });

  it.each(["false", "0", ""])("still skips with CI=%j", (ci) => {
    expect(planChromium(machine({ env: { CI: ci } }).probe).action).toBe("skip");
  });
});

describe("ensureChromium", () => {
  const debianPath = "/usr/bin/chromium";

  it("returns a browser it finds without running anything", async () => {
    const ran: string[] = [];
    const { probe } = machine({ executables: [debianPath] });
    const path = await ensureChromium({
      probe: () => probe,
      run: async (c) => void ran.push(c.join(" ")),
      log: () => {},
    });
    expect(path).toBe(debianPath);
    expect(ran).toEqual([]);
  });

  it("installs Debian's chromium as root, says so, and returns it", async () => {
    const { probe, executables } = machine({ isRoot: true, isDebian: true });
    const ran: string[] = [];
    const logged: string[] = [];
    const path = await ensureChromium({
      probe: () => probe,
      run: async (command) => {
        ran.push(command.join(" "));
        if (command.includes("install")) executables.add(debianPath);
      },
      log: (line) => logged.push(line),
    });
    expect(path).toBe(debianPath);
    expect(ran).toEqual(["apt-get update -qq", "apt-get install -y -qq chromium"]);
    expect(logged).toEqual([
      "No Chromium found: installing Debian's chromium for the browser tests (apt-get install -y chromium)…",
      "Installed Chromium: /usr/bin/chromium",
    ]);
  });

  it("skips with the reason when the install fails outside CI", async () => {
    const { probe } = machine({ isRoot: true, isDebian: true });
    const logged: string[] = [];
    const path = await ensureChromium({
      probe: () => probe,
      run: async (command) => {
        if (command.includes("install")) throw new Error("`apt-get install -y -qq chromium` failed (exit 100)");
      },
      log: (line) => logged.push(line),
    });
    expect(path).toBeNull();
    expect(logged[1]).toMatch(
      /^Installing Chromium did not work \(`apt-get install -y -qq chromium` failed \(exit 100\)\)\. No Chromium found: skipping the browser tests\./,
    );
  });

  it("fails when the install fails under CI=true", async () => {
    const { probe } = machine({ env: { CI: "true" }, isRoot: true, isDebian: true });
    await expect(
      ensureChromium({
        probe: () => probe,
        run: async () => {
          throw new Error("`apt-get update -qq` failed (exit 100)");
        },
        log: () => {},
      }),
    ).rejects.toThrow(
      /^Installing Chromium did not work \(`apt-get update -qq` failed \(exit 100\)\)\. No Chromium found, and CI=true/,
    );
  });

  it("skips (null) without a browser off Debian, and fails under CI", async () => {
    const logged: string[] = [];
    const ran: string[] = [];
    const run = async (command: readonly string[]) => void ran.push(command.join(" "));
    const { probe } = machine({ platform: "darwin" });
    expect(await ensureChromium({ probe: () => probe, run, log: (line) => logged.push(line) })).toBeNull();
    expect(logged).toEqual([
      "No Chromium found: skipping the browser tests. Get one with `npx playwright-core install chromium`, or set CHROME_PATH to a Chrome or Chromium binary.",
    ]);
    const ci = machine({ platform: "darwin", env: { CI: "true" } }).probe;
    await expect(ensureChromium({ probe: () => ci, run, log: () => {} })).rejects.toThrow(/CI=true requires/);
    expect(ran).toEqual([]);
  });
});
