/**
 * Child process of the webhook benchmark: a receiver on 127.0.0.1 that answers 200 at once and
 * keeps every delivery. Asked for a report, it verifies each signature with the standardwebhooks
 * library (not LessonKit's own signing code) and counts deliveries per webhook-id.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { serveParent } from "./child";

export interface ReceiverReport {
  received: number;
  distinct: number;
  duplicates: number;
  badSignatures: number;
  ids: string[];
}

const WEBHOOK_PATH = "/lessonkit/webhooks";
const deliveries: { headers: IncomingMessage["headers"]; body: string }[] = [];

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    // Anything else is the raw-HTTP baseline: answered the same way, not kept.
    if (req.url === WEBHOOK_PATH)
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
});
server.keepAliveTimeout = 30_000;
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

serveParent(
  {
    report: (message) => {
      const webhook = new Webhook(String(message.secret));
      const counts = new Map<string, number>();
      let badSignatures = 0;
      for (const { headers, body } of deliveries) {
        const id = String(headers["webhook-id"]);
        counts.set(id, (counts.get(id) ?? 0) + 1);
        try {
          const payload = webhook.verify(body, headers as Record<string, string>) as { id?: string };
          if (payload.id !== id) badSignatures++;
        } catch {
          badSignatures++;
        }
      }
      const report: ReceiverReport = {
        received: deliveries.length,
        distinct: counts.size,
        duplicates: [...counts.values()].filter((n) => n > 1).length,
        badSignatures,
        ids: [...counts.keys()],
      };
      return report;
    },
  },
  () => new Promise<void>((resolve) => server.close(() => resolve())),
);
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
process.send?.({ url: `${origin}${WEBHOOK_PATH}`, baselineUrl: `${origin}/baseline` });
