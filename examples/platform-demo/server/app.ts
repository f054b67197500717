import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import {
  type Booking,
  isLessonKitError,
  type LessonKit,
  type ParticipantToken,
  verifyWebhook,
  type WebhookEvent,
} from "@lessonkit/sdk";
import { Hono } from "hono";
import { lessonMoments } from "./moments";
import { bookingIdOf, describeEvent, NotificationFeed } from "./notifications";
import { type DemoUser, type Side, USERS, userFor } from "./users";

export interface DemoAppOptions {
  lessonkit: LessonKit;
  /** Where LessonKit runs; the browser's session calls are forwarded there (see `/lessonkit/*`). */
  lessonkitUrl: string;
  /** The `whsec_…` secret of this demo's webhook endpoint; known once the endpoint is registered. */
  webhookSecret: () => string | undefined;
  /** Whether the session screen should join the Agora channel (AGORA_APP_ID is set). */
  agoraEnabled: boolean;
  /** The built front end (`vite build` output), served with a fallback to index.html. */
  webDir?: string;
  log?: (line: string) => void;
}

type Env = { Variables: { user: DemoUser } };

const LESSON = { duration_minutes: 60, amount: 5000, platform_fee: 1000, currency: "usd" };
const STARTS_IN_MINUTES = [10, 60, 24 * 60];
/** LessonKit's own limit for one move of the test clock. */
const MAX_CLOCK_STEP_SECONDS = 90 * 24 * 3600;
/** Bookings whose session the browser can follow with a participant token. */
const SESSION_STATUSES = new Set<Booking["status"]>(["confirmed", "in_progress", "completed", "no_show"]);

/**
 * The platform's backend: it alone holds the LessonKit secret key. It books lessons, takes the
 * (sandbox) payment, hands each signed-in participant a short-lived token for their own booking,
 * and turns LessonKit's webhooks into a notifications feed.
 */
export function createDemoApp(options: DemoAppOptions) {
  const { lessonkit: lk } = options;
  const log = options.log ?? console.log;
  const feed = new NotificationFeed();
  const bookingCache = new Map<string, Booking>();
  const tokenCache = new Map<string, ParticipantToken>();
  const app = new Hono<Env>();

  /** The tenant's current time: real time plus its sandbox test-clock offset. */
  const tenantClock = async () => {
    const tenant = await lk.tenant.get();
    return { tenant, now: Date.now() + (tenant.test_clock?.offset_seconds ?? 0) * 1000 };
  };

  const tokenFor = async (
    booking: Booking,
    role: Side,
    now: number,
    fresh = false,
  ): Promise<ParticipantToken | null> => {
    const key = `${booking.id}:${role}`;
    const cached = tokenCache.get(key);
    if (!fresh && cached && Date.parse(cached.expires_at) - now > 5 * 60_000) return cached;
    try {
      const token = await lk.bookings.participantToken(booking.id, role);
      tokenCache.set(key, token);
      return token;
    } catch (error) {
      // After the rating/dispute window LessonKit no longer issues participant tokens.
      if (isLessonKitError(error) && error.code === "participant_access_ended") return null;
      throw error;
    }
  };

  const ownBooking = async (user: DemoUser, bookingId: string) => {
    const booking = await lk.bookings.get(bookingId);
    const owner = user.role === "student" ? booking.student.id : booking.tutor.id;
    return owner === user.id ? booking : null;
  };

  // --- LessonKit webhooks: verify, dedupe, answer fast, then process ---------------------------
  app.post("/webhooks/lessonkit", async (c) => {
    const secret = options.webhookSecret();
    if (!secret) return c.json({ error: "not ready" }, 503);
    const raw = await c.req.text(); // the raw body: the signature covers these exact bytes
    let event: WebhookEvent;
    try {
      event = await verifyWebhook(raw, c.req.raw.headers, secret);
    } catch {
      return c.json({ error: "invalid signature" }, 400);
    }
    const webhookId = c.req.header("webhook-id") ?? event.id;
    if (feed.markSeen(webhookId)) {
      setImmediate(() => {
        handleEvent(webhookId, event).catch((error: unknown) => {
          feed.forget(webhookId); // a redelivery may try again
          log(`webhook ${webhookId} failed: ${String(error)}`);
        });
      });
    }
    return c.body(null, 204);
  });

  async function handleEvent(webhookId: string, event: WebhookEvent) {
    const data = event.data as { booking?: Booking };
    if (data.booking) bookingCache.set(data.booking.id, data.booking);
    const bookingId = bookingIdOf(event);
    if (!bookingId) return;
    let booking = data.booking ?? bookingCache.get(bookingId);
    if (!booking) {
      booking = await lk.bookings.get(bookingId);
      bookingCache.set(bookingId, booking);
    }
    const lines = describeEvent(event, booking);
    if (!lines.student && !lines.tutor) return;
    feed.add({
      id: webhookId,
      type: event.type,
      lines,
      booking_id: bookingId,
      created_at: event.created_at,
      user_ids: { student: booking.student.id, tutor: booking.tutor.id },
    });
  }

  // --- The browser's session calls go to LessonKit through here -------------------------------
  // LessonKit's participant routes are called with the participant token; forwarding them keeps
  // the page on one origin (no CORS) and never touches the secret key.
  app.all("/lessonkit/v1/sessions/*", async (c) => {
    const url = new URL(c.req.url);
    const target = options.lessonkitUrl + url.pathname.slice("/lessonkit".length) + url.search;
    const headers = new Headers();
    for (const name of ["authorization", "content-type", "idempotency-key", "accept"]) {
      const value = c.req.header(name);
      if (value) headers.set(name, value);
    }
    const method = c.req.method;
    const body = method === "GET" || method === "HEAD" ? undefined : await c.req.arrayBuffer();
    const answer = await fetch(target, { method, headers, body });
    const out = new Headers();
    for (const name of ["content-type", "request-id", "retry-after", "idempotent-replayed"]) {
      const value = answer.headers.get(name);
      if (value) out.set(name, value);
    }
    return new Response(answer.body, { status: answer.status, headers: out });
  });

  // --- The demo's own API (signed-in user from the x-demo-user header) ------------------------
  app.use("/api/*", async (c, next) => {
    const user = userFor(c.req.header("x-demo-user"));
    if (!user) return c.json({ error: "sign in with ?as=student or ?as=tutor" }, 401);
    c.set("user", user);
    await next();
  });

  app.onError((error, c) => {
    if (isLessonKitError(error)) {
      const status = error.status >= 400 && error.status < 500 ? error.status : 502;
      return c.json({ error: error.message, code: error.code }, status as 400);
    }
    log(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return c.json({ error: "internal error" }, 500);
  });

  app.get("/api/me", async (c) => {
    const { tenant, now } = await tenantClock();
    return c.json({
      user: c.get("user"),
      other: USERS[c.get("user").role === "student" ? "tutor" : "student"],
      // Sandbox tenants (and Stripe tenants on a test-mode key) have a test clock.
      sandbox: tenant.test_clock !== null,
      agora_enabled: options.agoraEnabled,
      tenant_now: new Date(now).toISOString(),
      clock_offset_seconds: tenant.test_clock?.offset_seconds ?? 0,
    });
  });

  app.get("/api/bookings", async (c) => {
    const user = c.get("user");
    const filter = user.role === "student" ? { student_id: user.id } : { tutor_id: user.id };
    const [{ tenant, now }, page] = await Promise.all([tenantClock(), lk.bookings.list({ ...filter, limit: 50 })]);
    const rows = await Promise.all(
      page.data.map(async (booking) => {
        bookingCache.set(booking.id, booking);
        const token = SESSION_STATUSES.has(booking.status) ? await tokenFor(booking, user.role, now) : null;
        return {
          booking,
          token: token && { token: token.token, expires_at: token.expires_at },
          moments: lessonMoments(booking, tenant.policy),
        };
      }),
    );
    return c.json({ bookings: rows });
  });

  app.post("/api/bookings", async (c) => {
    const user = c.get("user");
    if (user.role !== "student") return c.json({ error: "only students book lessons" }, 403);
    const input = (await c.req.json().catch(() => ({}))) as { subject?: unknown; starts_in_minutes?: unknown };
    const minutes = Number(input.starts_in_minutes ?? 10);
    if (!STARTS_IN_MINUTES.includes(minutes)) return c.json({ error: "starts_in_minutes must be 10, 60 or 1440" }, 400);
    const subject =
      typeof input.subject === "string" && input.subject.trim() ? input.subject.trim().slice(0, 80) : "Algebra";
    const { now } = await tenantClock();
    const tutor = USERS.tutor;
    const booking = await lk.bookings.create({
      external_id: `demo_${crypto.randomUUID()}`,
      student: { id: user.id, name: user.name },
      tutor: { id: tutor.id, name: tutor.name },
      subject,
      scheduled_start: new Date(now + minutes * 60_000).toISOString(),
      ...LESSON,
    });
    bookingCache.set(booking.id, booking);
    return c.json({ booking }, 201);
  });

  app.post("/api/bookings/:id/pay", async (c) => {
    const booking = await ownBooking(c.get("user"), c.req.param("id"));
    if (!booking || c.get("user").role !== "student") return c.json({ error: "not your booking" }, 404);
    const paid = await lk.sandbox.pay(booking.id);
    bookingCache.set(paid.id, paid);
    return c.json({ booking: paid });
  });

  // A participant token ran out while the page was open: mint a fresh one for the page's client.
  app.post("/api/bookings/:id/token", async (c) => {
    const user = c.get("user");
    const booking = await ownBooking(user, c.req.param("id"));
    if (!booking) return c.json({ error: "not your booking" }, 404);
    const { now } = await tenantClock();
    const token = await tokenFor(booking, user.role, now, true);
    if (!token) return c.json({ error: "this lesson can no longer be opened", code: "participant_access_ended" }, 410);
    return c.json({ token: token.token, expires_at: token.expires_at });
  });

  app.get("/api/notifications", (c) => c.json({ notifications: feed.forUser(c.get("user")) }));

  app.get("/api/balance", async (c) => {
    const user = c.get("user");
    if (user.role !== "tutor") return c.json({ error: "only tutors have a balance" }, 403);
    return c.json(await lk.tutors.balance(user.id));
  });

  // Moves the sandbox clock by `advance_seconds`, or to the moment `to` (ISO 8601); only forward.
  app.post("/api/sandbox/clock", async (c) => {
    const input = (await c.req.json().catch(() => ({}))) as { advance_seconds?: unknown; to?: unknown };
    let seconds = Number(input.advance_seconds);
    if (input.to !== undefined) {
      const target = typeof input.to === "string" ? Date.parse(input.to) : Number.NaN;
      if (Number.isNaN(target)) return c.json({ error: "to must be an ISO 8601 time", code: "invalid_time" }, 400);
      const { now } = await tenantClock();
      seconds = Math.ceil((target - now) / 1000);
      if (seconds <= 0) return c.json({ error: "the sandbox clock only moves forward", code: "clock_in_past" }, 400);
    }
    if (!Number.isInteger(seconds) || seconds <= 0 || seconds > MAX_CLOCK_STEP_SECONDS) {
      return c.json(
        { error: `advance_seconds must be a whole number from 1 to ${MAX_CLOCK_STEP_SECONDS}`, code: "invalid_step" },
        400,
      );
    }
    const clock = await lk.sandbox.advanceClock(seconds);
    return c.json({ now: clock.now, offset_seconds: clock.offset_seconds });
  });

  app.get("/healthz", (c) => c.json({ ok: true }));

  // --- The built front end ----------------------------------------------------------------------
  if (options.webDir) {
    const root = normalize(options.webDir);
    app.get("*", (c) => {
      const path = normalize(join(root, decodeURIComponent(new URL(c.req.url).pathname)));
      const file =
        path.startsWith(root + sep) && existsSync(path) && statSync(path).isFile() ? path : join(root, "index.html");
      if (!existsSync(file))
        return c.text("Front end not built: run `npm run build -w @lessonkit/example-platform-demo`", 503);
      const type = CONTENT_TYPES[extname(file)] ?? "application/octet-stream";
      const cache = file.includes(`${sep}assets${sep}`) ? "public, max-age=31536000, immutable" : "no-cache";
      return c.body(readFileSync(file), 200, { "content-type": type, "cache-control": cache });
    });
  }

  return { app, feed };
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
};
