// The page the Chromium test opens: the three components on the real SDK client, against the
// test's loopback API, styled by the package's own stylesheet.
import { SessionClient } from "@lessonkit/sdk";
import { useState } from "react";
import { createRoot } from "react-dom/client";
import { SessionActionButton, SessionCompleteDialog, SessionTimer } from "../../src";

const client = (bookingId: string) =>
  new SessionClient({ baseUrl: location.origin, token: "lk_pt_browser", bookingId, maxRetries: 0 });

const upcoming = client("bk_upcoming");
const running = client("bk_live");
const done = client("bk_done");

function Page() {
  const [channel, setChannel] = useState<string | null>(null);
  return (
    <main style={{ display: "grid", gap: "1.5rem", padding: "1.5rem", fontFamily: "system-ui, sans-serif" }}>
      <section aria-label="Upcoming lesson">
        <h2>Algebra, upcoming</h2>
        <SessionActionButton client={upcoming} locale="en" />
      </section>
      <section aria-label="Live lesson">
        <h2>Geometry, live</h2>
        <div style={{ display: "flex", alignItems: "center", gap: "1.5rem" }}>
          <SessionTimer client={running} />
          <SessionActionButton client={running} onStarted={(video) => setChannel(video.channel)} />
        </div>
        {channel ? <p>Connected to {channel}</p> : null}
      </section>
      <section aria-label="Finished lesson">
        <SessionCompleteDialog client={done} locale="en-US" modal={false} />
      </section>
    </main>
  );
}

createRoot(document.getElementById("root") as HTMLElement).render(<Page />);
