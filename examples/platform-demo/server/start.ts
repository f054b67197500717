import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { LessonKit } from "@lessonkit/sdk";
import { createDemoApp } from "./app";

export interface StartDemoOptions {
  /** LessonKit's base URL, e.g. http://127.0.0.1:8787. */
  lessonkitUrl: string;
  /** The tenant's secret key (`lk_sk_…`). */
  secretKey: string;
  /** 0 picks a free port. */
  port: number;
  /** Agora credentials for real video (the LessonKit server needs the same pair). */
  agora?: { appId: string; appCertificate: string } | undefined;
  webDir?: string;
  log?: (line: string) => void;
}

export interface RunningDemo {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the demo platform and registers its webhook endpoint with LessonKit. LessonKit only
 * allows plain-http loopback endpoints in development mode (`lessonkit start --dev`).
 */
export async function startDemo(options: StartDemoOptions): Promise<RunningDemo> {
  const log = options.log ?? console.log;
  const lessonkit = new LessonKit({ apiKey: options.secretKey, baseUrl: options.lessonkitUrl });
  let webhookSecret: string | undefined;
  const { app } = createDemoApp({
    lessonkit,
    lessonkitUrl: options.lessonkitUrl.replace(/\/+$/, ""),
    webhookSecret: () => webhookSecret,
    agoraEnabled: Boolean(options.agora),
    webDir: options.webDir,
    log,
  });

  const server = serve({ fetch: app.fetch, port: options.port });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));

  try {
    if (options.agora) {
      // Use the LessonKit server's AGORA_APP_ID / AGORA_APP_CERTIFICATE for this tenant's sessions.
      await lessonkit.tenant.update({ agora: null });
    }
    // One endpoint per demo address: drop the ones earlier runs left behind (their secrets are gone).
    const hookUrl = `http://127.0.0.1:${port}/webhooks/lessonkit`;
    for await (const endpoint of lessonkit.webhookEndpoints.list()) {
      if (endpoint.description === DESCRIPTION || endpoint.url === hookUrl) {
        await lessonkit.webhookEndpoints.delete(endpoint.id);
      }
    }
    const endpoint = await lessonkit.webhookEndpoints.create({ url: hookUrl, description: DESCRIPTION });
    webhookSecret = endpoint.secret;
    log(`  webhooks:  ${hookUrl} (${endpoint.id})`);
  } catch (error) {
    await close();
    throw error;
  }
  return { url, close };
}

const DESCRIPTION = "LessonKit platform demo";
