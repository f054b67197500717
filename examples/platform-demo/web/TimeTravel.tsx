import { useEffect, useState } from "react";
import { api } from "./api";

const STEPS = [
  { seconds: 5 * 60, label: "+5 min" },
  { seconds: 3600, label: "+1 h" },
  { seconds: 24 * 3600, label: "+24 h" },
];

/** Sandbox tenants only: moves LessonKit's test clock for this tenant and runs the work that fell due. */
export function TimeTravel({ tenantNow, onAdvanced }: { tenantNow: string; onAdvanced: () => void }) {
  const [offset, setOffset] = useState(() => Date.parse(tenantNow) - Date.now());
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setOffset(Date.parse(tenantNow) - Date.now()), [tenantNow]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);

  const advance = async (seconds: number) => {
    setBusy(true);
    setError(null);
    try {
      const clock = await api.advanceClock(seconds);
      setOffset(Date.parse(clock.now) - Date.now());
      onAdvanced();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const shown = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" }).format(now + offset);
  return (
    <fieldset className="timetravel" aria-label="Time travel" disabled={busy}>
      <legend>Sandbox clock</legend>
      <time className="timetravel__now">{shown}</time>
      {STEPS.map((step) => (
        <button key={step.seconds} type="button" onClick={() => advance(step.seconds)}>
          {step.label}
        </button>
      ))}
      {error ? <span role="alert">{error}</span> : null}
    </fieldset>
  );
}
