/**
 * Invite codes and random ids. Codes are 12 symbols of Crockford's base32 (60 bits):
 * guessing one is hopeless, and the few failed attempts allowed per hour make it more so.
 * Only a hash is stored; the code itself is shown once, to the officer who asked for it.
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

/** Url-safe random id with `bytes` bytes of entropy. */
export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString("base64url");
}
