import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The demo backend serves `dist/` (see server/app.ts). `npm run dev -w @lessonkit/example-platform-demo`
// runs Vite's dev server instead and proxies the backend's routes to DEMO_BACKEND (default :3000).
const backend = process.env.DEMO_BACKEND ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { "/api": backend, "/lessonkit": backend } },
});
