// A student's lesson page on the real SDK client, for the keyboard test: the action button, the
// timer, the platform's own "End session" button and the modal completion dialog.
import { SessionClient } from "@lessonkit/sdk";
import { useState } from "react";
import { createRoot } from "react-dom/client";
import { SessionActionButton, SessionCompleteDialog, SessionTimer, useSessionStatus } from "../../src";

const client = new SessionClient({
  baseUrl: location.origin,
  token: "lk_pt_browser",
  bookingId: "bk_key",
  maxRetries: 0,
});

function Lesson() {
  const { status, update } = useSessionStatus(client, { intervalMs: 500 });
  const [ending, setEnding] = useState(false);
  const canEnd = Boolean(status?.can_end) && !ending;
  // The End button stays in place once the lesson is over (aria-disabled), so focus can come back to it.
  const end = async () => {
    if (!canEnd) return;
    setEnding(true);
    try {
      update(await client.end());
    } finally {
      setEnding(false);
    }
  };
  return (
    <main>
      <h1>Geometry with Tia</h1>
      <SessionActionButton client={client} status={status} locale="en" onStarted={(_, session) => update(session)} />
      {status?.started_at ? <SessionTimer client={client} status={status} locale="en-US" /> : null}
      <p>
        <button type="button" onClick={end} aria-disabled={!canEnd}>
          {status?.status === "completed" ? "Lesson over" : "End session"}
        </button>
      </p>
      <SessionCompleteDialog client={client} status={status} locale="en-US" />
    </main>
  );
}

createRoot(document.getElementById("root") as HTMLElement).render(<Lesson />);
