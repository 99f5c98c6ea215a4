import { describe, expect, it } from "vitest";
import { sameSecret } from "../../src/adapters/webhook-secret.js";

describe("sameSecret", () => {
  const want = "s3cret-Token_0123456789";
  it("accepts the secret itself", () => {
    expect(sameSecret(want, want)).toBe(true);
  });
  it.each([
    ["one character off", "s3cret-Token_0123456788"],
    ["shorter", "s3cret"],
    ["longer", `${want}x`],
    ["empty", ""],
  ])("refuses a secret %s", (_, got) => {
    expect(sameSecret(got, want)).toBe(false);
  });
  it("refuses a missing or repeated header", () => {
    expect(sameSecret(undefined, want)).toBe(false);
    expect(sameSecret([want, want], want)).toBe(false);
  });
});
