import { dropTestSchemas } from "./engine";

/** Vitest global setup of the PostgreSQL runs: no test schema outlives the processes that made it. */
export async function setup() {
  await dropTestSchemas();
}

export async function teardown() {
  await dropTestSchemas();
}
