import { describe, expect, it } from "vitest";
import { formatStartsIn } from "../src";

const M = 60;
const H = 60 * M;
const D = 24 * H;

/** Every whole minute from 1 minute to 3 days, plus the seconds below a minute, longest first. */
const sweep = [
  ...Array.from({ length: 3 * 24 * 60 }, (_, i) => (3 * 24 * 60 - i) * M),
  ...Array.from({ length: 59 }, (_, i) => 59 - i),
];

describe("formatStartsIn: locales whose relative marker comes before the number", () => {
  it("en, de, fr read two units", () => {
    expect(formatStartsIn(2 * H + 30 * M, "en")).toBe("In 2 hours 30 minutes");
    expect(formatStartsIn(2 * H + 29 * M + 1, "en")).toBe("In 2 hours 30 minutes"); // minutes round up
    expect(formatStartsIn(1 * H + 30 * M, "en")).toBe("In 1 hour 30 minutes");
    expect(formatStartsIn(2 * D + 3 * H, "en")).toBe("In 2 days 3 hours");
    expect(formatStartsIn(2 * H + 30 * M, "de")).toBe("In 2 Stunden 30 Minuten");
    expect(formatStartsIn(1 * D + 5 * H, "de")).toBe("In 1 Tag 5 Stunden");
    // fr's unit format writes "2\u00a0heures" (no-break space), its relative one "dans 2 heures".
    expect(formatStartsIn(2 * H + 30 * M, "fr")).toBe("Dans 2 heures 30 minutes");
  });

  it("keeps the single-unit boundaries", () => {
    expect(formatStartsIn(2 * H, "en")).toBe("In 2 hours");
    expect(formatStartsIn(5 * M, "en")).toBe("In 5 minutes");
    expect(formatStartsIn(60, "en")).toBe("In 1 minute");
    expect(formatStartsIn(59, "en")).toBe("In 59 seconds");
    expect(formatStartsIn(1, "en")).toBe("In 1 second");
    expect(formatStartsIn(0.2, "en")).toBe("In 1 second");
    expect(formatStartsIn(5 * M, "de")).toBe("In 5 Minuten");
  });

  it("does not glue a unit after a phrase whose case the marker changed (de 'in 2 Tagen')", () => {
    // "in 2 Tagen" is not "in" + "2 Tage", so the hours are not appended to it.
    expect(formatStartsIn(2 * D + 3 * H, "de")).toBe("In 2 Tagen");
    expect(formatStartsIn(2 * D + 12 * H, "de")).toBe("In 3 Tagen");
  });
});

describe("formatStartsIn: locales whose relative marker follows the number", () => {
  it("ja shows one unit, the marker last", () => {
    expect(formatStartsIn(2 * H + 30 * M, "ja")).toBe("3 時間後"); // 2.5 h rounds to 3
    expect(formatStartsIn(2 * H + 29 * M, "ja")).toBe("2 時間後");
    expect(formatStartsIn(2 * H, "ja")).toBe("2 時間後");
    expect(formatStartsIn(1 * H + 30 * M, "ja")).toBe("90 分後"); // below 2 h: exact minutes
    expect(formatStartsIn(1 * H, "ja")).toBe("1 時間後");
    expect(formatStartsIn(5 * M, "ja")).toBe("5 分後");
    expect(formatStartsIn(59, "ja")).toBe("59 秒後");
    expect(formatStartsIn(1, "ja")).toBe("1 秒後");
    expect(formatStartsIn(1 * D + 5 * H, "ja")).toBe("29 時間後"); // below 2 days: hours
    expect(formatStartsIn(2 * D + 12 * H, "ja")).toBe("3 日後");
  });

  it("ko shows one unit, the marker last", () => {
    expect(formatStartsIn(2 * H + 30 * M, "ko")).toBe("3시간 후");
    expect(formatStartsIn(2 * H + 29 * M, "ko")).toBe("2시간 후");
    expect(formatStartsIn(1 * H + 30 * M, "ko")).toBe("90분 후");
    expect(formatStartsIn(5 * M, "ko")).toBe("5분 후");
    expect(formatStartsIn(59, "ko")).toBe("59초 후");
    expect(formatStartsIn(1 * D + 5 * H, "ko")).toBe("29시간 후");
    expect(formatStartsIn(2 * D + 3 * H, "ko")).toBe("2일 후");
  });

  it("tr shows one unit, the marker last", () => {
    expect(formatStartsIn(2 * H + 30 * M, "tr")).toBe("3 saat sonra");
    expect(formatStartsIn(2 * H + 29 * M, "tr")).toBe("2 saat sonra");
    expect(formatStartsIn(1 * H + 30 * M, "tr")).toBe("90 dakika sonra");
    expect(formatStartsIn(5 * M, "tr")).toBe("5 dakika sonra");
    expect(formatStartsIn(1, "tr")).toBe("1 saniye sonra");
    expect(formatStartsIn(1 * D + 5 * H, "tr")).toBe("29 saat sonra");
    expect(formatStartsIn(2 * D + 3 * H, "tr")).toBe("2 gün sonra");
  });

  it.each([
    ["ja", "後"],
    ["ko", " 후"],
    ["tr", " sonra"],
  ])("%s: over every minute up to 3 days, the marker appears once, at the end, after one number", (locale, marker) => {
    for (const seconds of sweep) {
      const text = formatStartsIn(seconds, locale);
      expect(text.endsWith(marker), `${seconds}s → ${text}`).toBe(true);
      expect(text.indexOf(marker.trim()), `${seconds}s → ${text}`).toBe(text.length - marker.trim().length);
      expect(text.match(/\d+/g), `${seconds}s → ${text}`).toHaveLength(1);
    }
  });

  it("ja: as the start approaches, the time shown never goes up and stays close to the time left", () => {
    const unit: Record<string, number> = { 日: D, 時間: H, 分: M, 秒: 1 };
    let previous = Number.POSITIVE_INFINITY;
    for (const seconds of sweep) {
      const text = formatStartsIn(seconds, "ja");
      const [, n, u] = text.match(/^(\d+) (日|時間|分|秒)後$/) ?? [];
      const shown = Number(n) * (unit[u ?? ""] ?? Number.NaN);
      expect(shown, `${seconds}s → ${text}`).toBeLessThanOrEqual(previous);
      // Half a unit when rounded; under an hour off from 1 to 2 days ("1 日後" up to 1 day 59 min, as in
      // en "In 1 day"); exact below 2 hours.
      const tolerance = shown >= 2 * D ? D / 2 : shown >= D ? H - 1 : shown >= 2 * H ? H / 2 : 0;
      expect(Math.abs(shown - seconds), `${seconds}s → ${text}`).toBeLessThanOrEqual(tolerance);
      previous = shown;
    }
  });
});
