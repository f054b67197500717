import type { SessionClient } from "@lessonkit/sdk/browser";
import { useEffect, useRef, useState } from "react";

const DEBOUNCE_MS = 600;

/** The tutor's notes, saved to LessonKit as they type (debounced; saves go out one at a time, in order). */
export function TutorNotes({ client, initialNotes }: { client: SessionClient; initialNotes: string }) {
  const [text, setText] = useState(initialNotes);
  const [state, setState] = useState<"idle" | "pending" | "saving" | "saved" | "error">("idle");
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(text);
  const savedText = useRef(initialNotes);
  const queue = useRef<Promise<void>>(Promise.resolve());

  const save = () => {
    const value = latest.current;
    queue.current = queue.current.then(async () => {
      if (value !== latest.current || value === savedText.current) return; // a newer save follows
      setState("saving");
      try {
        await client.saveNotes(value);
        savedText.current = value;
        setError(null);
        setState(value === latest.current ? "saved" : "pending");
      } catch (err) {
        setError(err instanceof Error ? err.message : String(err));
        setState("error");
      }
    });
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: re-arm the debounce on every change of `text`.
  useEffect(() => {
    if (text === savedText.current) return;
    const timer = setTimeout(save, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const label =
    state === "saving" || state === "pending"
      ? "Saving…"
      : state === "saved"
        ? "Notes saved"
        : state === "error"
          ? `Not saved: ${error}`
          : "";
  return (
    <div className="notes">
      <label htmlFor="tutor-notes">Lesson notes (only you see them; saved as you type)</label>
      <textarea
        id="tutor-notes"
        value={text}
        rows={6}
        maxLength={10_000}
        onChange={(e) => {
          latest.current = e.target.value;
          setText(e.target.value);
          setState("pending");
        }}
        onBlur={save}
      />
      <span className="notes__state" role="status" aria-live="polite">
        {label}
      </span>
    </div>
  );
}
