/**
 * Invite codes and random ids. Codes are 12 symbols of Crockford's base32 (60 bits):
 * guessing one is hopeless, and the few failed attempts allowed per hour make it more so.
 * Only a hash is stored; the code itself is shown once, to the officer who asked for it.
 * Whatever else is stored (kept replies, outbox replies, sandbox transcripts) holds it
 * redacted (`redactCodes`).
 */
import { createHash, randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function randomCode(): string {
  const bytes = randomBytes(12);
  let s = "";
  for (const b of bytes) s += ALPHABET[b & 31];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`;
}

/** Upper-case, drop spaces and dashes, read O as 0 and I/L as 1. Null when it cannot be a code. */
export function normaliseCode(input: string): string | null {
  const s = input
    .toUpperCase()
    .replace(/[\s-]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  if (s.length !== 12) return null;
  for (const ch of s) if (!ALPHABET.includes(ch)) return null;
  return s;
}

export function hashCode(normalised: string): string {
  return createHash("sha256").update(normalised).digest("hex");
}

/** What a code becomes in anything stored. */
export const REDACTED_CODE = "••••-••••-••••";

const NOT_ALNUM_BEFORE = "(?<![0-9A-Za-z-])";
const NOT_ALNUM_AFTER = "(?![0-9A-Za-z-])";
/** A code as the bot shows it (4-4-4), in any case, or 12 upper-case symbols in a row. */
const CODE_SHAPES = new RegExp(`${NOT_ALNUM_BEFORE}(?:[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}|[0-9A-Z]{12})${NOT_ALNUM_AFTER}`, "g");
/** A command that takes a code: its argument is redacted whatever its spacing or case. */
const CODE_COMMAND = /^(\s*\/(?:lienket|link|ketnoi|connect|start)(?:@[A-Za-z0-9_]+)?\s+)([\s\S]+)$/i;

/**
 * `text` with every invite or link code in it replaced by REDACTED_CODE, for storing. Only
 * what reads as a code is touched: the shapes the bot shows codes in, and the argument of
 * a command that redeems one.
 */
export function redactCodes(text: string): string {
  const cmd = CODE_COMMAND.exec(text);
  if (cmd && normaliseCode(cmd[2]!.trim())) return `${cmd[1]}${REDACTED_CODE}`;
  return text.replace(CODE_SHAPES, (m) => (normaliseCode(m) ? REDACTED_CODE : m));
}

/** Url-safe random id with `bytes` bytes of entropy. */
export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString("base64url");
}
