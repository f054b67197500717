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
      <ul className="signin__choices">
        <li>
          <a className="button primary" href="?as=student">
            Ana, the student
          </a>
        </li>
        <li>
          <a className="button" href="?as=tutor">
            Tom, the tutor
          </a>
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
  // Every 2 s: the sandbox clock another window moved shows here soon after.
  const me = usePoll(api.me, 2_000, [clockVersion]);
  const list = usePoll(api.bookings, 3_000, [clockVersion]);

  if (!me.data) {
    return <p className="loading">{me.error ? `Cannot reach Tutorly right now: ${me.error}` : "Loading…"}</p>;
  }
  const { user, other } = me.data;
  return (
    <div className="layout">
      <header className="topbar">
        <strong className="brand">Tutorly</strong>
        <span className="account">
          <span>
            Signed in as <b>{user.name}</b> ({user.role})
          </span>
          <a href={`?as=${other.role}`}>Switch to {other.name}</a>
        </span>
        {user.role === "tutor" ? <TutorBalance clockVersion={clockVersion} /> : null}
      </header>
      {me.data.sandbox ? (
        <TimeTravel
          tenantNow={me.data.tenant_now}
          rows={list.data ?? []}
          onAdvanced={() => setClockVersion((v) => v + 1)}
        />
      ) : null}
      <main className="content">
        {active ? (
          <SessionScreen session={active} me={me.data} clockVersion={clockVersion} onLeave={() => setActive(null)} />
        ) : (
          <BookingsScreen me={me.data} list={list} clockVersion={clockVersion} onEnter={setActive} />
        )}
      </main>
      <aside className="sidebar">
        <NotificationsFeed />
      </aside>
    </div>
  );
}
