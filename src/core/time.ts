/**
 * Calendar arithmetic on LocalDate strings ("YYYY-MM-DD") in the configured time zone.
 * Vietnam has no daylight saving, but nothing here assumes it.
 */
import type { LocalDate } from "./model.js";

const partsCache = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    partsCache.set(timeZone, f);
  }
  return f;
}

/**
 * The wall clock's fields (year … minute) of the last minute asked, per time zone: every
 * update asks for "today", and formatToParts costs some 2-3% of an update's CPU. Exact
 * for any offset in whole minutes, which every zone has had since 1970; earlier instants
 * (local mean times had seconds) are not kept.
 */
const lastMinute = new Map<string, { minute: number; parts: Readonly<Record<string, string>> }>();

function parts(instant: Date, timeZone: string): Readonly<Record<string, string>> {
  const t = instant.getTime();
  const minute = Math.floor(t / 60_000);
  const kept = lastMinute.get(timeZone);
  if (kept && kept.minute === minute) return kept.parts;
  const out: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) out[p.type] = p.value;
  if (t >= 0) lastMinute.set(timeZone, { minute, parts: Object.freeze(out) });
  return out;
}

/** The day `instant` falls on in `timeZone`. */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const p = parts(instant, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** "HH:MM" of `instant` in `timeZone`. */
export function localTimeOf(instant: Date, timeZone: string): string {
  const p = parts(instant, timeZone);
  return `${p.hour}:${p.minute}`;
}

export function isValidLocalDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

export function makeLocalDate(year: number, month: number, day: number): LocalDate | null {
  const s = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  return isValidLocalDate(s) ? s : null;
}

export function yearOf(d: LocalDate): number {
  return Number(d.slice(0, 4));
}

export function addDays(d: LocalDate, days: number): LocalDate {
  const dt = new Date(`${d}T00:00:00Z`);
  dt.setUTCDate(dt.getUTCDate() + days);
  return dt.toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** dd/mm/yyyy, the form Vietnamese prose uses. */
export function formatDate(d: LocalDate): string {
  return `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
}

/** dd/mm/yyyy HH:MM of an instant in `timeZone`. */
export function formatInstant(instant: Date, timeZone: string): string {
  return `${formatDate(localDateOf(instant, timeZone))} ${localTimeOf(instant, timeZone)}`;
}

/**
 * Years a typed date may fall in. Every date people type belongs to the movement the bot
 * runs (a work's completion, a decision, a campaign's deadlines, an export's period): none
 * lies before 2000 or after 2100, so a year outside is a slip of the keyboard (1000, 9999),
 * refused with its own message rather than stored and sorted to either end of every list.
 */
export const DATE_YEARS = { min: 2000, max: 2100 } as const;

export type DateRead = { ok: true; value: LocalDate } | { ok: false; reason: "bad_date" } | { ok: false; reason: "out_of_range"; year: number };

/**
 * Read a date typed by a person: "31/8/2026", "31-08-2026", "31.8.2026" or ISO
 * "2026-08-31". Refused when the text is not a date, the day does not exist (30/02), or
 * the year is outside DATE_YEARS.
 */
export function readUserDate(text: string): DateRead {
  const t = text.trim();
  const dmy = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/.exec(t);
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  const [y, mo, d] = dmy ? [dmy[4], dmy[3], dmy[1]] : iso ? [iso[1], iso[2], iso[3]] : [];
  if (y === undefined) return { ok: false, reason: "bad_date" };
  // The year first: "29/02/0001" is a slip of the year, whatever the day.
  const year = Number(y);
  if (year < DATE_YEARS.min || year > DATE_YEARS.max) return { ok: false, reason: "out_of_range", year };
  const value = makeLocalDate(year, Number(mo), Number(d));
  return value ? { ok: true, value } : { ok: false, reason: "bad_date" };
}

/** `readUserDate`, when only "a date or not" matters (the CLI's options). */
export function parseUserDate(text: string): LocalDate | null {
  const r = readUserDate(text);
  return r.ok ? r.value : null;
}

/**
 * The instant when the wall clock in `timeZone` shows `time` ("07:00") on `day`. Two passes
 * over the zone's offset, so it is right across offset changes too (Vietnam has none).
 */
export function instantOf(day: LocalDate, time: string, timeZone: string): Date {
  const [h, m] = time.split(":").map(Number);
  const wall = Date.parse(`${day}T00:00:00Z`) + (h! * 60 + m!) * 60_000;
  const offsetAt = (t: number) => {
    const p = parts(new Date(t), timeZone);
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - Math.floor(t / 60_000) * 60_000;
  };
  let guess = wall - offsetAt(wall);
  guess = wall - offsetAt(guess);
  return new Date(guess);
}
