/**
 * The secret a platform sends with each webhook call, compared in constant time. Both sides
 * are hashed first, so that neither the content nor the length of the expected secret
 * shows in how long a forged call takes to be refused.
 */
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** `got` is the header as Node parsed it (absent, or repeated, is never the secret). */
export function sameSecret(got: string | string[] | undefined, want: string): boolean {
  if (typeof got !== "string") return false;
  return timingSafeEqual(digest(got), digest(want));
}
