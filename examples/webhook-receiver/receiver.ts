// The smallest correct LessonKit webhook receiver.
//
//   LESSONKIT_WEBHOOK_SECRET=whsec_… PORT=4000 npx tsx receiver.ts
//
// 1. Verify the signature over the raw body, before trusting anything in it.
// 2. Deduplicate on `webhook-id`: LessonKit delivers at least once, and retries and redeliveries
//    reuse the id.
// 3. Answer 2xx at once and do the work afterwards: LessonKit waits 15 s at most, and retries
//    anything that is not a 2xx.
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import { verifyWebhook, type WebhookEvent } from "@lessonkit/sdk";
import { Hono } from "hono";

export function createReceiver(options: {
  /** The endpoint's whsec_… secret, or both while you rotate it. */
  secret: string | readonly string[];
  handle: (event: WebhookEvent) => Promise<void> | void;
}) {
  // In production this is a table with a unique key on the webhook id, written in the request
  // together with the event (your durable queue), so a crash after answering loses nothing.
  const seen = new Set<string>();
  const app = new Hono();

  app.post("/lessonkit/webhooks", async (c) => {
    let event: WebhookEvent;
    try {
      event = await verifyWebhook(await c.req.text(), c.req.raw.headers, options.secret);
    } catch {
      return c.text("invalid signature", 400);
    }
    const id = c.req.header("webhook-id") ?? event.id;
    if (seen.has(id)) return c.body(null, 204); // already have it: acknowledge, do nothing
    seen.add(id);
    setImmediate(async () => {
      try {
        await options.handle(event);
      } catch (error) {
        seen.delete(id); // let a redelivery (POST /v1/events/{id}/redeliver) try again
        console.error(`webhook ${id} (${event.type}) failed:`, error);
      }
    });
    return c.body(null, 204);
  });

  return app;
}

async function handle(event: WebhookEvent) {
  switch (event.type) {
    case "escrow.held":
      console.log("payment held", event.data);
      break;
    case "escrow.released":
      console.log("tutor paid", event.data);
      break;
    default:
      console.log(event.type, event.id);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const secret = process.env.LESSONKIT_WEBHOOK_SECRET;
  if (!secret) throw new Error("Set LESSONKIT_WEBHOOK_SECRET to the endpoint's whsec_… secret");
  const port = Number(process.env.PORT ?? 4000);
  serve({ fetch: createReceiver({ secret, handle }).fetch, port });
  console.log(`Receiving LessonKit webhooks on http://localhost:${port}/lessonkit/webhooks`);
}
