import { Invalid } from "./errors";

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf("currency").map((code) => code.toLowerCase()));

/** Lowercase ISO 4217 code, or an `invalid_currency` error. */
export function normalizeCurrency(input: string): string {
  const code = input.trim().toLowerCase();
  if (!ISO_CURRENCIES.has(code)) {
    throw Invalid("invalid_currency", `'${input}' is not an ISO 4217 currency code`, "currency");
  }
  return code;
}

export const MAX_AMOUNT = 99_999_999;

/**
 * How a refund is taken from an escrow's unreleased money: from the tutor's share first, then from
 * the platform fee (docs/money.md: "a partial refund … lowers what is released").
 */
export function splitRefund(amount: number, tutorRemaining: number, platformRemaining: number) {
  const fromTutor = Math.min(amount, tutorRemaining);
  const fromPlatform = Math.min(amount - fromTutor, platformRemaining);
  return { fromTutor, fromPlatform };
}

/** Percent of a minor-unit amount, rounded down so we never refund more than the policy says. */
export function percentOf(amount: number, percent: number): number {
  return Math.floor((amount * percent) / 100);
}
