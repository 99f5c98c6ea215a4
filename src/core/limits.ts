import { cleanAnswer, isBlank } from "./text.js";

/** Lengths of what people type, in characters. Longer answers are refused, not cut. */
export const LIMITS = {
  themeTitle: { min: 5, max: 300 },
  narrative: { min: 10, max: 4000 },
  reason: { min: 3, max: 1000 },
  nomineeName: { min: 2, max: 200 },
  position: { min: 2, max: 200 },
  achievement: { min: 10, max: 2000 },
  workName: { min: 3, max: 300 },
  workDescription: { min: 10, max: 2000 },
  keyTask: { min: 5, max: 500 },
  responsible: { min: 2, max: 200 },
  indicator: { min: 3, max: 200 },
  measure: { min: 1, max: 50 },
  maxThemes: 10,
  maxTargets: 10,
  minThemes: 2,
} as const;

export type TextLimit = { min: number; max: number };

export type TextCheck = { ok: true; value: string } | { ok: false; reason: "blank" | "too_short" | "too_long"; length: number; limit: number };

const segmenter = new Intl.Segmenter("vi", { granularity: "grapheme" });

/** Characters as people see them: "👍🏽" is one, "đ" typed with a combining mark is one. */
export function graphemes(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

/**
 * Clean (text.ts: no NUL, controls or direction marks), trim, collapse trailing spaces on
 * lines, and check the length against `limit`. Text with nothing visible is blank, whatever its length.
 */
export function checkText(text: string, limit: TextLimit): TextCheck {
  const value = cleanAnswer(text).replace(/[ \t]+\n/g, "\n").trim();
  if (isBlank(value)) return { ok: false, reason: "blank", length: 0, limit: limit.min };
  const length = graphemes(value);
  if (length < limit.min) return { ok: false, reason: "too_short", length, limit: limit.min };
  if (length > limit.max) return { ok: false, reason: "too_long", length, limit: limit.max };
  return { ok: true, value };
}

/** Files people receive (documents, spreadsheets, pictures) are kept this long, then deleted. */
export const FILE_KEEP_DAYS = 7;

/**
 * A handled update's key (and the time it was handled) is kept this long, then deleted.
 * Telegram keeps an update it could not deliver for 24 hours, so no redelivery comes
 * later than that; Zalo hands each event out once. Twice the longest redelivery window.
 */
export const HANDLED_KEEP_HOURS = 48;

/**
 * Outbox rows that were sent (or given up) are deleted after this many days: long enough to
 * answer "did my announcement reach group X?" over a phase's reminders, no longer. A
 * completed broadcast keeps its counts on its own row.
 */
export const OUTBOX_KEEP_DAYS = 30;
