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

describe("text with nothing visible, or with direction controls", () => {
  const limit = { min: 3, max: 50 };

  it.each([
    ["zero-width spaces", "\u200B\u200B\u200B\u200B"],
    ["joiners and word joiners", "\u200C\u200D\u2060\u2060"],
    ["direction marks", "\u200E\u200F\u202E\u2066\u2069"],
    ["Hangul fillers and a BOM", "\u3164\u3164\uFEFF"],
    ["soft hyphens and braille blanks", "\u00AD\u00AD\u2800\u2800"],
    ["control characters and NUL", "\u0001\u0000\u0002\u001F"],
    ["variation selectors and a grapheme joiner", "\uFE0F\uFE0F\u034F"],
  ])("refuses %s as blank", (_what, text) => {
    expect(checkText(text, limit)).toMatchObject({ ok: false, reason: "blank" });
  });

  it("strips direction overrides, NUL and lone surrogates from an accepted answer", () => {
    expect(checkText("\u202EAn toàn\u202C lao \u2066động\u2069", limit)).toEqual({ ok: true, value: "An toàn lao động" });
    expect(checkText("Nhà\u0000 xưởng \uD800", limit)).toEqual({ ok: true, value: "Nhà xưởng \uFFFD" });
  });

  it("keeps emoji joined by zero-width joiners, which are visible", () => {
    expect(checkText("👨‍👩‍👧 Gia đình", limit)).toEqual({ ok: true, value: "👨‍👩‍👧 Gia đình" });
  });
});
