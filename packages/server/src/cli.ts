#!/usr/bin/env node
import { openDatabase } from "./adapters/libsql/database";
import { buildDeps } from "./deps";
import { EnvError, loadEnv } from "./env";
import { tick } from "./jobs/tick";
import { startServer } from "./server";

const HELP = `lessonkit <command>

  start [--dev]   serve the API (--dev: development mode, demo tenant, dev keys)
  tick            run all due work once and exit (for an external cron)
  migrate         apply database migrations and exit
`;

async function main(argv: string[]): Promise<number> {
  const [command = "help", ...flags] = argv;
  const dev = flags.includes("--dev");
  const env = loadEnv(process.env, dev ? { LESSONKIT_MODE: "development" } : {});
  switch (command) {
    case "start": {
      const server = await startServer(env);
      const stop = async () => {
        await server.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      return new Promise<number>(() => {});
    }
    case "tick": {
      const database = await openDatabase(env.databaseUrl);
      const deps = buildDeps({
        db: database.db,
        secret: env.secret,
        mode: env.mode,
        agoraFallback: env.agora,
        stripe: { apiUrl: env.stripeApiUrl },
      });
      console.log(JSON.stringify(await tick(deps)));
      database.close();
      return 0;
    }
    case "migrate": {
      const database = await openDatabase(env.databaseUrl);
      database.close();
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
    console.error(error instanceof EnvError ? error.message : error);
    process.exit(1);
  },
);
