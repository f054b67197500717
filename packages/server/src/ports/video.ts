/** The video port: per-participant credentials for the booking's room. */
export interface VideoCredentials {
  provider: "agora";
  appId: string;
  channel: string;
  uid: number;
  token: string;
  /** Epoch ms, in the tenant's clock. */
  expiresAt: number;
}

export interface VideoSettings {
  appId: string;
  appCertificate: string;
}

export interface IssueVideoTokenInput {
  settings: VideoSettings;
  channel: string;
  uid: number;
  /** Epoch ms when the token must stop working, in the tenant's clock. */
  expiresAt: number;
  /** The tenant's current time (it differs from the server's under a sandbox test clock). */
  tenantNow: number;
  /** The server's current time: what the video provider itself checks tokens against. */
  serverNow: number;
}

export interface VideoTokens {
  issue(input: IssueVideoTokenInput): VideoCredentials;
}
