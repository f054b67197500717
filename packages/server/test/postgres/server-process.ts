// One LessonKit server process for the multi-process tests: `lessonkit start` as the CLI runs it
// (configuration from the environment, JSON logs on stdout, SIGTERM drains), with the lease on
// money operations shortened to TEST_RELEASE_LEASE_MS so a process killed mid-payout is taken over
// within the test.
import { loadEnv } from "../../src/env";
import { startServer } from "../../src/server";

const server = await startServer(loadEnv(process.env), {
  releaseLeaseMs: Number(process.env.TEST_RELEASE_LEASE_MS ?? 300_000),
});
process.on("SIGTERM", async () => {
  const { clean } = await server.shutdown();
  process.exit(clean ? 0 : 1);
});
