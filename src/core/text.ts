/**
 * The one place that decides what typed text may be stored and shown to others. Every
 * door passes what people send through `cleanInbound`; every typed answer goes through
 * `checkText` (limits.ts), which uses `cleanAnswer` and `isBlank` from here.
 *
 * - NUL (U+0000) cannot be stored by PostgreSQL (text or jsonb), and a lone surrogate is
 *   not text at all: both are removed or replaced before anything is stored.
 * - Bidirectional controls (U+202A–202E, U+2066–2069, U+200E/200F, U+061C) are removed from
 *   names, titles and answers: a name is shown to other people, and a right-to-left
 *   override in it would make it (and what follows it on the line) read backwards.
 * - Text made only of invisible characters (zero-width spaces, joiners, fillers, the BOM)
 *   is blank: a name, title or answer must have something a person can read.
 */
import type { Inbound } from "./model.js";

/** Lone surrogates: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** C0/C1 control characters other than tab and line breaks; NUL among them. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
/** Characters that change the direction text is shown in. */
export const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** Characters that take no room on screen (besides whitespace and the controls above). */
// (Combining ones — U+034F, U+17B4/5, the variation selectors — stand alone, outside the class.)
const INVISIBLE = /[\u00AD\u115F\u1160\u180E\u200B-\u200D\u2060-\u2064\u206A-\u206F\u2800\u3164\uFEFF\uFFA0]|\u034F|\u17B4|\u17B5|[\u180B-\u180D]|\u180F|[\uFE00-\uFE0F]/g;

/** Text PostgreSQL can store: no NUL, no lone surrogate (replaced by U+FFFD, as a decoder would). */
export function storable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u0000/g, "").replace(LONE_SURROGATE, "\uFFFD");
}

/** Whether `text` holds something the sandbox API must refuse rather than store: NUL or a lone surrogate. */
export function hasUnstorable(text: string): boolean {
  LONE_SURROGATE.lastIndex = 0;
  return text.includes("\u0000") || LONE_SURROGATE.test(text);
}

/** A typed answer as it is kept: storable, without control or direction characters, NFC. */
export function cleanAnswer(text: string): string {
  return storable(text).replace(CONTROL, "").replace(BIDI_CONTROL, "").normalize("NFC");
}

/** True when nothing in `text` would be visible: only whitespace, controls and invisible characters. */
export function isBlank(text: string): boolean {
  return storable(text).replace(CONTROL, "").replace(BIDI_CONTROL, "").replace(INVISIBLE, "").trim() === "";
}

/** A person's or a chat's name as others will see it, on one line; null when nothing readable is left. */
export function cleanName(name: string | undefined): string | null {
  if (name === undefined) return null;
  const value = cleanAnswer(name).replace(/\s+/g, " ").trim();
  return isBlank(value) ? null : value;
}

/**
 * An update as the core may store and handle it, whatever the platform delivered: text and
 * choice storable, names and titles cleaned (a blank name falls back to the user's id).
 */
export function cleanInbound<T extends Inbound>(inbound: T): T {
  const out: T = { ...inbound, userName: cleanName(inbound.userName) ?? inbound.userId };
  if (inbound.chatTitle !== undefined) out.chatTitle = cleanName(inbound.chatTitle) ?? undefined;
  if (inbound.text !== undefined) out.text = storable(inbound.text);
  if (inbound.choice !== undefined) out.choice = storable(inbound.choice);
  if (inbound.languageHint !== undefined) out.languageHint = storable(inbound.languageHint);
  return out;
}
