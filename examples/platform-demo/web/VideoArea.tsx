import type { VideoCredentials } from "@lessonkit/sdk/browser";
import { useEffect, useRef, useState } from "react";

/**
 * With video set up (AGORA_APP_ID on the backend), joins the lesson's Agora channel with the
 * credentials LessonKit issued (agora-rtc-sdk-ng, loaded only then). Without it, tells the person
 * in plain words that this lesson has no video, and what still works.
 */
export function VideoArea({ video, agoraEnabled }: { video: VideoCredentials; agoraEnabled: boolean }) {
  if (!agoraEnabled) {
    return (
      <section className="video video--off" aria-label="Video">
        <p className="video__title">Video isn't available for this lesson</p>
        <p>
          Tutorly's video calls aren't switched on yet. The lesson timer and notes work as usual; use the call app you
          agreed on with the other participant to see and hear each other.
        </p>
      </section>
    );
  }
  return <AgoraVideo video={video} />;
}

type VideoState = "connecting" | "connected" | "blocked" | "failed";

const MESSAGES: Record<VideoState, string> = {
  connecting: "Connecting your camera and microphone…",
  connected: "You're on video.",
  blocked:
    "Tutorly can't use your camera or microphone. Allow them in your browser (the camera icon in the address bar), then try again.",
  failed: "The video call couldn't connect. Check your internet connection and try again.",
};

function AgoraVideo({ video }: { video: VideoCredentials }) {
  const local = useRef<HTMLDivElement>(null);
  const remote = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<VideoState>("connecting");
  const [otherHere, setOtherHere] = useState(false);
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` reconnects on "Try again".
  useEffect(() => {
    let left = false;
    let leave: (() => Promise<void>) | undefined;
    setState("connecting");
    (async () => {
      const { default: AgoraRTC } = await import("agora-rtc-sdk-ng");
      const client = AgoraRTC.createClient({ mode: "rtc", codec: "vp8" });
      client.on("user-published", async (user, mediaType) => {
        await client.subscribe(user, mediaType);
        setOtherHere(true);
        if (mediaType === "video" && remote.current) user.videoTrack?.play(remote.current);
        if (mediaType === "audio") user.audioTrack?.play();
      });
      client.on("user-left", () => setOtherHere(false));
      await client.join(video.app_id, video.channel, video.token, video.uid);
      const [microphone, camera] = await AgoraRTC.createMicrophoneAndCameraTracks();
      leave = async () => {
        microphone.close();
        camera.close();
        await client.leave();
      };
      if (left) return leave();
      if (local.current) camera.play(local.current);
      await client.publish([microphone, camera]);
      setState("connected");
    })().catch((err: unknown) => {
      const name = err instanceof Error ? `${err.name} ${err.message}` : String(err);
      setState(/permission|notallowed|denied/i.test(name) ? "blocked" : "failed");
    });
    return () => {
      left = true;
      void leave?.();
    };
  }, [video, attempt]);

  return (
    <section className="video" aria-label="Video" data-state={state}>
      <div className="video__remote" ref={remote}>
        {state === "connected" && !otherHere ? (
          <p className="video__waiting">Waiting for the other person's video…</p>
        ) : null}
      </div>
      <div className="video__local" ref={local} />
      <p className="video__status" role="status">
        {MESSAGES[state]}
        {state === "blocked" || state === "failed" ? (
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        ) : null}
      </p>
    </section>
  );
}
