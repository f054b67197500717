import { createRoute, z } from "@hono/zod-openapi";
import { saveNotes } from "../../domain/sessions/notes";
import type { App } from "../context";
import { json, jsonBody, jsonWriteErrorResponses } from "../schemas";
import { sessionParams } from "./status";

const Body = z.object({ notes: z.string() }).strict().openapi("SaveNotesRequest");
const NotesSchema = z
  .object({ booking_id: z.string(), notes: z.string(), updated_at: z.string().openapi({ format: "date-time" }) })
  .openapi("SessionNotes");

const route = createRoute({
  method: "put",
  path: "/v1/sessions/{bookingId}/notes",
  tags: ["Sessions"],
  summary: "Save the tutor's notes (plain text, up to 20,000 characters)",
  security: [{ ParticipantToken: [] }],
  request: { params: sessionParams, body: jsonBody(Body) },
  responses: { 200: json(NotesSchema, "The saved notes"), ...jsonWriteErrorResponses },
});

export function register(app: App) {
  app.openapi(route, async (c) => c.json(await saveNotes(c.get("participantCtx"), c.req.valid("json").notes), 200));
}
