import { describe, it, expect } from "vitest";
import { choiceId, matchChoice, parseChoiceId } from "../../src/core/bot/dialog.js";

const choices = [
  { id: "yes", label: "Tôi đồng ý" },
  { id: "no", label: "Không đồng ý" },
  { id: "later", label: "Để sau" },
];

describe("answering a question by typing", () => {
  it("a number picks that choice, counting from 1", () => {
    expect(matchChoice("1", choices)?.id).toBe("yes");
    expect(matchChoice("2", choices)?.id).toBe("no");
    expect(matchChoice("3", choices)?.id).toBe("later");
  });

  it("0 and numbers past the last choice pick nothing", () => {
    expect(matchChoice("0", choices)).toBeUndefined();
    expect(matchChoice("4", choices)).toBeUndefined();
    expect(matchChoice("9", choices)).toBeUndefined();
  });

  it("the label typed exactly picks that choice", () => {
    expect(matchChoice("Để sau", choices)?.id).toBe("later");
  });

  it("the label typed in another case picks that choice", () => {
    expect(matchChoice("TÔI ĐỒNG Ý", choices)?.id).toBe("yes");
    expect(matchChoice("tôi đồng ý", choices)?.id).toBe("yes");
  });

  it("the label typed with decomposed accents (NFD, as some keyboards send) picks that choice", () => {
    const nfd = "Tôi đồng ý".normalize("NFD");
    expect(nfd).not.toBe("Tôi đồng ý");
    expect(matchChoice(nfd, choices)?.id).toBe("yes");
  });

  it("a label stored decomposed still matches a composed answer", () => {
    const stored = [{ id: "yes", label: "Tôi đồng ý".normalize("NFD") }];
    expect(matchChoice("Tôi đồng ý".normalize("NFC"), stored)?.id).toBe("yes");
  });

  it("surrounding spaces do not matter", () => {
    expect(matchChoice("  Để sau  ", choices)?.id).toBe("later");
  });

  it("the label without its accents is a different answer", () => {
    expect(matchChoice("Toi dong y", choices)).toBeUndefined();
  });

  it("free text, empty text or no choices pick nothing", () => {
    expect(matchChoice("Có lẽ", choices)).toBeUndefined();
    expect(matchChoice("", choices)).toBeUndefined();
    expect(matchChoice("1", [])).toBeUndefined();
  });
});

describe("button ids", () => {
  it("round-trip through choiceId and parseChoiceId", () => {
    expect(choiceId("Ab3_-xYz", 2)).toBe("Ab3_-xYz.2");
    expect(parseChoiceId(choiceId("Ab3_-xYz", 2))).toEqual({ token: "Ab3_-xYz", index: 2 });
    expect(parseChoiceId(choiceId("abcd", 0))).toEqual({ token: "abcd", index: 0 });
    expect(parseChoiceId(choiceId("abcdefghijklmnop", 999))).toEqual({ token: "abcdefghijklmnop", index: 999 });
  });

  it("fit in Telegram's 64-byte callback data", () => {
    expect(Buffer.byteLength(choiceId("abcdefghijklmnop", 999))).toBeLessThanOrEqual(64);
  });

  it.each([
    "",
    "abc.1", // token too short
    "abcdefghijklmnopq.1", // token too long
    "abcd.", // no index
    "abcd.1234", // index too long
    "abcd.-1",
    "abcd1",
    "ab cd.1",
    "abcd.1.2",
    "abc+.1",
    "abcd.1 ",
    "yes",
  ])("refuses the malformed id %j", (id) => {
    expect(parseChoiceId(id)).toBeNull();
  });
});

describe("numbers that are not positions", () => {
  it("fall back to a label that is that number", () => {
    const choices = [{ label: "2025" }, { label: "10" }];
    expect(matchChoice("10", choices)).toBe(choices[1]);
    expect(matchChoice("2", choices)).toBe(choices[1]);
    expect(matchChoice("3", choices)).toBeUndefined();
  });
});
