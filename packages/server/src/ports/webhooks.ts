/** How webhook deliveries leave the building. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Development mode lets deliveries reach loopback receivers. */
  allowLoopback: boolean;
}

export interface WebhookResponse {
  /** The HTTP status, or null when no response came (timeout, connection error, refused address). */
  status: number | null;
  /** Why no response came. */
  error: string | null;
  durationMs: number;
  /** Seconds from a Retry-After header, when the receiver sent one. */
  retryAfterSeconds: number | null;
  bodyExcerpt: string;
}

export interface WebhookTransport {
  /** The addresses a hostname resolves to (for the SSRF check when an endpoint is saved). */
  lookup(hostname: string): Promise<string[]>;
  /**
   * POSTs the request. Never rejects: a timeout, a refused or reset connection, or a destination
   * that resolves to a forbidden address at connect time come back as `status: null` with `error`.
   */
  send(request: WebhookRequest): Promise<WebhookResponse>;
}
