// What the browser tests share: the run's Chromium driven by playwright-core, pages bundled by
// esbuild from test/browser/*.tsx, and axe-core injected into a page.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Page } from "playwright-core";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The run's Chromium, found (or installed, or explained) once by @lessonkit/test-browser's global setup. */
export { chromiumPath, launchChromium } from "@lessonkit/test-browser";

/** One page of test/browser as a minified ESM bundle, on the SDK's browser entry. */
export async function bundlePage(file: string): Promise<string> {
  const bundle = await build({
    entryPoints: [here(`./${file}`)],
    bundle: true,
    write: false,
    format: "esm",
    jsx: "automatic",
    minify: true,
    define: { "process.env.NODE_ENV": '"production"' },
    alias: { "@lessonkit/sdk": here("../../../sdk/src/browser.ts") },
    logLevel: "silent",
  });
  return bundle.outputFiles[0]?.text ?? "";
}

export const stylesheet = () => readFile(here("../../src/styles.css"), "utf8");

export const html = (script: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>LessonKit UI</title>
<link rel="stylesheet" href="/styles.css"><style>body{margin:0;padding:1rem;font-family:system-ui,sans-serif}</style>
</head><body><div id="root"></div><script type="module" src="/${script}"></script></body></html>`;

const axeSource = () => readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** axe-core's violations on the page (WCAG A/AA rules and best practices), less the rules in `skip`. */
export async function axeViolations(page: Page, options: { skip?: string[] } = {}): Promise<Violation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: await axeSource() });
  // Runs in the page: no closure over anything from here.
  const run = async (skip: string[]) => {
    type Result = {
      violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }>;
    };
    const axe = (window as unknown as { axe: { run: (r: Element | Document, o: object) => Promise<Result> } }).axe;
    const rules = Object.fromEntries(skip.map((id) => [id, { enabled: false }]));
    const result = await axe.run(document, { resultTypes: ["violations"], rules });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(" ")),
    }));
  };
  return page.evaluate(run, options.skip ?? []);
}
