/** Numbers as people write them: Vietnamese groups thousands with ".", English with ",". */
import type { Locale } from "./model.js";

export function formatNumber(n: bigint | number, locale: Locale): string {
  const sep = locale === "vi" ? "." : ",";
  const whole = typeof n === "bigint" ? n : BigInt(Math.trunc(n));
  const negative = whole < 0n;
  const digits = (negative ? -whole : whole).toString();
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return negative ? `-${grouped}` : grouped;
}

export type IntegerParse =
  | { ok: true; value: bigint }
  | { ok: false; reason: "not_number" | "negative" | "not_integer" | "too_large" };

/** The largest figure a report accepts (a quadrillion đồng is beyond any union's value). */
export const MAX_FIGURE = 10n ** 15n;

/**
 * Read a non-negative whole number typed by a person: "1250", "1.250", "1 250",
 * "1,250" (groups of three). "1,5" is a decimal and is refused, as is "-3" or "mười".
 */
export function parseCount(text: string): IntegerParse {
  // Any run of spaces (including the no-break space some keyboards insert) counts as one.
  const t = text.trim().replace(/\s+/g, " ");
  if (/^-\s?\d/.test(t)) return { ok: false, reason: "negative" };
  let digits: string | null = null;
  if (/^\d+$/.test(t)) digits = t;
  else if (/^\d{1,3}([., ]\d{3})+$/.test(t) && new Set(t.replace(/\d/g, "")).size === 1) digits = t.replace(/[., ]/g, "");
  else if (/^\d+[.,]\d+$/.test(t)) return { ok: false, reason: "not_integer" };
  if (digits === null) return { ok: false, reason: "not_number" };
  const value = BigInt(digits);
  if (value > MAX_FIGURE) return { ok: false, reason: "too_large" };
  return { ok: true, value };
}

/** First `max` characters of `text` on one line, with an ellipsis when cut. */
export function excerpt(text: string, max: number): string {
  const one = text.replace(/\s+/g, " ").trim();
  if (one.length <= max) return one;
  return max < 2 ? "…" : `${one.slice(0, max - 1).trimEnd()}…`;
}
