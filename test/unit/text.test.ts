import { describe, expect, it } from "vitest";
import { cleanInbound, cleanName, hasUnstorable, isBlank, storable } from "../../src/core/text.js";

describe("what a door lets through to the core", () => {
  it("removes NUL and replaces lone surrogates, which PostgreSQL cannot store", () => {
    expect(storable("a\u0000b")).toBe("ab");
    expect(storable("x\uD800y\uDFFFz")).toBe("x\uFFFDy\uFFFDz");
    expect(storable("👍 đủ")).toBe("👍 đủ");
    expect(hasUnstorable("a\u0000")).toBe(true);
    expect(hasUnstorable("\uDC00")).toBe(true);
    expect(hasUnstorable("👍 Công đoàn")).toBe(false);
  });

  it("cleans names and titles of direction controls, and gives up on names with nothing visible", () => {
    expect(cleanName("\u202EGiang\u200F  \u2067Ngô\u2069")).toBe("Giang Ngô");
    expect(cleanName("\u200B\u3164\uFEFF")).toBeNull();
    expect(isBlank("\u200B \u00A0\t")).toBe(true);
    expect(isBlank("a\u200B")).toBe(false);
  });

  it("maps a whole update: text storable, a blank name falls back to the user's id, a blank title is dropped", () => {
    const out = cleanInbound({
      platform: "tg",
      chatId: "tg:-1",
      chatKind: "group",
      chatTitle: "\u200B\u200B",
      userId: "tg:7",
      userName: "\u202E\u200B",
      text: "xin\u0000chào\uD800",
    });
    expect(out).toMatchObject({ userName: "tg:7", chatTitle: undefined, text: "xinchào\uFFFD" });
  });
});
