/** Pure time helpers: no clock reads here, every function is given the instants it needs. */

export type Instant = Date | string | number;

export function toMillis(value: Instant): number {
  return typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : value.getTime();
}

/** Whole seconds left until an instant, rounded up, so the value reaches 0 exactly at the instant. */
export function secondsUntil(target: number, now: number): number {
  return Math.ceil((target - now) / 1000) || 0; // `|| 0` turns -0 into 0
}

/** Milliseconds until `secondsUntil(target, now)` changes next. */
export function msToNextSecond(target: number, now: number): number {
  const remainder = (((target - now) % 1000) + 1000) % 1000;
  return remainder === 0 ? 1000 : remainder;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `HH:MM:SS` for a number of seconds (hours may exceed 99). */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

type Unit = "day" | "hour" | "minute" | "second";

const unitFormat = (locale: string | undefined, unit: Unit) =>
  new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "long" });

/**
 * "In 2 hours 30 minutes", "In 5 minutes", "In 45 seconds": the two largest units of a future
 * duration, the leading one through `Intl.RelativeTimeFormat` (so the "in …" wording is the
 * locale's), the second as a plain localised unit. Minutes are rounded up so the text never
 * says "in 0 minutes" while time is left.
 */
export function formatStartsIn(seconds: number, locale?: string): string {
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "always" });
  let text: string;
  if (seconds < 60) {
    text = rtf.format(Math.max(1, seconds), "second");
  } else {
    const minutes = Math.ceil(seconds / 60);
    const [big, bigUnit, small, smallUnit]: [number, Unit, number, Unit] =
      minutes >= 1440
        ? [Math.floor(minutes / 1440), "day", Math.floor((minutes % 1440) / 60), "hour"]
        : [Math.floor(minutes / 60), "hour", minutes % 60, "minute"];
    text =
      big === 0
        ? rtf.format(minutes, "minute")
        : small === 0
          ? rtf.format(big, bigUnit)
          : `${rtf.format(big, bigUnit)} ${unitFormat(locale, smallUnit).format(small)}`;
  }
  return capitalize(text, locale);
}

/** "5 minutes", "1 minute", "30 seconds": a short duration in its largest whole unit. */
export function formatDuration(seconds: number, locale?: string): string {
  return seconds >= 60 && seconds % 60 === 0
    ? unitFormat(locale, "minute").format(seconds / 60)
    : unitFormat(locale, "second").format(seconds);
}

function capitalize(text: string, locale?: string): string {
  return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}
