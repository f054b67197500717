import type { LibSQLDatabase } from "drizzle-orm/libsql";
import type * as schema from "../db/schema";

/** The storage port: a drizzle database over libsql with the LessonKit schema. */
export type Database = LibSQLDatabase<typeof schema>;
/** A transaction handle; every state change and its ledger rows and events share one. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** Either: read helpers accept both so they can run inside or outside a transaction. */
export type Queryable = Database | Tx;
