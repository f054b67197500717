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
 *
 * The second unit is appended only where the locale's relative phrase is a marker followed by
 * the plain duration ("in " + "2 hours"), so nothing can land after a trailing marker or break a
 * case the marker governs (de "in 2 Tagen" is not "2 Tage"). Elsewhere (ja "2 時間後", ko
 * "2시간 후", tr "2 saat sonra", …) one unit is shown, correct in any locale and never more than
 * half a unit off: below two of the leading unit, the total in the smaller one ("90 分後",
 * "29 時間後"); from two on, the leading unit rounded to the nearest whole ("2 時間後" for
 * 2 h 29 min, "3 時間後" for 2 h 30 min).
 */
export function formatStartsIn(seconds: number, locale?: string): string {
  return capitalize(formatRelativeIn(seconds, locale), locale);
}

/** `formatStartsIn` as the locale writes it inside a sentence: "in 5 minutes", "dans 5 minutes". */
export function formatRelativeIn(seconds: number, locale?: string): string {
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "always" });
  let text: string;
  if (seconds < 60) {
    text = rtf.format(Math.max(1, seconds), "second");
  } else {
    const minutes = Math.ceil(seconds / 60);
    // Minutes per leading unit and per second unit.
    const [bigUnit, bigMinutes, smallUnit, smallMinutes]: [Unit, number, Unit, number] =
      minutes >= 1440 ? ["day", 1440, "hour", 60] : ["hour", 60, "minute", 1];
    const big = Math.floor(minutes / bigMinutes);
    const small = Math.floor((minutes % bigMinutes) / smallMinutes);
    const relative = rtf.format(big, bigUnit);
    // Spaces compared loosely: fr's unit format puts a no-break space where its relative one has " ".
    const plain = unitFormat(locale, bigUnit).format(big).replace(/\s/g, " ");
    text =
      big === 0
        ? rtf.format(minutes, "minute")
        : small === 0
          ? relative
          : relative.length > plain.length && relative.replace(/\s/g, " ").endsWith(plain)
            ? `${relative} ${unitFormat(locale, smallUnit).format(small)}`
            : big < 2
              ? rtf.format(Math.round(minutes / smallMinutes), smallUnit)
              : rtf.format(Math.round(minutes / bigMinutes), bigUnit);
  }
  return text;
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

/**
 * A moment as a person reads it on a clock: "3:10 PM", "15:10"; with the weekday and date added
 * when it is not on the same day as `now` in that zone ("Wed, Mar 6, 3:10 PM").
 */
export function formatMoment(value: Instant, now: Instant, locale?: string, timeZone?: string): string {
  const at = new Date(toMillis(value));
  const day = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeZone });
  const sameDay = day.format(at) === day.format(new Date(toMillis(now)));
  const options: Intl.DateTimeFormatOptions = sameDay
    ? { hour: "numeric", minute: "2-digit", timeZone }
    : { weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZone };
  return new Intl.DateTimeFormat(locale, options).format(at);
}
