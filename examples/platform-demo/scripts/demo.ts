// `npm run demo` (from the repo root, after turbo has built the packages and the front end):
// starts LessonKit in development mode and the demo platform, and prints where to click.
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startDemo } from "../server/start";
import { startLessonKit } from "./lessonkit";

const env = process.env;
const webDir = fileURLToPath(new URL("../dist", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
if (!existsSync(resolve(webDir, "index.html"))) {
  console.error("The front end is not built: run `npm run demo` from the repository root (it builds first).");
  process.exit(1);
}

/** The preferred port when it is free, otherwise any free one. */
async function portOr(preferred: number): Promise<number> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once("error", () => done(0));
    probe.listen(preferred, () => probe.close(() => done(preferred)));
  });
}

const agora =
  env.AGORA_APP_ID && env.AGORA_APP_CERTIFICATE
    ? { appId: env.AGORA_APP_ID, appCertificate: env.AGORA_APP_CERTIFICATE }
    : undefined;

const lessonkit = await startLessonKit({
  port: await portOr(Number(env.LESSONKIT_PORT ?? 8787)),
  // Its own database, so the demo never touches the one `npm start` uses; delete the folder to reset.
  databaseUrl: env.DEMO_DATABASE_URL ?? `file:${resolve(repoRoot, ".lessonkit/demo/lessonkit.db")}`,
  env: { LESSONKIT_TICK_INTERVAL: "1m" },
  onLine: (line) => console.log(`[lessonkit] ${line}`),
});

let demo: Awaited<ReturnType<typeof startDemo>>;
try {
  demo = await startDemo({
    lessonkitUrl: lessonkit.url,
    secretKey: lessonkit.secretKey,
    port: await portOr(Number(env.DEMO_PORT ?? 3000)),
    agora,
    webDir,
    log: (line) => console.log(`[demo] ${line}`),
  });
} catch (error) {
  await lessonkit.stop();
  throw error;
}

console.log(`
LessonKit platform demo is running.

  Student (Ana):  ${demo.url}/?as=student
  Tutor (Tom):    ${demo.url}/?as=tutor
  LessonKit API:  ${lessonkit.url}/docs

Open both in two windows. As Ana: book a lesson, pay, then use "+5 min" to reach the join window.
Video is ${agora ? "on (Agora)" : "off: set AGORA_APP_ID and AGORA_APP_CERTIFICATE for real video"}. Ctrl+C stops both.
`);

const shutdown = async () => {
  await demo.close();
  await lessonkit.stop();
  process.exit(0);
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
