#!/usr/bin/env node
import { openStorage } from "./adapters/storage";
import { buildDeps } from "./deps";
import { EnvError, loadEnv } from "./env";
import { tick } from "./jobs/tick";
import { createLogger } from "./lib/logger";
import { type Role, startServer } from "./server";

const HELP = `lessonkit <command>

  start [--dev] [--api] [--worker]
                  run the server (--dev: development mode, demo tenant, dev keys). By default it
                  serves the API and runs the workers (the tick and webhook delivery); --api or
                  --worker runs only that part, so the API can be scaled apart from the workers.
                  SIGTERM or SIGINT drains it and exits 0.
  tick            run all due work once and exit (for an external cron)
  migrate         apply database migrations and exit
`;

const START_FLAGS = new Set(["--dev", "--api", "--worker"]);

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command = "help", ...flags] = argv;
  const dev = flags.includes("--dev");
  if (command === "start") {
    const unknown = flags.find((flag) => !START_FLAGS.has(flag));
    if (unknown) throw new UsageError(`Unknown option for start: ${unknown} (see lessonkit help)`);
  }
  const env = loadEnv(process.env, dev ? { LESSONKIT_MODE: "development" } : {});
  switch (command) {
    case "start": {
      const asked = (["api", "worker"] as const).filter((role) => flags.includes(`--${role}`));
      const roles: Role[] = asked.length > 0 ? asked : ["api", "worker"];
      const logger = createLogger({ level: env.logLevel, format: env.logFormat });
      const server = await startServer(env, { roles, logger });
      let signals = 0;
      const stop = async (signal: NodeJS.Signals) => {
        // A second signal while draining means "now".
        if (++signals > 1) process.exit(1);
        logger.info({ signal }, "signal received");
        const { clean } = await server.shutdown();
        process.exit(clean ? 0 : 1);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      return new Promise<number>(() => {});
    }
    case "tick": {
      const database = await openStorage(env.databaseUrl, { pool: env.databasePool });
      const deps = buildDeps({
        db: database.db,
        secret: env.secret,
        mode: env.mode,
        agoraFallback: env.agora,
        stripe: { apiUrl: env.stripeApiUrl },
      });
      console.log(JSON.stringify(await tick(deps)));
      await database.close();
      return 0;
    }
    case "migrate": {
      const database = await openStorage(env.databaseUrl, { pool: env.databasePool });
      await database.close();
      console.log(`migrated ${env.databaseUrl}`);
      return 0;
    }
    default:
      console.log(HELP);
      return command === "help" || command === "--help" ? 0 : 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof EnvError || error instanceof UsageError ? error.message : error);
    process.exit(1);
  },
);
