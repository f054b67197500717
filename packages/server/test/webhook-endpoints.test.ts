import { afterEach, describe, expect, it } from "vitest";
import { NodeWebhookTransport } from "../src/adapters/http/webhook-transport";
import { deliverDueWebhooks } from "../src/domain/webhooks/deliver";
import { ManualClock } from "../src/ports/clock";
import {
  bookingBody,
  createTestServer,
  type Json,
  paidBooking,
  type TestServer,
  type TestServerOptions,
  tempDatabaseUrl,
} from "./harness";
import { Receiver } from "./webhook-receiver";

/**
 * The real transport with a hand-written DNS: names listed here resolve as given (so a test can
 * point a public-looking name at a private address), `localhost` resolves for real, others fail.
 */
class StubDnsTransport extends NodeWebhookTransport {
  constructor(private readonly names: Record<string, string[]>) {
    super();
  }
  override async lookup(hostname: string): Promise<string[]> {
    const addresses = this.names[hostname];
    if (addresses) return addresses;
    if (hostname === "localhost") return super.lookup(hostname);
    throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  }
}

const DNS = {
  "hooks.example.com": ["93.184.216.34"],
  "intranet.example.com": ["10.20.30.40"],
  "mixed.example.com": ["93.184.216.34", "192.168.0.7"],
  "v6-private.example.com": ["fd12:3456:789a::1"],
  "rebind.example.com": ["93.184.216.34"],
};

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: TestServerOptions = {}) {
  const server = await createTestServer({
    clock: new ManualClock(Date.now()),
    webhookTransport: new StubDnsTransport(DNS),
    ...options,
  });
  cleanups.push(() => server.close());
  const { key, tenant } = await server.createTenant();
  return { server, key, tenant };
}

async function create(server: TestServer, key: string, body: Json) {
  return server.call("POST", "/v1/webhook-endpoints", { key, body });
}

describe("endpoint management", () => {
  it("returns the whsec_ secret on create only; list, get, update and delete never show it", async () => {
    const { server, key } = await setup();
    const created = await create(server, key, {
      url: "https://hooks.example.com/lessonkit",
      description: "Production receiver",
      event_types: ["booking.created", "escrow.released", "booking.created"],
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^we_/),
      object: "webhook_endpoint",
      url: "https://hooks.example.com/lessonkit",
      description: "Production receiver",
      event_types: ["booking.created", "escrow.released"],
      enabled: true,
      disabled_reason: null,
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const id = created.body.id as string;
    const secret = created.body.secret as string;
    const noSecret = (body: Json) => expect(JSON.stringify(body)).not.toContain(secret.slice(6));

    const got = await server.call("GET", `/v1/webhook-endpoints/${id}`, { key });
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty("secret");
    noSecret(got.body);
    const { secret: _secret, ...withoutSecret } = created.body;
    expect(got.body).toEqual(withoutSecret);

    const other = await create(server, key, { url: "https://hooks.example.com/second" });
    const list = await server.call("GET", "/v1/webhook-endpoints?limit=1", { key });
    expect(list.body).toMatchObject({ has_more: true, next_cursor: other.body.id });
    expect(list.body.data.map((e: Json) => e.id)).toEqual([other.body.id]);
    const rest = await server.call("GET", `/v1/webhook-endpoints?limit=1&starting_after=${other.body.id}`, { key });
    expect(rest.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(rest.body.data.map((e: Json) => e.id)).toEqual([id]);
    for (const page of [list.body, rest.body]) {
      for (const endpoint of page.data) expect(endpoint).not.toHaveProperty("secret");
      noSecret(page);
    }

    server.clock.advance(1000);
    const updated = await server.call("PATCH", `/v1/webhook-endpoints/${id}`, {
      key,
      body: { event_types: null, enabled: false, description: "Paused" },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ event_types: null, enabled: false, disabled_reason: "disabled_by_tenant" });
    expect(updated.body.updated_at).toBe(new Date(server.clock.now()).toISOString());
    expect(updated.body).not.toHaveProperty("secret");
    const reenabled = await server.call("PATCH", `/v1/webhook-endpoints/${id}`, { key, body: { enabled: true } });
    expect(reenabled.body).toMatchObject({ enabled: true, disabled_reason: null, description: "Paused" });

    const rotated = await server.call("POST", `/v1/webhook-endpoints/${id}/rotate-secret`, { key });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);

    const deleted = await server.call("DELETE", `/v1/webhook-endpoints/${id}`, { key });
    expect(deleted.body).toEqual({ id, object: "webhook_endpoint", deleted: true });
    noSecret(deleted.body);
    expect((await server.call("GET", `/v1/webhook-endpoints/${id}`, { key })).status).toBe(404);
    expect((await server.call("DELETE", `/v1/webhook-endpoints/${id}`, { key })).status).toBe(404);
  });

  it("validates the request", async () => {
    const { server, key } = await setup();
    const badType = await create(server, key, { url: "https://hooks.example.com/", event_types: ["booking.nope"] });
    expect(badType.status).toBe(400);
    const unknownField = await create(server, key, { url: "https://hooks.example.com/", secret: "whsec_mine" });
    expect(unknownField.status).toBe(400);
    const notUrl = await create(server, key, { url: "not a url" });
    expect(notUrl.status).toBe(422);
    expect(notUrl.body.error).toMatchObject({ code: "invalid_url", param: "url" });
    const withCredentials = await create(server, key, { url: "https://user:pass@hooks.example.com/" });
    expect(withCredentials.body.error.code).toBe("invalid_url");
    const noKey = await server.call("POST", "/v1/webhook-endpoints", { body: { url: "https://hooks.example.com/" } });
    expect(noKey.status).toBe(401);
  });

  it("keeps each tenant's endpoints and events to itself", async () => {
    const { server, key } = await setup();
    const intruder = await server.createTenant({ name: "Other Platform" });
    const endpoint = await create(server, key, { url: "https://hooks.example.com/" });
    const id = endpoint.body.id as string;
    const { id: bookingId } = await paidBooking(server, key);
    const events = await server.call("GET", "/v1/events", { key });
    const eventId = events.body.data[0].id as string;

    const asIntruder = (method: string, path: string, body?: Json) =>
      server.call(method, path, { key: intruder.key, body });
    for (const res of [
      await asIntruder("GET", `/v1/webhook-endpoints/${id}`),
      await asIntruder("PATCH", `/v1/webhook-endpoints/${id}`, { enabled: false }),
      await asIntruder("POST", `/v1/webhook-endpoints/${id}/rotate-secret`),
      await asIntruder("DELETE", `/v1/webhook-endpoints/${id}`),
      await asIntruder("GET", `/v1/events/${eventId}`),
      await asIntruder("POST", `/v1/events/${eventId}/redeliver`, {}),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.type).toBe("not_found_error");
    }
    expect((await asIntruder("GET", "/v1/webhook-endpoints")).body.data).toEqual([]);
    expect((await asIntruder("GET", "/v1/events")).body.data).toEqual([]);
    expect((await asIntruder("GET", `/v1/events?booking_id=${bookingId}`)).body.data).toEqual([]);

    // The intruder's own event cannot be redelivered to another tenant's endpoint either.
    await asIntruder("POST", "/v1/webhook-endpoints", { url: "https://hooks.example.com/mine" });
    await server.call("POST", "/v1/bookings", { key: intruder.key, body: bookingBody(server.clock) });
    const own = (await asIntruder("GET", "/v1/events")).body.data[0].id as string;
    const crossed = await asIntruder("POST", `/v1/events/${own}/redeliver`, { endpoint_id: id });
    expect(crossed.status).toBe(404);
    expect(crossed.body.error.param).toBe("endpoint_id");

    // Nothing of the owner's changed.
    const after = await server.call("GET", `/v1/webhook-endpoints/${id}`, { key });
    expect(after.body).toMatchObject({ enabled: true });
    expect((await server.call("GET", `/v1/events/${eventId}`, { key })).body.deliveries).toHaveLength(1);
  });
});

describe("SSRF", () => {
  it("refuses plain http, private, link-local and loopback addresses in production", async () => {
    const { server, key } = await setup({ mode: "production" });
    const refusals: [string, string][] = [
      ["http://hooks.example.com/", "url_not_https"],
      ["http://127.0.0.1:8080/", "url_not_https"],
      ["https://10.0.0.1/", "url_forbidden_address"],
      ["https://172.16.5.4/", "url_forbidden_address"],
      ["https://192.168.1.20/", "url_forbidden_address"],
      ["https://169.254.169.254/latest/meta-data/", "url_forbidden_address"],
      ["https://100.64.0.1/", "url_forbidden_address"],
      ["https://0.0.0.0/", "url_forbidden_address"],
      ["https://127.0.0.1/", "url_forbidden_address"],
      ["https://2130706433/", "url_forbidden_address"], // 127.0.0.1 spelled as one number
      ["https://[::1]/", "url_forbidden_address"],
      ["https://[fe80::1]/", "url_forbidden_address"],
      ["https://[fd00::1]/", "url_forbidden_address"],
      ["https://[::ffff:10.0.0.1]/", "url_forbidden_address"], // the URL parser rewrites it to ::ffff:a00:1
      ["https://[::ffff:169.254.169.254]/", "url_forbidden_address"],
      ["https://[64:ff9b::a9fe:a9fe]/", "url_forbidden_address"], // NAT64 of 169.254.169.254
      ["https://localhost/", "url_forbidden_address"],
      ["https://intranet.example.com/", "url_forbidden_address"],
      ["https://mixed.example.com/", "url_forbidden_address"],
      ["https://v6-private.example.com/", "url_forbidden_address"],
      ["https://nowhere.example.com/", "url_unresolvable"],
    ];
    for (const [url, code] of refusals) {
      const res = await create(server, key, { url });
      expect({ url, status: res.status, code: res.body.error?.code, param: res.body.error?.param }).toEqual({
        url,
        status: 422,
        code,
        param: "url",
      });
    }
    const forbidden = await create(server, key, { url: "https://intranet.example.com/" });
    expect(forbidden.body.error.message).toContain("10.20.30.40");

    // Changing an endpoint's URL is held to the same rules.
    const ok = await create(server, key, { url: "https://hooks.example.com/" });
    expect(ok.status).toBe(200);
    const moved = await server.call("PATCH", `/v1/webhook-endpoints/${ok.body.id}`, {
      key,
      body: { url: "https://169.254.169.254/" },
    });
    expect(moved.status).toBe(422);
    expect(moved.body.error.code).toBe("url_forbidden_address");
    expect((await server.call("GET", `/v1/webhook-endpoints/${ok.body.id}`, { key })).body.url).toBe(
      "https://hooks.example.com/",
    );
    expect((await server.call("GET", "/v1/webhook-endpoints", { key })).body.data).toHaveLength(1);
  });

  it("checks the address again when connecting, so a name that later resolves privately is refused", async () => {
    // At save time the stub DNS says the name is public; at delivery the real resolver says loopback.
    const receiver = await new Receiver().start();
    cleanups.push(() => receiver.close());
    const { server, key } = await setup({
      mode: "production",
      webhookTransport: new StubDnsTransport({ localhost: ["93.184.216.34"] }),
    });
    const endpoint = await create(server, key, { url: receiver.url("/hook", "localhost").replace("http:", "https:") });
    expect(endpoint.status).toBe(200);
    await server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock) });

    expect(await deliverDueWebhooks(server.deps)).toBe(1);
    expect(receiver.received).toEqual([]);
    const eventId = (await server.call("GET", "/v1/events", { key })).body.data[0].id;
    const [delivery] = (await server.call("GET", `/v1/events/${eventId}`, { key })).body.deliveries;
    expect(delivery).toMatchObject({ status: "pending", attempt_count: 1, last_status_code: null });
    expect(delivery.last_error).toMatch(/refused to connect to (127\.0\.0\.1|::1) \(loopback address\)/);
  });

  it("never delivers to a loopback address in production, even to an endpoint saved in development", async () => {
    const { url, cleanup } = await tempDatabaseUrl();
    cleanups.push(cleanup);
    const receiver = await new Receiver().start();
    cleanups.push(() => receiver.close());
    const dev = await createTestServer({ url, mode: "development", clock: new ManualClock(Date.now()) });
    cleanups.push(() => dev.close());
    const prod = await createTestServer({ url, mode: "production", clock: dev.clock });
    cleanups.push(() => prod.close());
    const { key } = await dev.createTenant();
    for (const path of ["/by-ip", "/by-name"]) {
      const host = path === "/by-ip" ? "127.0.0.1" : "localhost";
      expect((await create(dev, key, { url: receiver.url(path, host) })).status).toBe(200);
    }
    await dev.call("POST", "/v1/bookings", { key, body: bookingBody(dev.clock) });

    expect(await deliverDueWebhooks(prod.deps)).toBe(2);
    expect(receiver.received).toEqual([]);
    const eventId = (await prod.call("GET", "/v1/events", { key })).body.data[0].id;
    const { deliveries } = (await prod.call("GET", `/v1/events/${eventId}`, { key })).body;
    expect(deliveries).toHaveLength(2);
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({ status: "pending", last_status_code: null });
      expect(delivery.last_error).toMatch(/refused to connect to (127\.0\.0\.1|::1) \(loopback address\)/);
    }
    // The development server itself may deliver there.
    dev.clock.advance(10_000);
    expect(await deliverDueWebhooks(dev.deps)).toBe(2);
    expect(receiver.received).toHaveLength(2);
  });

  it("allows loopback receivers over http in development mode, but still no private addresses", async () => {
    const { server, key } = await setup({ mode: "development" });
    for (const url of ["http://127.0.0.1:9000/hook", "http://localhost:9000/hook", "http://[::1]:9000/hook"]) {
      const res = await create(server, key, { url });
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
    }
    const refusals: [string, string][] = [
      ["http://10.0.0.1/", "url_forbidden_address"],
      ["http://169.254.169.254/", "url_forbidden_address"],
      ["http://hooks.example.com/", "url_not_https"],
      ["https://intranet.example.com/", "url_forbidden_address"],
    ];
    for (const [url, code] of refusals) {
      const res = await create(server, key, { url });
      expect({ url, status: res.status, code: res.body.error?.code }).toEqual({ url, status: 422, code });
    }
  });
});

describe("GET /v1/events", () => {
  it("filters by type and booking, newest first, with cursor pagination", async () => {
    const { server, key } = await setup();
    const first = await paidBooking(server, key);
    const second = await paidBooking(server, key);
    const unpaid = await server.call("POST", "/v1/bookings", { key, body: bookingBody(server.clock) });

    const all = await server.call("GET", "/v1/events?limit=100", { key });
    // booking.created ×3 and escrow.held ×2; the join-window events are not due yet.
    expect(all.body.data.map((e: Json) => e.type)).toEqual([
      "booking.created",
      "escrow.held",
      "booking.created",
      "escrow.held",
      "booking.created",
    ]);
    for (const event of all.body.data) {
      expect(event).toMatchObject({ id: expect.stringMatching(/^evt_/), object: "event" });
    }

    const created: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/v1/events?type=booking.created&limit=2${cursor ? `&starting_after=${cursor}` : ""}`;
      const page = await server.call("GET", query, { key });
      expect(page.status).toBe(200);
      pages++;
      for (const event of page.body.data) {
        expect(event.type).toBe("booking.created");
        created.push(event.data.booking.id);
      }
      cursor = page.body.next_cursor;
      expect(page.body.has_more).toBe(cursor !== null);
    } while (cursor);
    expect(pages).toBe(2);
    expect(created).toEqual([unpaid.body.id, second.id, first.id]);

    const ofFirst = await server.call("GET", `/v1/events?booking_id=${first.id}`, { key });
    expect(ofFirst.body.data.map((e: Json) => e.type)).toEqual(["escrow.held", "booking.created"]);
    const heldOfSecond = await server.call("GET", `/v1/events?booking_id=${second.id}&type=escrow.held`, { key });
    expect(heldOfSecond.body.data.map((e: Json) => e.booking_id)).toEqual([second.id]);

    expect((await server.call("GET", "/v1/events?type=no.such", { key })).status).toBe(400);
    expect((await server.call("GET", "/v1/events?starting_after=evt_missing", { key })).status).toBe(404);
  });
});
