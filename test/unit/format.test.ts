import { describe, it, expect } from "vitest";
import { MAX_FIGURE, excerpt, formatDecimal, formatNumber, parseCount, parseDecimal, percentOf } from "../../src/core/format.js";

describe("showing figures", () => {
  it("Vietnamese groups thousands with dots", () => {
    expect(formatNumber(123129, "vi")).toBe("123.129");
    expect(formatNumber(1234567n, "vi")).toBe("1.234.567");
  });

  it("English groups thousands with commas", () => {
    expect(formatNumber(123129, "en")).toBe("123,129");
    expect(formatNumber(1234567n, "en")).toBe("1,234,567");
  });

  it("small numbers and zero have no separator", () => {
    expect(formatNumber(0, "vi")).toBe("0");
    expect(formatNumber(0n, "en")).toBe("0");
    expect(formatNumber(999, "vi")).toBe("999");
    expect(formatNumber(1000, "vi")).toBe("1.000");
  });

  it("handles the largest accepted figure, 10^15, as a bigint", () => {
    expect(formatNumber(10n ** 15n, "vi")).toBe("1.000.000.000.000.000");
    expect(formatNumber(10n ** 15n, "en")).toBe("1,000,000,000,000,000");
  });

  it("keeps the minus sign in front of a negative number", () => {
    expect(formatNumber(-1234567, "en")).toBe("-1,234,567");
    expect(formatNumber(-1000n, "vi")).toBe("-1.000");
  });
});

describe("reading a count typed by a person", () => {
  it.each(["1250", "1.250", "1 250", "1,250", " 1250 ", "1\u00a0250"])("reads %j as 1250", (typed) => {
    expect(parseCount(typed)).toEqual({ ok: true, value: 1250n });
  });

  it("reads several groups of three", () => {
    expect(parseCount("1.234.567")).toEqual({ ok: true, value: 1234567n });
    expect(parseCount("1,234,567")).toEqual({ ok: true, value: 1234567n });
    expect(parseCount("1 234 567")).toEqual({ ok: true, value: 1234567n });
  });

  it("reads zero", () => {
    expect(parseCount("0")).toEqual({ ok: true, value: 0n });
  });

  it.each(["1,5", "1.5", "12.50", "1,25"])("refuses the decimal %j as not a whole number", (typed) => {
    expect(parseCount(typed)).toEqual({ ok: false, reason: "not_integer" });
  });

  it.each(["-3", "-1.250", "- 3"])("refuses the negative %j", (typed) => {
    expect(parseCount(typed)).toEqual({ ok: false, reason: "negative" });
  });

  it.each(["mười", "12abc", "1.25.0", "1.250,000", "", "   ", "+3", "1.2.3"])("refuses %j as not a number", (typed) => {
    expect(parseCount(typed)).toEqual({ ok: false, reason: "not_number" });
  });

  it("a space that does not separate groups of three is not read as a thousands separator", () => {
    // The doc comment promises groups of three; "12.50" and "1.2.3" are refused, so "12 50" must be too.
    expect(parseCount("12 50")).toEqual({ ok: false, reason: "not_number" });
  });

  it("accepts exactly 10^15 and refuses anything above it", () => {
    expect(MAX_FIGURE).toBe(10n ** 15n);
    expect(parseCount("1000000000000000")).toEqual({ ok: true, value: 10n ** 15n });
    expect(parseCount("1.000.000.000.000.000")).toEqual({ ok: true, value: 10n ** 15n });
    expect(parseCount("1000000000000001")).toEqual({ ok: false, reason: "too_large" });
    expect(parseCount("1.000.000.000.000.001")).toEqual({ ok: false, reason: "too_large" });
    expect(parseCount("99999999999999999999999999")).toEqual({ ok: false, reason: "too_large" });
  });
});

describe("short excerpts of long texts", () => {
  it("keeps a text that fits, on one line", () => {
    expect(excerpt("Phong trào\n  thi đua", 40)).toBe("Phong trào thi đua");
  });

  it("a text of exactly the limit is not cut", () => {
    expect(excerpt("abcde", 5)).toBe("abcde");
  });

  it("cuts a long text with an ellipsis, within the limit", () => {
    const out = excerpt("Phong trào thi đua yêu nước", 10);
    expect(out).toBe("Phong trà…");
    expect(out.length).toBe(10);
  });

  it("does not leave a space before the ellipsis", () => {
    expect(excerpt("Phong trào thi đua", 7)).toBe("Phong…");
  });
});

describe("reading target values (decimals allowed)", () => {
  it("reads Vietnamese decimals with a comma and thousands with a dot", () => {
    expect(parseDecimal("5,5")).toEqual({ ok: true, value: 5.5 });
    expect(parseDecimal("1.250")).toEqual({ ok: true, value: 1250 });
    expect(parseDecimal("1.250,75")).toEqual({ ok: true, value: 1250.75 });
    expect(parseDecimal("1 250")).toEqual({ ok: true, value: 1250 });
    expect(parseDecimal(" 20 ")).toEqual({ ok: true, value: 20 });
    expect(parseDecimal("0,50")).toEqual({ ok: true, value: 0.5 });
  });

  it("takes a dot not followed by three digits as the decimal point", () => {
    expect(parseDecimal("1.5")).toEqual({ ok: true, value: 1.5 });
    expect(parseDecimal("12.25")).toEqual({ ok: true, value: 12.25 });
  });

  it("reads English the other way round", () => {
    expect(parseDecimal("5.5", "en")).toEqual({ ok: true, value: 5.5 });
    expect(parseDecimal("1,250.75", "en")).toEqual({ ok: true, value: 1250.75 });
    expect(parseDecimal("1,250", "en")).toEqual({ ok: true, value: 1250 });
  });

  it("refuses negatives, words, more than two decimals and absurd sizes", () => {
    expect(parseDecimal("-3")).toEqual({ ok: false, reason: "negative" });
    expect(parseDecimal("mười")).toEqual({ ok: false, reason: "not_number" });
    expect(parseDecimal("1.250 000")).toEqual({ ok: false, reason: "not_number" });
    expect(parseDecimal("1,255")).toEqual({ ok: false, reason: "too_precise" });
    expect(parseDecimal("")).toEqual({ ok: false, reason: "not_number" });
    expect(parseDecimal("10000000000000")).toEqual({ ok: false, reason: "too_large" });
  });

  it("shows values with at most two decimals in the reader's format", () => {
    expect(formatDecimal(1250.5, "vi")).toBe("1.250,5");
    expect(formatDecimal(1250.5, "en")).toBe("1,250.5");
    expect(formatDecimal(20, "vi")).toBe("20");
    expect(formatDecimal(0.25, "vi")).toBe("0,25");
  });

  it("gives the share reached in whole percent, none when nothing was planned", () => {
    expect(percentOf(12, 20)).toBe(60);
    expect(percentOf(5.5, 3)).toBe(183);
    expect(percentOf(3, 0)).toBeNull();
  });
});
