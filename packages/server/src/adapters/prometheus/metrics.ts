import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from "prom-client";
import { OPERATION_KINDS } from "../../db/schema";
import type { Backlog, DeliveryOutcome, Metrics, OperationOutcome, PoolUse } from "../../ports/metrics";

export interface PrometheusMetricsOptions {
  /** LESSONKIT_METRICS_TENANT_LABELS: a `tenant_id` label on per-tenant series (one series per tenant). */
  tenantLabels?: boolean;
  /** The process's CPU, memory, event loop and GC (the server turns it on; tests building many apps do not). */
  processMetrics?: boolean;
  /**
   * The database's connection pool, read when scraped. The embedded libsql adapter serializes every
   * statement through one lock (a pool of one); a pooled adapter (Postgres) reports its pool here.
   */
  pool?: () => PoolUse;
}

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const TICK_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600];

/** Children of a labelled metric, kept by their label values: the hot path skips prom-client's label hashing. */
class Children<T> {
  readonly #byKey = new Map<string, T>();
  constructor(private readonly make: (labels: string[]) => T) {}
  get(labels: string[]): T {
    const key = labels.join("\u0000");
    let child = this.#byKey.get(key);
    if (!child) {
      child = this.make(labels);
      this.#byKey.set(key, child);
    }
    return child;
  }
}

/**
 * The request-latency histogram, counted here and exposed through prom-client's registry (which
 * formats any metric with a `get()`). prom-client's own Histogram hashes the label values on every
 * observation, which costs more than the rest of the hottest route's logging; here a request costs
 * one map lookup and two additions.
 */
class RequestHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly #series = new Map<
    string,
    { labels: Record<string, string>; buckets: number[]; sum: number; count: number }
  >();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly bounds: readonly number[],
  ) {}

  observe(values: string[], seconds: number): void {
    const key = values.join("\u0000");
    let series = this.#series.get(key);
    if (!series) {
      const labels = Object.fromEntries(this.labelNames.map((name, i) => [name, values[i] ?? ""]));
      series = { labels, buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    series.sum += seconds;
    series.count++;
    for (let i = 0; i < this.bounds.length; i++) {
      if (seconds <= (this.bounds[i] as number)) {
        series.buckets[i] = (series.buckets[i] ?? 0) + 1;
        break;
      }
    }
  }

  get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const { labels, buckets, sum, count } of this.#series.values()) {
      let cumulative = 0;
      buckets.forEach((n, i) => {
        cumulative += n;
        values.push({
          labels: { le: this.bounds[i] as number, ...labels },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      });
      values.push({ labels: { le: "+Inf", ...labels }, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.#series.clear();
  }
}

/**
 * The metrics of one server instance, in a registry of its own (no global registry: tests build
 * many apps in one process). Label values are bounded: route patterns (never paths), kinds,
 * outcomes, status codes, the provider's error codes, and tenant ids only when opted in.
 */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  readonly #tenantLabels: boolean;
  readonly #http: RequestHistogram;
  readonly #tickRuns: Counter<"outcome">;
  readonly #tickDuration: Histogram;
  readonly #operations: Children<{ inc(): void }>;
  readonly #deliveries: Children<{ inc(): void }>;
  readonly #providerDuration: Children<{ observe(value: number): void }>;
  readonly #providerErrors: Children<{ inc(): void }>;
  readonly #operationsOpen: Gauge<"kind" | "status">;
  readonly #operationsOldest: Gauge;
  readonly #deliveriesPending: Gauge<"state">;
  readonly #deliveriesOldest: Gauge;
  #readBacklog: (() => Promise<Backlog>) | null = null;

  constructor(options: PrometheusMetricsOptions = {}) {
    this.#tenantLabels = options.tenantLabels ?? false;
    const registers = [this.registry];
    const tenant = this.#tenantLabels ? (["tenant_id"] as const) : ([] as const);

    this.#http = new RequestHistogram(
      "lessonkit_http_request_duration_seconds",
      "HTTP requests by route pattern and status, and how long they took (its _count is the number of requests)",
      ["method", "route", "status", ...tenant],
      SECONDS_BUCKETS,
    );
    this.registry.registerMetric(this.#http as unknown as Metric);

    this.#tickRuns = new Counter({
      name: "lessonkit_tick_runs_total",
      help: "Runs of the tick (due work), by how they ended: completed, interrupted by shutdown, failed",
      labelNames: ["outcome"],
      registers,
    });
    this.#tickDuration = new Histogram({
      name: "lessonkit_tick_duration_seconds",
      help: "How long a run of the tick took",
      buckets: TICK_BUCKETS,
      registers,
    });

    const operations = new Counter({
      name: "lessonkit_money_operations_total",
      help: "Attempts at money operations (transfer, refund, transfer_reversal) by outcome: succeeded, refused, unknown (no definitive answer; retried), blocked (payouts disabled), exceeds",
      labelNames: ["kind", "outcome", ...tenant],
      registers,
    });
    this.#operations = new Children((labels) => operations.labels(...labels));
    this.#operationsOpen = new Gauge({
      name: "lessonkit_money_operations",
      help: "Money operations that are pending, in flight (claimed, or sent without a definitive answer) or failed (refused; final)",
      labelNames: ["kind", "status"],
      registers,
    });
    this.#operationsOldest = new Gauge({
      name: "lessonkit_money_operations_oldest_due_age_seconds",
      help: "How long the longest-waiting open money operation has been due (0 when none is)",
      registers,
    });

    const deliveries = new Counter({
      name: "lessonkit_webhook_deliveries_total",
      help: "Webhook delivery attempts by outcome: succeeded, retry_scheduled, failed (given up), handed_back (claimed, not attempted, lease returned)",
      labelNames: ["outcome", ...tenant],
      registers,
    });
    this.#deliveries = new Children((labels) => deliveries.labels(...labels));
    this.#deliveriesPending = new Gauge({
      name: "lessonkit_webhook_deliveries_pending",
      help: "Pending webhook deliveries: due now (the backlog) or scheduled for a later retry",
      labelNames: ["state"],
      registers,
    });
    this.#deliveriesOldest = new Gauge({
      name: "lessonkit_webhook_backlog_oldest_age_seconds",
      help: "How long the longest-waiting due webhook delivery has been due (0 when none is)",
      registers,
    });

    const providerDuration = new Histogram({
      name: "lessonkit_provider_request_duration_seconds",
      help: "Requests to the payment provider (each retry counts), by whether they failed",
      labelNames: ["provider", "outcome", ...tenant],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.#providerDuration = new Children((labels) => providerDuration.labels(...labels));
    const providerErrors = new Counter({
      name: "lessonkit_provider_errors_total",
      help: "Failed requests to the payment provider by the provider's error code (rate_limit, card_declined, api_connection_error, …)",
      labelNames: ["provider", "code", ...tenant],
      registers,
    });
    this.#providerErrors = new Children((labels) => providerErrors.labels(...labels));

    const pool = options.pool;
    if (pool) {
      new Gauge({
        name: "lessonkit_db_pool_connections",
        help: "Database connections by state (busy, idle)",
        labelNames: ["state"],
        registers,
        collect() {
          const use = pool();
          this.set({ state: "busy" }, use.busy);
          this.set({ state: "idle" }, Math.max(0, use.size - use.busy));
        },
      });
      new Gauge({
        name: "lessonkit_db_pool_waiting",
        help: "Callers waiting for a database connection",
        registers,
        collect() {
          this.set(pool().waiting);
        },
      });
    }
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: "lessonkit_" });
  }

  #labels(values: string[], tenantId: string | undefined): string[] {
    return this.#tenantLabels ? [...values, tenantId ?? ""] : values;
  }

  httpRequest(method: string, route: string, status: number, seconds: number, tenantId: string | undefined): void {
    this.#http.observe(this.#labels([method, route, String(status)], tenantId), seconds);
  }

  tickRun(outcome: "completed" | "interrupted" | "failed", seconds: number): void {
    this.#tickRuns.inc({ outcome });
    this.#tickDuration.observe(seconds);
  }

  moneyOperation(kind: string, outcome: OperationOutcome, tenantId: string): void {
    this.#operations.get(this.#labels([kind, outcome], tenantId)).inc();
  }

  webhookDelivery(outcome: DeliveryOutcome, tenantId: string): void {
    this.#deliveries.get(this.#labels([outcome], tenantId)).inc();
  }

  providerRequest(provider: string, seconds: number, errorCode: string | null, tenantId: string): void {
    this.#providerDuration.get(this.#labels([provider, errorCode ? "error" : "ok"], tenantId)).observe(seconds);
    if (errorCode) this.#providerErrors.get(this.#labels([provider, errorCode], tenantId)).inc();
  }

  readBacklogFrom(read: () => Promise<Backlog>): void {
    this.#readBacklog = read;
  }

  async render(): Promise<{ contentType: string; body: string }> {
    if (this.#readBacklog) {
      const backlog = await this.#readBacklog();
      this.#operationsOpen.reset();
      for (const kind of OPERATION_KINDS) {
        for (const status of ["pending", "in_flight", "failed"] as const) this.#operationsOpen.set({ kind, status }, 0);
      }
      for (const row of backlog.operations.counts) {
        this.#operationsOpen.set({ kind: row.kind, status: row.status }, row.count);
      }
      this.#operationsOldest.set(backlog.operations.oldestDueAgeMs / 1000);
      this.#deliveriesPending.set({ state: "due" }, backlog.deliveries.due);
      this.#deliveriesPending.set({ state: "scheduled" }, backlog.deliveries.scheduled);
      this.#deliveriesOldest.set(backlog.deliveries.oldestDueAgeMs / 1000);
    }
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
