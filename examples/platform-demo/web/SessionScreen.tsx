import type { Booking } from "@lessonkit/sdk";
import type { SessionClient, SessionStatus, VideoCredentials } from "@lessonkit/sdk/browser";
import { SessionCompleteDialog, SessionTimer, useSessionStatus } from "@lessonkit/ui-react";
import { useEffect, useState } from "react";
import { api, type Me, when } from "./api";
import { TutorNotes } from "./TutorNotes";
import { VideoArea } from "./VideoArea";

export interface ActiveSession {
  booking: Booking;
  client: SessionClient;
  /** This participant's Agora credentials from start/join (null when opened only to rate or report). */
  video: VideoCredentials | null;
  status: SessionStatus;
}

interface Props {
  session: ActiveSession;
  me: Me;
  clockVersion: number;
  onLeave: () => void;
}

/** The live lesson: LessonKit's timer, the video, the tutor's notes, "End session", then the completion dialog. */
export function SessionScreen({ session, me, clockVersion, onLeave }: Props) {
  const { client, booking } = session;
  const { status, update, refetch } = useSessionStatus(client, {
    initialStatus: session.status,
    intervalMs: 2_000,
    onTokenExpired: () => api.freshToken(booking.id),
  });
  const [ending, setEnding] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (clockVersion > 0) refetch().catch(() => {});
  }, [clockVersion, refetch]);

  if (!status) return null;
  const tutor = me.user.role === "tutor";
  const live = status.status === "in_progress";
  const withWhom = tutor ? (booking.student.name ?? "your student") : (booking.tutor.name ?? "your tutor");

  const end = async () => {
    setEnding(true);
    setError(null);
    try {
      update(await client.end());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setEnding(false);
    }
  };

  return (
    <section className="session" aria-labelledby="session-title">
      <div className="session__head">
        <div>
          <h1 id="session-title">{booking.subject ?? "Lesson"}</h1>
          <p className="muted">
            with {withWhom} · {when(booking.scheduled_start)}
            {status.status === "completed" ? " · Lesson over" : ""}
          </p>
        </div>
        {live ? <SessionTimer client={client} status={status} locale="en" formatDate={when} /> : null}
      </div>

      {live && session.video ? <VideoArea video={session.video} agoraEnabled={me.agora_enabled} /> : null}

      {tutor ? <TutorNotes client={client} initialNotes={status.notes ?? ""} /> : null}

      <div className="session__actions">
        {status.can_end ? (
          <button type="button" className="danger" onClick={end} disabled={ending}>
            {ending ? "Ending…" : "End session"}
          </button>
        ) : null}
        <button type="button" onClick={onLeave}>
          Back to lessons
        </button>
        {error ? <span role="alert">{error}</span> : null}
      </div>

      <SessionCompleteDialog
        client={client}
        status={status}
        locale="en"
        formatDate={when}
        onRated={() => refetch()}
        onDisputed={() => refetch()}
        onClose={onLeave}
      />
    </section>
  );
}
