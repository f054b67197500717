import { createRequire } from "node:module";
import type { IssueVideoTokenInput, VideoCredentials, VideoTokens } from "../../ports/video";

interface AccessToken2Instance {
  add_service(service: unknown): void;
  build(): string;
}
interface ServiceRtcInstance {
  add_privilege(privilege: number, expire: number): void;
}
interface AccessToken2Module {
  AccessToken2: new (appId: string, appCertificate: string, issueTs: number, expire: number) => AccessToken2Instance;
  ServiceRtc: (new (
    channel: string,
    uid: number,
  ) => ServiceRtcInstance) & {
    kPrivilegeJoinChannel: number;
    kPrivilegePublishAudioStream: number;
    kPrivilegePublishVideoStream: number;
    kPrivilegePublishDataStream: number;
  };
}

// agora-token's builder reads the wall clock for the issue time; building through AccessToken2
// lets the issue time come from our clock, so token lifetimes are exact and testable.
const { AccessToken2, ServiceRtc } = createRequire(import.meta.url)(
  "agora-token/src/AccessToken2",
) as AccessToken2Module;

/** Agora RTC tokens (AccessToken2, "007…") with publisher privileges for one uid in one channel. */
export class AgoraTokens implements VideoTokens {
  issue(input: IssueVideoTokenInput): VideoCredentials {
    const lifetimeSeconds = Math.max(1, Math.ceil((input.expiresAt - input.tenantNow) / 1000));
    const issueTs = Math.floor(input.serverNow / 1000);
    const token = new AccessToken2(input.settings.appId, input.settings.appCertificate, issueTs, lifetimeSeconds);
    const rtc = new ServiceRtc(input.channel, input.uid);
    for (const privilege of [
      ServiceRtc.kPrivilegeJoinChannel,
      ServiceRtc.kPrivilegePublishAudioStream,
      ServiceRtc.kPrivilegePublishVideoStream,
      ServiceRtc.kPrivilegePublishDataStream,
    ]) {
      rtc.add_privilege(privilege, lifetimeSeconds);
    }
    token.add_service(rtc);
    const built = token.build();
    if (!built) throw new Error("Agora settings are not valid 32-character hex ids");
    return {
      provider: "agora",
      appId: input.settings.appId,
      channel: input.channel,
      uid: input.uid,
      token: built,
      expiresAt: input.expiresAt,
    };
  }
}
