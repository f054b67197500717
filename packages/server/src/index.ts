export { openDatabase } from "./adapters/libsql/database";
export { type AppOptions, createApp } from "./app";
export { type BuildDepsInput, buildDeps } from "./deps";
export type { Deps } from "./domain/context";
export { type Env, loadEnv } from "./env";
export { startTickLoop, tick } from "./jobs/tick";
export { type Clock, ManualClock, systemClock } from "./ports/clock";
export { startServer } from "./server";
