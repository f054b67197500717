import { type FormEvent, type ReactNode, useEffect, useId, useState } from "react";
import type { Role, SessionClientLike, SessionStatus } from "./client";
import { useSessionStatus } from "./useSessionStatus";

export interface CompleteDialogMessages {
  title: string;
  /** The tutor's payment is scheduled: "… released on Tuesday, 3 March at 14:00". */
  releaseOn: (when: string, role: Role) => string;
  released: string;
  disputed: string;
  ratingLegend: string;
  star: (n: number) => string;
  comment: string;
  submit: string;
  submitting: string;
  thanks: string;
  later: string;
  close: string;
}

export const defaultCompleteMessages: CompleteDialogMessages = {
  title: "Session completed",
  releaseOn: (when, role) =>
    role === "tutor" ? `Your payment will be released on ${when}.` : `The tutor's payment will be released on ${when}.`,
  released: "The tutor's payment has been released.",
  disputed: "The tutor's payment is on hold while a dispute is reviewed.",
  ratingLegend: "How was the lesson?",
  star: (n) => (n === 1 ? "1 star" : `${n} stars`),
  comment: "Comment (optional)",
  submit: "Submit rating",
  submitting: "Submitting…",
  thanks: "Thanks for your rating.",
  later: "Later",
  close: "Close",
};

export interface SessionCompleteDialogProps {
  client: Pick<SessionClientLike, "status" | "watch" | "rate">;
  status?: SessionStatus | null;
  initialStatus?: SessionStatus | null;
  locale?: string;
  /**
   * IANA zone for the release time. By default the viewer's own zone, which the server cannot know,
   * so the time is filled in after hydration; pass a zone to render it on the server too.
   */
  timeZone?: string;
  messages?: Partial<CompleteDialogMessages>;
  /** "Later" or "Close" was pressed. The dialog hides itself either way. */
  onClose?: () => void;
  onRated?: (stars: number, comment: string | undefined) => void;
  className?: string;
}

/**
 * Shown once the session is completed: says so, says when the tutor's payment leaves escrow
 * (`escrow.release_at`, in the viewer's time zone), and lets the student rate it 1–5 with a comment
 * (or put it off with "Later"). Renders nothing before the session is completed.
 */
export function SessionCompleteDialog(props: SessionCompleteDialogProps) {
  const { client, locale } = props;
  const controlled = props.status !== undefined;
  const own = useSessionStatus(client, { initialStatus: props.initialStatus, enabled: !controlled });
  const status = controlled ? props.status : own.status;
  const messages = { ...defaultCompleteMessages, ...props.messages };
  const titleId = useId();
  const [open, setOpen] = useState(true);
  const [stars, setStars] = useState(0);
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rated, setRated] = useState(false);
  // The viewer's zone is only known in the browser: format after mount unless a zone was given.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);

  if (!open || !status || status.status !== "completed") return null;

  const close = () => {
    setOpen(false);
    props.onClose?.();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (stars < 1) return;
    setBusy(true);
    setError(null);
    const text = comment.trim() || undefined;
    try {
      await client.rate(stars, text);
      setRated(true);
      props.onRated?.(stars, text);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const releaseAt = status.escrow.release_at;
  let payment: ReactNode = null;
  if (status.escrow.status === "released") payment = messages.released;
  else if (status.escrow.status === "disputed") payment = messages.disputed;
  else if (releaseAt && status.escrow.status === "release_scheduled") {
    const zone = props.timeZone;
    const when =
      zone || mounted
        ? new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short", timeZone: zone }).format(
            new Date(releaseAt),
          )
        : "";
    payment = when ? messages.releaseOn(when, status.role) : null;
  }
  const canRate = status.role === "student" && !status.rating && !rated;
  const className = ["lk-complete", props.className].filter(Boolean).join(" ");

  return (
    <div className={className} role="dialog" aria-labelledby={titleId}>
      <h2 className="lk-complete__title" id={titleId}>
        {messages.title}
      </h2>
      <p className="lk-complete__payment">
        {payment && releaseAt && status.escrow.status === "release_scheduled" ? (
          <time dateTime={releaseAt}>{payment}</time>
        ) : (
          payment
        )}
      </p>
      {canRate ? (
        <form className="lk-complete__rating" onSubmit={submit}>
          <fieldset className="lk-stars" disabled={busy}>
            <legend>{messages.ratingLegend}</legend>
            {[1, 2, 3, 4, 5].map((n) => (
              <label key={n} className="lk-stars__star" data-filled={n <= stars ? "" : undefined}>
                <input
                  type="radio"
                  name={`${titleId}-stars`}
                  value={n}
                  checked={stars === n}
                  onChange={() => setStars(n)}
                  aria-label={messages.star(n)}
                />
                <span aria-hidden="true">★</span>
              </label>
            ))}
          </fieldset>
          <label className="lk-complete__comment">
            {messages.comment}
            <textarea value={comment} onChange={(e) => setComment(e.target.value)} disabled={busy} maxLength={2000} />
          </label>
          {error ? (
            <p className="lk-complete__error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="lk-complete__actions">
            <button type="submit" className="lk-complete__submit" disabled={busy || stars < 1} aria-busy={busy}>
              {busy ? messages.submitting : messages.submit}
            </button>
            <button type="button" className="lk-complete__later" onClick={close}>
              {messages.later}
            </button>
          </div>
        </form>
      ) : (
        <>
          {rated ? (
            <p className="lk-complete__thanks" role="status">
              {messages.thanks}
            </p>
          ) : null}
          <div className="lk-complete__actions">
            <button type="button" className="lk-complete__close" onClick={close}>
              {messages.close}
            </button>
          </div>
        </>
      )}
    </div>
  );
}
