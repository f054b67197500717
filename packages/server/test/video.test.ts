import { afterEach, describe, expect, it } from "vitest";
import { parseAgoraToken } from "./agora";
import { AGORA, advance, createTestServer, HOUR, MINUTE, paidBooking, type TestServer } from "./harness";

const OWN = { app_id: "aaaabbbbccccddddeeeeffff00001111", app_certificate: "11112222333344445555666677778888" };

describe("video credentials", () => {
  let server: TestServer;
  afterEach(() => server.close());

  it("use the tenant's own Agora settings when it has them, the server's otherwise", async () => {
    server = await createTestServer();
    const own = await server.createTenant({ agora: OWN });
    const fallback = await server.createTenant({ name: "No Agora" });
    for (const [tenant, appId, certificate] of [
      [own, OWN.app_id, OWN.app_certificate],
      [fallback, AGORA.appId, AGORA.appCertificate],
    ] as const) {
      const lesson = await paidBooking(server, tenant.key, {}, HOUR);
      await advance(server, tenant.key, HOUR - 5 * MINUTE);
      const started = await server.call("POST", `/v1/sessions/${lesson.id}/start`, { key: lesson.tutor });
      expect(started.status).toBe(200);
      expect(started.body.video.app_id).toBe(appId);
      expect(parseAgoraToken(started.body.video.token).verify(certificate)).toBe(true);
    }
  });

  it("gives each booking its own channel and each participant a stable uid", async () => {
    server = await createTestServer();
    const { key } = await server.createTenant();
    const a = await paidBooking(server, key, {}, HOUR);
    const b = await paidBooking(server, key, {}, HOUR);
    await advance(server, key, HOUR - 5 * MINUTE);
    const aTutor = await server.call("POST", `/v1/sessions/${a.id}/start`, { key: a.tutor });
    const bTutor = await server.call("POST", `/v1/sessions/${b.id}/start`, { key: b.tutor });
    const aTutorAgain = await server.call("POST", `/v1/sessions/${a.id}/join`, { key: a.tutor });
    expect(aTutor.body.video.channel).not.toBe(bTutor.body.video.channel);
    expect(aTutorAgain.body.video.uid).toBe(aTutor.body.video.uid);
    expect(aTutorAgain.body.video.channel).toBe(aTutor.body.video.channel);
  });

  it("refuses to start, changing nothing, when no Agora settings exist anywhere", async () => {
    server = await createTestServer({ agoraFallback: undefined });
    const { key } = await server.createTenant();
    const lesson = await paidBooking(server, key, {}, HOUR);
    await advance(server, key, HOUR - 5 * MINUTE);
    const started = await server.call("POST", `/v1/sessions/${lesson.id}/start`, { key: lesson.tutor });
    expect(started.status).toBe(409);
    expect(started.body.error.code).toBe("video_not_configured");
    const booking = await server.call("GET", `/v1/bookings/${lesson.id}`, { key });
    expect(booking.body.status).toBe("confirmed");
    expect(booking.body.session.started_at).toBeNull();
  });
});
