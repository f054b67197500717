import { type Client, createClient } from "@libsql/client";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  type TestServer,
  tempDatabaseUrl,
} from "./harness";

/**
 * Every hot query proven with SQLite's planner: each path below is driven through the real app,
 * every statement drizzle sends for it is captured, and `EXPLAIN QUERY PLAN` of each must show the
 * table reached through an index (SEARCH), never read whole (SCAN). Lists must also walk an index in
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

/**
 * The plan of one statement, one line per step, as `EXPLAIN QUERY PLAN` prints it, asked on a
 * connection of its own (libsql can leave an explained write statement open on its connection).
 */
async function planOf(explainer: Client, statement: Statement): Promise<string[]> {
  const result = await explainer.execute({
    sql: `explain query plan ${statement.sql}`,
    args: statement.params.map(bind) as never,
  });
  return result.rows.map((row) => String(row.detail));
}

/** The names a statement's `with` clause gives its own rows (a `values` list is not a table). */
const commonTables = (sql: string) =>
  new Set([...sql.matchAll(/(?:\bwith|,)\s+(\w+)\s*(?:\([^)]*\))?\s+as\s+\(/gi)].map((match) => match[1]!));
/**
 * Steps that read a whole table (a virtual table such as json_each is a function call, and a common
 * table expression is the statement's own rows, not a table).
 */
const fullScans = (plan: string[], sql: string) => {
  const own = commonTables(sql);
  return plan.filter(
    (step) => /^SCAN /.test(step) && !/VIRTUAL TABLE|CONSTANT ROW/.test(step) && !own.has(step.split(" ")[1]!),
  );
};
const sorts = (plan: string[]) => plan.filter((step) => /TEMP B-TREE/.test(step));
/** Columns with a handful of values: an index search on them alone still reads a large share of the table. */
const FEW_VALUES = new Set(["status", "kind", "account", "enabled", "provider", "currency", "type"]);
/** Index searches constrained by nothing but such columns (`status=?` without its deadline range). */
const weakSearches = (plan: string[]) =>
  plan.filter((step) => {
    const constraint = /^SEARCH \S+ USING (?:COVERING )?INDEX \S+ \((.*)\)$/.exec(step)?.[1];
    if (!constraint) return false;
    return constraint.split(" AND ").every((term) => FEW_VALUES.has(term.replace(/[<>=?].*$/, "")));
  });

/**
 * Every statement of `run` that scans a table, searches an index by a status alone or (for a list)
 * sorts, with its plan; for a filtered list, also a missing search by the filter's column.
 */
async function regressions(run: () => Promise<unknown>, options: { ordered?: boolean; narrowedBy?: string } = {}) {
  const statements = await statementsOf(run);
  expect(statements.length).toBeGreaterThan(0);
  const found: { sql: string; plan: string[] }[] = [];
  const explainer = createClient({ url: database.url });
  let narrowed = false;
  try {
    for (const statement of statements) {
      if (!/^\s*(select|update|delete|insert|with)\b/i.test(statement.sql)) continue;
      const plan = await planOf(explainer, statement);
      if (
        fullScans(plan, statement.sql).length > 0 ||
        weakSearches(plan).length > 0 ||
        (options.ordered && sorts(plan).length > 0)
      ) {
        found.push({ sql: statement.sql, plan });
      }
      if (
        options.narrowedBy &&
        plan.some((step) => step.startsWith("SEARCH") && step.includes(`${options.narrowedBy}=?`))
      ) {
        narrowed = true;
      }
    }
  } finally {
    explainer.close();
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
    await server.db.run(sql`drop index bookings_tenant_tutor_seq`);
    try {
      const found = await regressions(() => get("/v1/bookings?tutor_id=tutor_a&limit=20"), {
        ordered: true,
        narrowedBy: "tutor_id",
      });
      expect(found.length).toBeGreaterThan(0);
    } finally {
      await server.db.run(sql`create index bookings_tenant_tutor_seq on bookings (tenant_id, tutor_id, seq)`);
    }
  });

  it("reports a scan once an index a tick query needs is gone", async () => {
    await server.db.run(sql`drop index escrows_status_release_at`);
    try {
      expect((await regressions(() => tick(server.deps))).length).toBeGreaterThan(0);
    } finally {
      await server.db.run(sql`create index escrows_status_release_at on escrows (status, release_at)`);
    }
  });
});
