import { fileURLToPath } from "node:url";
import { startDemo } from "./start";

// Runs the demo backend against a LessonKit that is already running (the only reader of process.env
// here): LESSONKIT_URL, LESSONKIT_KEY, PORT, AGORA_APP_ID + AGORA_APP_CERTIFICATE.
const { LESSONKIT_URL = "http://127.0.0.1:8787", LESSONKIT_KEY, PORT = "3000" } = process.env;
if (!LESSONKIT_KEY) {
  console.error("Set LESSONKIT_KEY to the tenant's secret key (npm start prints the demo tenant's).");
  process.exit(1);
}
const { AGORA_APP_ID, AGORA_APP_CERTIFICATE } = process.env;
const demo = await startDemo({
  lessonkitUrl: LESSONKIT_URL,
  secretKey: LESSONKIT_KEY,
  port: Number(PORT),
  agora:
    AGORA_APP_ID && AGORA_APP_CERTIFICATE ? { appId: AGORA_APP_ID, appCertificate: AGORA_APP_CERTIFICATE } : undefined,
  webDir: fileURLToPath(new URL("../dist", import.meta.url)),
});
console.log(`Student: ${demo.url}/?as=student`);
console.log(`Tutor:   ${demo.url}/?as=tutor`);
