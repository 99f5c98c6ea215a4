import { describe, it, expect } from "vitest";
import { hashCode, normaliseCode, randomCode, randomId, redactCodes, REDACTED_CODE } from "../../src/core/codes.js";

const SHAPE = /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}$/;

describe("invite codes shown to officers", () => {
  it("have the shape XXXX-XXXX-XXXX in Crockford's alphabet (no I, L, O, U)", () => {
    for (let i = 0; i < 200; i++) expect(randomCode()).toMatch(SHAPE);
  });

  it("1,000 codes in a row are all different", () => {
    const codes = new Set(Array.from({ length: 1000 }, () => randomCode()));
    expect(codes.size).toBe(1000);
  });

  it("a code read back by normaliseCode is the code without dashes", () => {
    const code = randomCode();
    expect(normaliseCode(code)).toBe(code.replace(/-/g, ""));
  });
});

describe("reading a code a person typed", () => {
  it("accepts the canonical form", () => {
    expect(normaliseCode("ABCD-1234-EFGH")).toBe("ABCD1234EFGH");
  });

  it("accepts lower case, spaces and missing dashes", () => {
    expect(normaliseCode("abcd-1234-efgh")).toBe("ABCD1234EFGH");
    expect(normaliseCode("abcd 1234 efgh")).toBe("ABCD1234EFGH");
    expect(normaliseCode("ABCD1234EFGH")).toBe("ABCD1234EFGH");
    expect(normaliseCode("  ab-cd12 34ef-gh ")).toBe("ABCD1234EFGH");
  });

  it("reads O as zero and I or L as one", () => {
    expect(normaliseCode("ABCD-O000-1111")).toBe("ABCD00001111");
    expect(normaliseCode("abcd-oooo-iLlI")).toBe("ABCD00001111");
  });

  it("refuses codes of the wrong length", () => {
    expect(normaliseCode("ABCD-1234-EFG")).toBeNull();
    expect(normaliseCode("ABCD-1234-EFGHJ")).toBeNull();
    expect(normaliseCode("")).toBeNull();
  });

  it("refuses letters outside the alphabet, such as U", () => {
    expect(normaliseCode("ABCD-1234-EFGU")).toBeNull();
    expect(normaliseCode("ABCD-1234-EF#H")).toBeNull();
    expect(normaliseCode("ABCD-1234-ĐFGH")).toBeNull();
  });
});

describe("stored code hashes", () => {
  it("the same code always hashes alike, as a SHA-256 hex digest", () => {
    expect(hashCode("ABCD1234EFGH")).toBe(hashCode("ABCD1234EFGH"));
    expect(hashCode("ABCD1234EFGH")).toMatch(/^[0-9a-f]{64}$/);
    // sha256("ABCD1234EFGH"), computed independently with `printf ABCD1234EFGH | sha256sum`
    expect(hashCode("ABCD1234EFGH")).toBe("72d21fed44fcb4ca886526fe3d1da2fa41976d9a6284b36036f089955dc650fd");
  });

  it("different codes hash differently", () => {
    expect(hashCode("ABCD1234EFGH")).not.toBe(hashCode("ABCD1234EFGJ"));
  });

  it("typed variants of one code hash to the same value once normalised", () => {
    expect(hashCode(normaliseCode("abcd-o234-efgh")!)).toBe(hashCode(normaliseCode("ABCD 0234 EFGH")!));
  });
});

describe("random ids", () => {
  it("are url-safe and of the requested entropy", () => {
    expect(randomId(6)).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(randomId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe("codes in anything stored", () => {
  it("are redacted in every form a person may type after a redeeming command", () => {
    const code = randomCode();
    for (const typed of [code, code.toLowerCase(), code.replace(/-/g, " "), code.replace(/-/g, "")]) {
      for (const cmd of ["/lienket", "/link", "/ketnoi", "/connect", "/start", "/lienket@ThiDuaBot"]) {
        expect(redactCodes(`${cmd} ${typed}`)).toBe(`${cmd} ${REDACTED_CODE}`);
      }
    }
  });

  it("are redacted where the bot shows one, and nothing else is touched", () => {
    const code = randomCode();
    expect(redactCodes(`Mã của đồng chí: ${code}. Hết hạn 01/12/2026.`)).toBe(`Mã của đồng chí: ${REDACTED_CODE}. Hết hạn 01/12/2026.`);
    for (const plain of ["Dây chuyền đóng bao số 2", "/start", "/lienket", "/lienket Phân bón", "professional relationship", "Mã đơn vị PA-2026-0001", "ABCD-EFGH-JKMN-PQRS", "0912-345-678"]) {
      expect(redactCodes(plain)).toBe(plain);
    }
  });
});
