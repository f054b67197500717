import type { VideoCredentials } from "@lessonkit/sdk/browser";
import { useEffect, useRef, useState } from "react";
import { when } from "./api";

/**
 * With AGORA_APP_ID set, joins the lesson's Agora channel with the credentials LessonKit issued
 * (agora-rtc-sdk-ng, loaded only then). Without it, shows what it would join and says video is off.
 */
export function VideoArea({ video, agoraEnabled }: { video: VideoCredentials; agoraEnabled: boolean }) {
  if (!agoraEnabled) {
    return (
      <section className="video video--off" aria-label="Video">
        <p>
          <strong>Video is off</strong>: set AGORA_APP_ID and AGORA_APP_CERTIFICATE to join the call with Agora.
        </p>
        <dl>
          <dt>Channel</dt>
          <dd>{video.channel}</dd>
          <dt>Your uid</dt>
          <dd>{video.uid}</dd>
          <dt>Token expires</dt>
          <dd>{when(video.expires_at)}</dd>
        </dl>
      </section>
    );
  }
  return <AgoraVideo video={video} />;
}

function AgoraVideo({ video }: { video: VideoCredentials }) {
  const local = useRef<HTMLDivElement>(null);
  const remote = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<"connecting" | "connected" | "failed">("connecting");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let left = false;
    let leave: (() => Promise<void>) | undefined;
    (async () => {
      const { default: AgoraRTC } = await import("agora-rtc-sdk-ng");
      const client = AgoraRTC.createClient({ mode: "rtc", codec: "vp8" });
      client.on("user-published", async (user, mediaType) => {
        await client.subscribe(user, mediaType);
        if (mediaType === "video" && remote.current) user.videoTrack?.play(remote.current);
        if (mediaType === "audio") user.audioTrack?.play();
      });
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
      setState("failed");
      setError(err instanceof Error ? err.message : String(err));
    });
    return () => {
      left = true;
      void leave?.();
    };
  }, [video]);

  return (
    <section className="video" aria-label="Video" data-state={state}>
      <div className="video__remote" ref={remote} />
      <div className="video__local" ref={local} />
      <p className="muted">
        {state === "failed" ? `Video failed: ${error}` : state === "connecting" ? "Connecting to video…" : "Connected"}
        {" · "}channel {video.channel}, token until {when(video.expires_at)}
      </p>
    </section>
  );
}
