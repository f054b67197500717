import { useState } from "react";
import { api, signedInAs } from "./api";
import { BookingsScreen } from "./BookingsScreen";
import { NotificationsFeed, TutorBalance } from "./Feed";
import { type ActiveSession, SessionScreen } from "./SessionScreen";
import { TimeTravel } from "./TimeTravel";
import { usePoll } from "./usePoll";

export function App() {
  if (!signedInAs) return <SignIn />;
  return <Platform />;
}

function SignIn() {
  return (
    <main className="signin">
      <h1>Tutorly</h1>
      <p>A small tutoring platform built on LessonKit. Sign in as:</p>
      <ul>
        <li>
          <a href="?as=student">Ana, the student</a>
        </li>
        <li>
          <a href="?as=tutor">Tom, the tutor</a>
        </li>
      </ul>
      <p className="muted">Open each in its own window to play both sides of a lesson.</p>
    </main>
  );
}

function Platform() {
  // Bumped after every time travel: lists, statuses and balances reload at once.
  const [clockVersion, setClockVersion] = useState(0);
  const [active, setActive] = useState<ActiveSession | null>(null);
  const me = usePoll(api.me, 5_000, [clockVersion]);

  if (!me.data) {
    return <p className="loading">{me.error ? `Cannot reach the demo backend: ${me.error}` : "Loading…"}</p>;
  }
  const { user, other } = me.data;
  return (
    <div className="layout">
      <header className="topbar">
        <strong className="brand">Tutorly</strong>
        <span>
          Signed in as <b>{user.name}</b> ({user.role}) ·{" "}
          <a href={`?as=${other.role}`}>
            switch to {other.name} ({other.role})
          </a>
        </span>
        {user.role === "tutor" ? <TutorBalance clockVersion={clockVersion} /> : null}
        {me.data.sandbox ? (
          <TimeTravel tenantNow={me.data.tenant_now} onAdvanced={() => setClockVersion((v) => v + 1)} />
        ) : null}
      </header>
      <main className="content">
        {active ? (
          <SessionScreen session={active} me={me.data} clockVersion={clockVersion} onLeave={() => setActive(null)} />
        ) : (
          <BookingsScreen me={me.data} clockVersion={clockVersion} onEnter={setActive} />
        )}
      </main>
      <aside className="sidebar">
        <NotificationsFeed />
      </aside>
    </div>
  );
}
