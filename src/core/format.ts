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

/**
 * A report figure as a line shows it: its label and its amount, worded by
 * `figures.<key>.amount` — a count bare ("1.250"), money with its currency ("350.000.000 đồng").
 */
export function figureText(t: (key: string, params?: Record<string, unknown>) => string, locale: Locale, key: string, value: bigint): { label: string; amount: string } {
  return { label: t(`figures.${key}.label`), amount: t(`figures.${key}.amount`, { value: formatNumber(value, locale) }) };
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

export type DecimalParse =
  | { ok: true; value: number }
  | { ok: false; reason: "not_number" | "negative" | "too_precise" | "too_large" };

/** The largest planned or reached value of a target (the column holds 2 decimals exactly below this). */
export const MAX_DECIMAL = 1e12;

/**
 * Read a non-negative number with up to two decimals, as people write it in `locale`.
 * Vietnamese: "5,5", "1.250", "1.250,75", "1 250"; English mirrors the separators
 * ("5.5", "1,250.75"). A single separator followed by exactly three digits groups
 * thousands ("1.250" is 1250 in Vietnamese); the other separator, or one followed by one
 * or two digits ("1.5"), marks the decimals.
 */
export function parseDecimal(text: string, locale: Locale = "vi"): DecimalParse {
  const t = text.trim().replace(/\s+/g, " ");
  if (/^-\s?\d/.test(t)) return { ok: false, reason: "negative" };
  const [group, point] = locale === "vi" ? [".", ","] : [",", "."];
  const esc = (c: string) => `\\${c}`;
  let whole: string;
  let frac = "";
  const m = new RegExp(`^(\\d{1,3}(?:[${esc(group)} ]\\d{3})+|\\d+)(?:${esc(point)}(\\d+))?$`).exec(t);
  if (m) {
    whole = m[1]!;
    frac = m[2] ?? "";
    // One separator of either kind: mixed groupings ("1.250 000") are not a number.
    if (new Set(whole.replace(/\d/g, "")).size > 1) return { ok: false, reason: "not_number" };
    whole = whole.replace(/[., ]/g, "");
  } else {
    // The grouping sign used as a point ("1.5" in Vietnamese, "5,5" in English): a decimal.
    const alt = new RegExp(`^(\\d+)[${esc(group)}](\\d{1,2}|\\d{4,})$`).exec(t);
    if (!alt) return { ok: false, reason: "not_number" };
    whole = alt[1]!;
    frac = alt[2]!;
  }
  frac = frac.replace(/0+$/, "");
  if (frac.length > 2) return { ok: false, reason: "too_precise" };
  const value = Number(`${whole}.${frac || "0"}`);
  if (value > MAX_DECIMAL) return { ok: false, reason: "too_large" };
  return { ok: true, value };
}

/** A target value as people read it: "1.250,5" in Vietnamese, "1,250.5" in English; at most two decimals. */
export function formatDecimal(n: number, locale: Locale): string {
  const cents = Math.round(Math.abs(n) * 100);
  const whole = formatNumber(BigInt(Math.floor(cents / 100)) * (n < 0 ? -1n : 1n), locale);
  const frac = String(cents % 100).padStart(2, "0").replace(/0+$/, "");
  return frac ? `${whole}${locale === "vi" ? "," : "."}${frac}` : whole;
}

/** How much of `planned` was reached, in whole percent; null when nothing was planned. */
export function percentOf(reached: number, planned: number): number | null {
  return planned > 0 ? Math.round((reached / planned) * 100) : null;
}
