import type { OperationKind } from "../db/schema";

/** How one attempt at a money operation ended (before it is recorded). */
export type OperationOutcome = "succeeded" | "refused" | "unknown" | "blocked" | "exceeds";

/** How one webhook delivery of a batch ended; `handed_back`: not attempted, its lease returned. */
export type DeliveryOutcome = "succeeded" | "retry_scheduled" | "failed" | "handed_back";

/** Work waiting in the database, read when the metrics are scraped. */
export interface Backlog {
  operations: {
    /** Open operations by kind and status, and the failed ones (final: they need a person). */
    counts: { kind: OperationKind; status: "pending" | "in_flight" | "failed"; count: number }[];
    /** How long the longest-waiting due open operation has waited past its due time (0 when none). */
    oldestDueAgeMs: number;
  };
  deliveries: {
    /** Pending deliveries due now. */
    due: number;
    /** Pending deliveries waiting for a later retry. */
    scheduled: number;
    /** How long the longest-waiting due delivery has waited past its due time (0 when none). */
    oldestDueAgeMs: number;
  };
}

/** Connections of a database pool (an adapter with a pool reports it; libsql's local mutex is a pool of one). */
export interface PoolUse {
  size: number;
  busy: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

/**
 * What the server reports about itself. The domain and the jobs report what happened; the metrics
 * adapter counts it, and reads the backlog and the pool when scraped. Tenant ids are passed along
 * and only become labels when the operator opts in.
 */
export interface Metrics {
  httpRequest(method: string, route: string, status: number, seconds: number, tenantId: string | undefined): void;
  tickRun(outcome: "completed" | "interrupted" | "failed", seconds: number): void;
  moneyOperation(kind: OperationKind, outcome: OperationOutcome, tenantId: string): void;
  webhookDelivery(outcome: DeliveryOutcome, tenantId: string): void;
  /** One request to a payment provider (each retry is one), with the provider's error code if it failed. */
  providerRequest(provider: string, seconds: number, errorCode: string | null, tenantId: string): void;
  /** Where the backlog gauges read from (set once the dependencies exist). */
  readBacklogFrom(read: () => Promise<Backlog>): void;
  /** The Prometheus text exposition of everything, and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}
