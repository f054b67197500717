import { type Client, createClient } from "@libsql/client";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execute } from "../src/db/queries";
import { deliverDueWebhooks } from "../src/domain/webhooks/deliver";
import { tick } from "../src/jobs/tick";
import {
  ADMIN_KEY,
  advance,
  createTestServer,
  HOUR,
  type Json,
  MINUTE,
  paidBooking,
  participantTokens,
  TEST_ENGINE,
  type TestServer,
  tempDatabaseUrl,
} from "./harness";

/**
 * Every hot query proven with the engine's planner: each path below is driven through the real app,
 * every statement drizzle sends for it is captured, and the plan of each (SQLite's `EXPLAIN QUERY
 * PLAN`, PostgreSQL's `EXPLAIN`) must show every table reached through an index search, never read
 * whole. Lists must also walk an index in
 * their order (no temporary B-tree to sort the tenant's rows), so a page costs the same at any size.
 * Plans come from the schema alone (no ANALYZE statistics), so what holds here holds at a million rows.
 */

interface Statement {
  sql: string;
  params: unknown[];
}

const database = await tempDatabaseUrl();
let server: TestServer;
let captured: Statement[] = [];
let key: string;
let lesson: Awaited<ReturnType<typeof paidBooking>>;
let completed: Awaited<ReturnType<typeof paidBooking>>;

/** The statements the app sent while `run` ran. */
async function statementsOf(run: () => Promise<unknown>): Promise<Statement[]> {
  captured = [];
  await run();
  const seen = captured;
  captured = [];
  return seen;
}

const bind = (value: unknown) =>
  typeof value === "boolean"
    ? Number(value)
    : value !== null && typeof value === "object"
      ? JSON.stringify(value)
      : value;

/** What one statement's plan says, read the same way on either engine. */
interface PlanReading {
  /** The plan, one line per step. */
  steps: string[];
  /** Steps that read a whole table (or a whole index, which is the same cost). */
  fullScans: string[];
  /** Steps that sort rows the index did not give in order. */
  sorts: string[];
  /** Index searches constrained by nothing but columns with a handful of values. */
  weak: string[];
  /** Columns some index search of the plan is constrained by. */
  searchedBy: Set<string>;
}

interface Explainer {
  read(statement: Statement): Promise<PlanReading>;
  close(): Promise<void>;
}

/** Columns with a handful of values: an index search on them alone still reads a large share of the table. */
const FEW_VALUES = new Set(["status", "kind", "account", "enabled", "provider", "currency", "type"]);

/** The names a statement's `with` clause gives its own rows (a `values` list is not a table). */
const commonTables = (sql: string) =>
  new Set([...sql.matchAll(/(?:\bwith|,)\s+(\w+)\s*(?:\([^)]*\))?\s+as\s+\(/gi)].map((match) => match[1]!));

/**
 * SQLite: `EXPLAIN QUERY PLAN`, asked on a connection of its own (libsql can leave an explained
 * write statement open on its connection). A SCAN reads a whole table (a virtual table such as
 * json_each is a function call, and a common table expression is the statement's own rows); a
 * TEMP B-TREE sorts.
 */
function sqliteExplainer(): Explainer {
  const client: Client = createClient({ url: database.url });
  return {
    async read(statement) {
      const result = await client.execute({
        sql: `explain query plan ${statement.sql}`,
        args: statement.params.map(bind) as never,
      });
      const steps = result.rows.map((row) => String(row.detail));
      const own = commonTables(statement.sql);
      const searches = steps.flatMap((step) => {
        const constraint = /^SEARCH \S+ USING (?:COVERING |PRIMARY KEY )?(?:INDEX \S+ )?\((.*)\)$/.exec(step)?.[1];
        return constraint
          ? [{ step, columns: constraint.split(" AND ").map((term) => term.replace(/[<>=?].*$/, "")) }]
          : [];
      });
      return {
        steps,
        fullScans: steps.filter(
          (step) => /^SCAN /.test(step) && !/VIRTUAL TABLE|CONSTANT ROW/.test(step) && !own.has(step.split(" ")[1]!),
        ),
        sorts: steps.filter((step) => /TEMP B-TREE/.test(step)),
        weak: searches
          .filter(({ columns }) => columns.every((column) => FEW_VALUES.has(column)))
          .map(({ step }) => step),
        searchedBy: new Set(searches.flatMap(({ columns }) => columns)),
      };
    },
    async close() {
      client.close();
    },
  };
}

interface PgPlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PgPlanNode[];
}

const SQL_WORDS = new Set(["any", "row", "and", "or", "not", "is", "null", "text", "bigint", "integer", "array"]);
/** The column names an `Index Cond` mentions (`((status = $1) AND (release_at <= $2))`). */
const conditionColumns = (condition: string) =>
  [...condition.replace(/'[^']*'/g, "").matchAll(/(?<![$\w.])([a-z_][a-z0-9_]*)(?![\w(])/g)]
    .map((match) => match[1]!)
    .filter((word) => !SQL_WORDS.has(word));

/**
 * PostgreSQL: `EXPLAIN (FORMAT JSON)` with sequential scans priced out of reach (`enable_seqscan`
 * off; for a list, sorts too), so the planner uses an index whenever one can serve the statement,
 * whatever the tables' sizes: a Seq Scan, an index walked without a condition, or (in a list) a
 * Sort left in the plan means no index can.
 */
async function postgresExplainer(ordered: boolean): Promise<Explainer> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query("set enable_seqscan = off");
  if (ordered) await client.query("set enable_sort = off");
  return {
    async read(statement) {
      const result = await client.query<{ "QUERY PLAN": [{ Plan: PgPlanNode }] }>(
        `explain (format json) ${statement.sql}`,
        statement.params.map(bind),
      );
      const nodes: PgPlanNode[] = [];
      const walk = (node: PgPlanNode) => {
        nodes.push(node);
        for (const child of node.Plans ?? []) walk(child);
      };
      walk(result.rows[0]!["QUERY PLAN"][0].Plan);
      const describe = (node: PgPlanNode) =>
        [
          node["Node Type"],
          node["Relation Name"] ? `on ${node["Relation Name"]}` : "",
          node["Index Name"] ? `using ${node["Index Name"]}` : "",
          node["Index Cond"] ?? "",
        ]
          .filter(Boolean)
          .join(" ");
      const indexSteps = nodes.filter((node) => /Index/.test(node["Node Type"]) && node["Index Name"]);
      return {
        steps: nodes.map(describe),
        fullScans: [
          ...nodes.filter((node) => node["Node Type"] === "Seq Scan"),
          ...indexSteps.filter((node) => !node["Index Cond"]),
        ].map(describe),
        sorts: nodes.filter((node) => /Sort$/.test(node["Node Type"])).map(describe),
        // Which of several usable indexes PostgreSQL picks is a cost decision made from the tables'
        // statistics (a handful of rows here: any index looks as cheap as another), so the choice of a
        // status index over a narrower one is SQLite's check alone; here every table must be reachable
        // through some index condition, and a list through an index in its order.
        weak: [],
        searchedBy: new Set(indexSteps.flatMap((node) => conditionColumns(node["Index Cond"] ?? ""))),
      };
    },
    close: () => client.end(),
  };
}

/**
 * Every statement of `run` that scans a table, searches an index by a status alone or (for a list)
 * sorts, with its plan; for a filtered list, also a missing search by the filter's column.
 */
async function regressions(run: () => Promise<unknown>, options: { ordered?: boolean; narrowedBy?: string } = {}) {
  const statements = await statementsOf(run);
  expect(statements.length).toBeGreaterThan(0);
  const found: { sql: string; plan: string[] }[] = [];
  const explainer = TEST_ENGINE === "postgres" ? await postgresExplainer(options.ordered ?? false) : sqliteExplainer();
  let narrowed = false;
  try {
    for (const statement of statements) {
      if (!/^\s*(select|update|delete|insert|with)\b/i.test(statement.sql)) continue;
      const plan = await explainer.read(statement);
      if (plan.fullScans.length > 0 || plan.weak.length > 0 || (options.ordered && plan.sorts.length > 0)) {
        found.push({ sql: statement.sql, plan: plan.steps });
      }
      if (options.narrowedBy && plan.searchedBy.has(options.narrowedBy)) narrowed = true;
    }
  } finally {
    await explainer.close();
  }
  if (options.narrowedBy && !narrowed) found.push({ sql: `no index search by ${options.narrowedBy}`, plan: [] });
  return found;
}

const get = async (path: string, auth = key) => {
  const res = await server.call("GET", path, { key: auth });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Json;
};

beforeAll(async () => {
  server = await createTestServer({ url: database.url, logQuery: (sql, params) => captured.push({ sql, params }) });
  ({ key } = await server.createTenant({ name: "Planned Tutoring" }));
  await server.call("POST", "/v1/webhook-endpoints", {
    key,
    body: { url: "https://platform.example/hooks", event_types: ["escrow.released", "session.started"] },
  });
  lesson = await paidBooking(server, key, { tutor: { id: "tutor_a" }, student: { id: "student_a" } });
  completed = await paidBooking(server, key, { tutor: { id: "tutor_a" }, student: { id: "student_b" } }, 10 * MINUTE);
  server.clock.advance(10 * MINUTE);
  for (const [action, token] of [
    ["start", completed.student],
    ["join", completed.tutor],
    ["end", completed.tutor],
  ] as const) {
    const res = await server.call("POST", `/v1/sessions/${completed.id}/${action}`, { key: token });
    expect(res.status).toBe(200);
  }
  server.clock.advance(25 * HOUR);
  await tick(server.deps);
  // A sandbox tenant whose test clock runs ahead: due work looks for its rows separately.
  const ahead = await server.createTenant({ name: "Ahead Tutoring" });
  await advance(server, ahead.key, HOUR);
});

afterAll(async () => {
  await server.close();
  await database.cleanup();
});

/** Each list with each filter, and the column its index must be searched by (besides the tenant). */
const listPaths = (lessonId: () => string, escrowId: () => string) =>
  [
    ["GET /v1/bookings", () => "/v1/bookings?limit=20", "tenant_id"],
    ["GET /v1/bookings?status", () => "/v1/bookings?status=confirmed&limit=20", "status"],
    ["GET /v1/bookings?tutor_id", () => "/v1/bookings?tutor_id=tutor_a&limit=20", "tutor_id"],
    ["GET /v1/bookings?student_id", () => "/v1/bookings?student_id=student_a&limit=20", "student_id"],
    ["GET /v1/bookings?starting_after", () => `/v1/bookings?limit=1&starting_after=${lessonId()}`, "tenant_id"],
    ["GET /v1/escrows", () => "/v1/escrows?limit=20", "tenant_id"],
    ["GET /v1/escrows?status", () => "/v1/escrows?status=released&limit=20", "status"],
    ["GET /v1/escrows?tutor_id", () => "/v1/escrows?tutor_id=tutor_a&limit=20", "tutor_id"],
    ["GET /v1/escrows?starting_after", () => `/v1/escrows?limit=1&starting_after=${escrowId()}`, "tenant_id"],
    ["GET /v1/events", () => "/v1/events?limit=20", "tenant_id"],
    ["GET /v1/events?type", () => "/v1/events?type=escrow.released&limit=20", "type"],
    ["GET /v1/events?booking_id", () => `/v1/events?booking_id=${lessonId()}&limit=20`, "booking_id"],
    ["GET /v1/operations", () => "/v1/operations?limit=20", "tenant_id"],
    ["GET /v1/operations?status", () => "/v1/operations?status=succeeded&limit=20", "status"],
    ["GET /v1/operations?kind", () => "/v1/operations?kind=transfer&limit=20", "kind"],
    ["GET /v1/operations?escrow_id", () => `/v1/operations?escrow_id=${escrowId()}&limit=20`, "escrow_id"],
  ] as const;

describe("every list walks an index in its order, searched by its filter", () => {
  it.each(
    listPaths(
      () => lesson.id,
      () => completed.escrowId,
    ),
  )("%s", async (_name, path, column) => {
    expect(await regressions(() => get(path()), { ordered: true, narrowedBy: column })).toEqual([]);
  });
});

describe("every single read and balance is an index lookup", () => {
  it.each([
    ["GET /v1/sessions/{id}", () => get(`/v1/sessions/${lesson.id}`, lesson.student)],
    ["GET /v1/bookings/{id}", () => get(`/v1/bookings/${lesson.id}`)],
    ["GET /v1/escrows/{id}", () => get(`/v1/escrows/${completed.escrowId}`)],
    ["GET /v1/tutors/{id}/balance", () => get("/v1/tutors/tutor_a/balance")],
    ["GET /v1/tenant", () => get("/v1/tenant")],
  ])("%s", async (_name, run) => {
    expect(await regressions(run)).toEqual([]);
  });
});

describe("every write is an index lookup", () => {
  it("book, pay, mint tokens, start, join, end", async () => {
    const found = await regressions(async () => {
      const next = await paidBooking(server, key, { tutor: { id: "tutor_b" } }, 3 * MINUTE);
      await participantTokens(server, key, next.id);
      for (const [action, token] of [
        ["start", next.student],
        ["join", next.tutor],
        ["end", next.tutor],
      ] as const) {
        const res = await server.call("POST", `/v1/sessions/${next.id}/${action}`, { key: token });
        expect(res.status).toBe(200);
      }
    });
    expect(found).toEqual([]);
  });
});

describe("due work finds what is due through the (status, deadline) indexes", () => {
  it("an idle tick, with a tenant whose test clock runs ahead", async () => {
    expect(await regressions(() => tick(server.deps))).toEqual([]);
  });

  it("a tick with work: expiry, no-shows, auto-completion, releases", async () => {
    const unpaid = await server.call("POST", "/v1/bookings", {
      key,
      body: {
        external_id: "planned_unpaid",
        student: { id: "student_c" },
        tutor: { id: "tutor_c" },
        scheduled_start: new Date(server.clock.now() + 2 * HOUR).toISOString(),
        duration_minutes: 30,
        amount: 3000,
        currency: "usd",
      },
    });
    expect(unpaid.status).toBe(200);
    await paidBooking(server, key, { tutor: { id: "tutor_d" } }, 10 * MINUTE);
    server.clock.advance(26 * HOUR);
    const found = await regressions(async () => {
      const summary = await tick(server.deps);
      expect(summary.expired + summary.no_shows).toBeGreaterThan(0);
      const released = await tick(server.deps);
      expect(released.release_failures).toBe(0);
    });
    expect(found).toEqual([]);
  });

  it("a tenant's own due work when its test clock moves", async () => {
    expect(await regressions(() => advance(server, key, MINUTE))).toEqual([]);
  });

  it("the webhook worker claiming due deliveries", async () => {
    expect(await regressions(() => deliverDueWebhooks(server.deps))).toEqual([]);
  });
});

describe("the operator's balance reconciliation", () => {
  it("walks the ledger one tutor at a time through its index", async () => {
    const found = await regressions(async () => {
      const res = await server.call("POST", "/v1/admin/reconcile", { key: ADMIN_KEY });
      expect(res.body.mismatches).toEqual([]);
    });
    expect(found).toEqual([]);
  });
});

describe("the check itself", () => {
  it("reports a list that would walk all the tenant's rows once its index is gone", async () => {
    await execute(server.db, sql`drop index bookings_tenant_tutor_seq`);
    try {
      const found = await regressions(() => get("/v1/bookings?tutor_id=tutor_a&limit=20"), {
        ordered: true,
        narrowedBy: "tutor_id",
      });
      expect(found.length).toBeGreaterThan(0);
    } finally {
      await execute(server.db, sql`create index bookings_tenant_tutor_seq on bookings (tenant_id, tutor_id, seq)`);
    }
  });

  it("reports a scan once an index a tick query needs is gone", async () => {
    await execute(server.db, sql`drop index escrows_status_release_at`);
    try {
      expect((await regressions(() => tick(server.deps))).length).toBeGreaterThan(0);
    } finally {
      await execute(server.db, sql`create index escrows_status_release_at on escrows (status, release_at)`);
    }
  });
});
