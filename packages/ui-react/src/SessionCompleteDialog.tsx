import { type FormEvent, type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import type { Escrow, RefreshableClient, Role, SessionClientLike, SessionStatus, TokenRefresher } from "./client";
import { useMounted } from "./useMounted";
import { useSessionStatus } from "./useSessionStatus";

export interface CompleteDialogMessages {
  title: string;
  /** Tutor: the payout is scheduled ("Your payment of $40.00 will be released on …"). */
  payoutOn: (when: string, amount: string) => string;
  /** Tutor: the payout has been made. */
  paidOut: string;
  /** Tutor: the student reported a problem. */
  onHold: string;
  /** Student: until when a problem can be reported; after that the lesson is final. */
  finalOn: (when: string) => string;
  /** Student: the lesson is final (the tutor has been paid). */
  final: string;
  /** Student: a report is open. */
  reported: string;
  /** Either side: the payment went back to the student. */
  refunded: (role: Role) => string;
  ratingLegend: string;
  star: (n: number) => string;
  comment: string;
  submit: string;
  submitting: string;
  thanks: string;
  report: string;
  reason: string;
  sendReport: string;
  sending: string;
  cancelReport: string;
  reportSent: string;
  later: string;
  close: string;
}

export const defaultCompleteMessages: CompleteDialogMessages = {
  title: "Session completed",
  payoutOn: (when, amount) => `Your payment of ${amount} will be released on ${when}.`,
  paidOut: "Your payment has been released.",
  onHold: "Your payment is on hold while a problem the student reported is reviewed.",
  finalOn: (when) => `If something went wrong, you can report a problem until ${when}. After that the lesson is final.`,
  final: "This lesson is final.",
  reported: "You reported a problem. The payment is on hold while the platform reviews it.",
  refunded: (role) => (role === "student" ? "Your payment was refunded." : "The payment was refunded to the student."),
  ratingLegend: "How was the lesson?",
  star: (n) => (n === 1 ? "1 star" : `${n} stars`),
  comment: "Comment (optional)",
  submit: "Submit rating",
  submitting: "Submitting…",
  thanks: "Thanks for your rating.",
  report: "Report a problem",
  reason: "What went wrong?",
  sendReport: "Send report",
  sending: "Sending…",
  cancelReport: "Cancel",
  reportSent: "Your report was sent. The payment is on hold while it is reviewed.",
  later: "Later",
  close: "Close",
};

export interface SessionCompleteDialogProps {
  client: Pick<SessionClientLike, "status" | "watch" | "rate" | "dispute"> & RefreshableClient;
  status?: SessionStatus | null;
  initialStatus?: SessionStatus | null;
  /**
   * A modal dialog (default: native `<dialog>` opened with `showModal()`: focus moves in, the page
   * behind is inert, Escape closes it, focus returns to where it was), or `false` for an inline
   * panel in the page's flow.
   */
  modal?: boolean;
  locale?: string;
  /**
   * IANA zone for the dates. By default the viewer's own zone, which the server cannot know, so
   * dates are filled in after hydration; pass a zone to render them on the server too.
   */
  timeZone?: string;
  /** Formats the dates it mentions, to match the rest of your pages (a full date and time by default). */
  formatDate?: (date: Date) => string;
  messages?: Partial<CompleteDialogMessages>;
  /** "Later", "Close" or Escape. The dialog hides itself either way. */
  onClose?: () => void;
  onRated?: (stars: number, comment: string | undefined) => void;
  /** The student's report was accepted: the escrow as it is now (`disputed`). */
  onDisputed?: (escrow: Escrow) => void;
  /** See `SessionActionButton`: return a fresh participant token when the current one expired. */
  onTokenExpired?: TokenRefresher;
  className?: string;
}

const MAX_TEXT = 2000;
const FOCUSABLE =
  'button:not(:disabled), input:not(:disabled), textarea:not(:disabled), [href], [tabindex]:not([tabindex="-1"])';

/**
 * Shown once the session is completed, to each side in its own terms. The tutor reads when their
 * payment is released. The student rates the lesson (1–5 stars and a comment) and, while the
 * payment is still held, reads until when the lesson can be questioned and may "Report a problem"
 * (a reason, sent with `client.dispute`). Renders nothing before the session is completed.
 */
export function SessionCompleteDialog(props: SessionCompleteDialogProps) {
  const { client, locale, timeZone, modal = true } = props;
  const controlled = props.status !== undefined;
  const own = useSessionStatus(client, {
    initialStatus: props.initialStatus,
    enabled: !controlled,
    onTokenExpired: props.onTokenExpired,
  });
  const status = controlled ? props.status : own.status;
  const messages = { ...defaultCompleteMessages, ...props.messages };
  const titleId = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  const [open, setOpen] = useState(true);
  const [stars, setStars] = useState(0);
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState<"rate" | "report" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rated, setRated] = useState(false);
  const [reporting, setReporting] = useState(false);
  const [reason, setReason] = useState("");
  const [disputed, setDisputed] = useState<Escrow | null>(null);
  const mounted = useMounted();
  // Focus follows the form being worked on: into the report's field when it opens, back to its
  // button when it is canceled, and to the confirmation when a form that had focus goes away.
  const targets = {
    reason: useRef<HTMLTextAreaElement>(null),
    report: useRef<HTMLButtonElement>(null),
    thanks: useRef<HTMLParagraphElement>(null),
    payment: useRef<HTMLParagraphElement>(null),
  };
  const focusNext = useRef<keyof typeof targets | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after each change that moves focus.
  useEffect(() => {
    if (focusNext.current) targets[focusNext.current].current?.focus();
    focusNext.current = null;
  }, [reporting, rated, disputed]);
  const toggleReport = (next: boolean) => {
    focusNext.current = next ? "reason" : "report";
    setReporting(next);
  };
  const visible = open && status?.status === "completed";

  useEffect(() => {
    const dialog = ref.current;
    if (!visible || !modal || !dialog) return;
    const opener = document.activeElement;
    const cancel = (event: Event) => {
      event.preventDefault(); // Escape: close through the same path as "Later"
      setOpen(false);
      onClose.current?.();
    };
    dialog.addEventListener("cancel", cancel);
    if (typeof dialog.showModal === "function") {
      if (!dialog.open) dialog.showModal();
    } else {
      // No native modal dialogs (older browsers, jsdom): open it; onKeyDown keeps focus inside.
      dialog.setAttribute("open", "");
    }
    // Focus goes to the first control: the first star for a student who may rate, else a button.
    focusables(dialog)[0]?.focus();
    return () => {
      dialog.removeEventListener("cancel", cancel);
      if (dialog.open && typeof dialog.close === "function") dialog.close();
      if (opener instanceof HTMLElement && opener.isConnected && opener !== document.body) opener.focus();
    };
  }, [visible, modal]);

  if (!visible || !status) return null;

  const close = () => {
    setOpen(false);
    props.onClose?.();
  };
  const run = async (kind: "rate" | "report", action: () => Promise<void>) => {
    setBusy(kind);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };
  const submitRating = (event: FormEvent) => {
    event.preventDefault();
    if (stars < 1) return;
    const text = comment.trim() || undefined;
    return run("rate", async () => {
      await client.rate(stars, text);
      focusNext.current = "thanks";
      setRated(true);
      props.onRated?.(stars, text);
    });
  };
  const submitReport = (event: FormEvent) => {
    event.preventDefault();
    const text = reason.trim();
    if (!text) return;
    return run("report", async () => {
      const escrow = await client.dispute(text);
      focusNext.current = "payment";
      setDisputed(escrow);
      setReporting(false);
      props.onDisputed?.(escrow);
    });
  };
  // Tab and Shift+Tab cycle inside (a native modal would let Tab leave for the browser's own UI);
  // without a native modal dialog, Escape closes it here (a native one sends "cancel").
  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    const dialog = ref.current;
    if (!modal || !dialog) return;
    if (event.key === "Escape" && typeof dialog.showModal !== "function") {
      event.preventDefault();
      close();
    } else if (event.key === "Tab") {
      const items = focusables(dialog);
      const first = items[0];
      const last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last?.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first?.focus();
      }
    }
  };

  const role = status.role;
  const escrowStatus = disputed ? "disputed" : status.escrow.status;
  const releaseAt = status.escrow.release_at;
  const when =
    releaseAt && (timeZone || mounted) ? (props.formatDate ?? fullDate(locale, timeZone))(new Date(releaseAt)) : "";
  const disputable = role === "student" && (escrowStatus === "held" || escrowStatus === "release_scheduled");
  let payment: ReactNode = null;
  if (disputed) payment = messages.reportSent;
  else if (escrowStatus === "refunded") payment = messages.refunded(role);
  else if (escrowStatus === "disputed") payment = role === "tutor" ? messages.onHold : messages.reported;
  else if (escrowStatus === "released") payment = role === "tutor" ? messages.paidOut : messages.final;
  else if (when && escrowStatus === "release_scheduled") {
    const text = role === "tutor" ? messages.payoutOn(when, money(status.escrow, locale)) : messages.finalOn(when);
    payment = <time dateTime={releaseAt ?? undefined}>{text}</time>;
  }
  const canRate = role === "student" && !status.rating && !rated;
  const className = ["lk-complete", modal ? "lk-complete--modal" : "lk-complete--inline", props.className]
    .filter(Boolean)
    .join(" ");

  const body = (
    <>
      <h2 className="lk-complete__title" id={titleId}>
        {messages.title}
      </h2>
      {payment ? (
        <p className="lk-complete__payment" role={disputed ? "status" : undefined} ref={targets.payment} tabIndex={-1}>
          {payment}
        </p>
      ) : null}
      {canRate ? (
        <form className="lk-complete__rating" onSubmit={submitRating}>
          <fieldset className="lk-stars" disabled={busy !== null}>
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
          <label className="lk-complete__field">
            {messages.comment}
            <textarea
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              disabled={busy !== null}
              maxLength={MAX_TEXT}
            />
          </label>
          <button
            type="submit"
            className="lk-complete__submit"
            disabled={busy !== null || stars < 1}
            aria-busy={busy === "rate"}
          >
            {busy === "rate" ? messages.submitting : messages.submit}
          </button>
        </form>
      ) : rated ? (
        <p className="lk-complete__thanks" role="status" ref={targets.thanks} tabIndex={-1}>
          {messages.thanks}
        </p>
      ) : null}
      {disputable && reporting ? (
        <form className="lk-complete__report" onSubmit={submitReport}>
          <label className="lk-complete__field">
            {messages.reason}
            <textarea
              ref={targets.reason}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              disabled={busy !== null}
              maxLength={MAX_TEXT}
              required
            />
          </label>
          <div className="lk-complete__actions">
            <button
              type="submit"
              className="lk-complete__send"
              disabled={busy !== null || !reason.trim()}
              aria-busy={busy === "report"}
            >
              {busy === "report" ? messages.sending : messages.sendReport}
            </button>
            <button type="button" className="lk-complete__secondary" onClick={() => toggleReport(false)}>
              {messages.cancelReport}
            </button>
          </div>
        </form>
      ) : null}
      {error ? (
        <p className="lk-complete__error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="lk-complete__actions lk-complete__footer">
        {disputable && !reporting ? (
          <button type="button" className="lk-complete__link" ref={targets.report} onClick={() => toggleReport(true)}>
            {messages.report}
          </button>
        ) : null}
        <button type="button" className="lk-complete__secondary" onClick={close}>
          {canRate ? messages.later : messages.close}
        </button>
      </div>
    </>
  );

  return modal ? (
    <dialog ref={ref} className={className} aria-labelledby={titleId} onKeyDown={onKeyDown}>
      {body}
    </dialog>
  ) : (
    <section className={className} aria-labelledby={titleId}>
      {body}
    </section>
  );
}

/** What Tab can reach inside the dialog, in document order. */
function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>("*")).filter((el) => el.matches(FOCUSABLE));
}

const fullDate = (locale: string | undefined, timeZone: string | undefined) => (date: Date) =>
  new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short", timeZone }).format(date);

/** The tutor's share in the escrow's currency ("$40.00", "¥4,000"). */
function money(escrow: SessionStatus["escrow"], locale: string | undefined): string {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency: escrow.currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(escrow.tutor_amount / 10 ** digits);
}
