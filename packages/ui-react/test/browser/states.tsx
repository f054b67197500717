// Every state of every component on one page, for the accessibility test: each in its own
// labelled section, on in-page stand-in clients whose clocks are set to the state's moment.
import type { ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { SessionActionButton, SessionCompleteDialog, type SessionStatus, SessionTimer } from "../../src";
import {
  completed,
  END,
  FakeSessionClient,
  live,
  MINUTE,
  makeStatus,
  NO_SHOW,
  OPENS,
  START,
  tokenExpired,
} from "../fixtures";

const iso = (ms: number) => new Date(ms).toISOString();

/** A stand-in client living at the status's `server_time`. */
function at(status: SessionStatus): FakeSessionClient {
  return new FakeSessionClient(status, Date.parse(status.server_time) - Date.now());
}

/** A client whose token has expired: its first poll fails with 401. */
function expiredClient(status: SessionStatus): FakeSessionClient {
  const client = at(status);
  client.watch = (_onChange, options = {}) => {
    queueMicrotask(() => options.onError?.(tokenExpired() as never));
    return () => {};
  };
  return client;
}

/** A client that never answers: the loading state. */
function silentClient(status: SessionStatus): FakeSessionClient {
  const client = at(status);
  client.watch = () => () => {};
  return client;
}

/** A client whose start is refused, so the error state can be shown. */
function refusingClient(status: SessionStatus): FakeSessionClient {
  const client = at(status);
  client.nextEnter = async () => {
    throw new Error("The session can be started from 13:55");
  };
  return client;
}

const aloneTutor = (now: number) =>
  live(now, {
    role: "tutor",
    participants: { student: { name: "Sam", joined_at: null }, tutor: { name: "Tia", joined_at: iso(START) } },
  });
const student = (overrides: Partial<SessionStatus> = {}) => completed({ role: "student", ...overrides });
const escrow = (status: SessionStatus["escrow"]["status"]) => ({ ...completed().escrow, status });

const buttons: Array<[string, FakeSessionClient]> = [
  ["loading", silentClient(makeStatus())],
  ["upcoming", at(makeStatus({}, OPENS - 2 * 60 * MINUTE))],
  ["open (tutor)", at(makeStatus({}, OPENS + MINUTE))],
  ["open, start refused", refusingClient(makeStatus({}, OPENS + MINUTE))],
  ["live (student)", at(live(START + 10 * MINUTE, { role: "student" }))],
  ["closed", at(live(END + MINUTE))],
  ["ended", at(completed())],
  ["canceled", at(makeStatus({ status: "canceled", phase: "canceled" }))],
  ["missed", at(makeStatus({ status: "no_show", phase: "no_show", no_show_side: "tutor" }))],
  ["unpaid", at(makeStatus({ status: "pending_payment" }))],
  ["token expired", expiredClient(makeStatus())],
];

const timers: Array<[string, FakeSessionClient]> = [
  ["loading", silentClient(live(START))],
  ["normal", at(live(START + 10 * MINUTE))],
  ["warning", at(live(END - 4 * MINUTE))],
  ["critical", at(live(END - 40_000))],
  ["overtime", at(live(END + 2 * MINUTE))],
  ["waiting", at(aloneTutor(START + 2 * MINUTE))],
  ["other side absent", at(aloneTutor(NO_SHOW + MINUTE))],
  ["ended", at(completed())],
];

const dialogs: Array<[string, FakeSessionClient]> = [
  ["student, to rate", at(student())],
  ["student, reporting", at(student())],
  ["student, rated", at(student({ rating: { stars: 5, comment: null, rated_at: iso(END) } }))],
  ["student, reported", at(student({ escrow: escrow("disputed") }))],
  ["student, final", at(student({ escrow: escrow("released") }))],
  ["student, refunded", at(student({ escrow: escrow("refunded") }))],
  ["tutor, payout scheduled", at(completed({ role: "tutor" }))],
  ["tutor, paid", at(completed({ role: "tutor", escrow: escrow("released") }))],
  ["tutor, on hold", at(completed({ role: "tutor", escrow: escrow("disputed") }))],
];

function State({ name, children }: { name: string; children: ReactNode }) {
  return (
    <section className="state" aria-label={name} data-state-name={name}>
      <h3>{name}</h3>
      {children}
    </section>
  );
}

function Page() {
  return (
    <main>
      <h1>LessonKit components, every state</h1>
      <h2>Action button</h2>
      {buttons.map(([name, client]) => (
        <State key={name} name={`Action: ${name}`}>
          <SessionActionButton client={client} locale="en" />
        </State>
      ))}
      <h2>Timer</h2>
      {timers.map(([name, client]) => (
        <State key={name} name={`Timer: ${name}`}>
          <SessionTimer client={client} locale="en-US" />
        </State>
      ))}
      <h2>Completion</h2>
      {dialogs.map(([name, client]) => (
        <State key={name} name={`Completion: ${name}`}>
          <SessionCompleteDialog client={client} locale="en-US" modal={false} />
        </State>
      ))}
    </main>
  );
}

createRoot(document.getElementById("root") as HTMLElement).render(<Page />);
