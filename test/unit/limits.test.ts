import { describe, it, expect } from "vitest";
import { LIMITS, checkText } from "../../src/core/limits.js";

const limit = { min: 3, max: 5 };

describe("length checks on what people type", () => {
  it("trims the text and returns it", () => {
    expect(checkText("   Hà Nội  \n", { min: 1, max: 50 })).toEqual({ ok: true, value: "Hà Nội" });
  });

  it("drops spaces left at the end of inner lines", () => {
    expect(checkText("dòng 1   \ndòng 2\t\ndòng 3", { min: 1, max: 50 })).toEqual({ ok: true, value: "dòng 1\ndòng 2\ndòng 3" });
  });

  it("refuses a text that is too short, with its length and the minimum", () => {
    expect(checkText("ab", limit)).toEqual({ ok: false, reason: "too_short", length: 2, limit: 3 });
  });

  it("spaces do not count towards the minimum", () => {
    expect(checkText("  ab    ", limit)).toEqual({ ok: false, reason: "too_short", length: 2, limit: 3 });
    expect(checkText("   ", limit)).toEqual({ ok: false, reason: "blank", length: 0, limit: 3 });
  });

  it("refuses a text that is too long, with its length and the maximum", () => {
    expect(checkText("abcdefg", limit)).toEqual({ ok: false, reason: "too_long", length: 7, limit: 5 });
  });

  it("accepts texts of exactly the minimum and the maximum", () => {
    expect(checkText("abc", limit)).toEqual({ ok: true, value: "abc" });
    expect(checkText("abcde", limit)).toEqual({ ok: true, value: "abcde" });
  });

  it("counts a Vietnamese letter typed with combining marks as one character, and stores it composed", () => {
    const nfd = "Việt đẹp".normalize("NFD");
    expect(nfd.length).toBeGreaterThan(8);
    expect(checkText(nfd, { min: 8, max: 8 })).toEqual({ ok: true, value: "Việt đẹp".normalize("NFC") });
  });

  it("counts a five-letter word with stacked diacritics as five", () => {
    const word = "nguyễn".slice(1).normalize("NFD"); // "guyễn": ễ is e + circumflex + tilde
    expect(checkText(word, limit)).toEqual({ ok: true, value: "guyễn" });
  });

  it("counts an emoji as one character, not two UTF-16 units", () => {
    expect("👍".length).toBe(2);
    expect(checkText("ok👍👍👍", limit)).toEqual({ ok: true, value: "ok👍👍👍" });
    expect(checkText("ok👍👍👍👍", limit)).toEqual({ ok: false, reason: "too_long", length: 6, limit: 5 });
  });

  it("a theme title follows the configured limits", () => {
    expect(LIMITS.themeTitle).toEqual({ min: 5, max: 300 });
    expect(checkText("x".repeat(300), LIMITS.themeTitle).ok).toBe(true);
    expect(checkText("x".repeat(301), LIMITS.themeTitle)).toEqual({ ok: false, reason: "too_long", length: 301, limit: 300 });
  });
});
