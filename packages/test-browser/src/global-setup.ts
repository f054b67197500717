import type { TestProject } from "vitest/node";
import { ensureChromium } from "./ensure";

/** Vitest global setup: settles the run's Chromium once, before any test file starts. */
export default async function setup(project: TestProject) {
  project.provide("chromiumPath", await ensureChromium());
}
