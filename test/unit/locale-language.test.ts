/**
 * The union's language, checked over every text the bot can say: one spelling convention
 * (hóa, xóa, hủy, tùy), officers addressed as "đồng chí" rather than "bạn", numbers
 * formatted alike in both languages, and English texts free of Vietnamese words. (Keys and
 * placeholders matching between the languages are checked in locales.test.ts.)
 */
import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTranslator } from "../../src/infra/i18n.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const LOCALES = path.join(ROOT, "locales");
const SEED = path.join(ROOT, "src/seed/catalog");

/** Every string in a JSON document, with where it sits ("review.list", "[3].vi"). */
function strings(o: unknown, at = ""): [string, string][] {
  if (typeof o === "string") return [[at, o]];
  if (Array.isArray(o)) return o.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (o && typeof o === "object") return Object.entries(o).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
  return [];
}

const json = (file: string) => JSON.parse(readFileSync(file, "utf8")) as unknown;
const catalogueFiles = readdirSync(path.join(LOCALES, "vi")).filter((f) => f.endsWith(".json"));
const catalogue = (lng: string, file: string) => new Map(strings(json(path.join(LOCALES, lng, file))));

/**
 * The other convention: the tone mark on the second vowel of an open "oa", "oe", "uy"
 * (hoá, xoá, khoẻ, huỷ, tuỳ). "quý", "quỹ" are right as they are (qu is one consonant), and
 * a syllable with a final consonant keeps its tone on the second vowel (hoàn, thuyết).
 */
const NEW_STYLE = /(?<![qQ])(?:[oO][áàảãạÁÀẢÃẠ]|[oO][éèẻẽẹÉÈẺẼẸ]|[uU][ýỳỷỹỵÝỲỶỸỴ])(?![\p{L}\p{M}])/u;

function spellingSlips(entries: [string, string][]): string[] {
  return entries.filter(([, v]) => NEW_STYLE.test(v.normalize("NFC"))).map(([k, v]) => `${k}: ${v.normalize("NFC").match(NEW_STYLE)![0]} in ${JSON.stringify(v)}`);
}

/**
 * Texts only officers read: what they register, report, nominate and review, the codes
 * they create, the plan and its progress. "Bạn" belongs to texts a member may read.
 */
const OFFICER_KEYS = [
  /^themes\./,
  /^report\./,
  /^nominate\./,
  /^works\./,
  /^review\./,
  /^notify\./,
  /^announce\./,
  /^invite\./,
  /^pick\./,
  /^plan\./,
  /^progress\./,
  /^settings\./,
  /^export\./,
  /^scheduled\.(reminder|overdue|summary|commended|final)/,
  /^link\.role_OFFICER/,
  /^errors\.(own_submission|own_unit|not_reviewer|conflict_of_interest|not_at_your_level|not_issuer|min_themes|max_themes|theme_incomplete)/,
];
const BAN = /(?<![\p{L}\p{M}])bạn(?![\p{L}\p{M}])/iu;

function officerTextsWithBan(entries: [string, string][]): string[] {
  return entries.filter(([k, v]) => OFFICER_KEYS.some((re) => re.test(k)) && BAN.test(v)).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
}

/** Vietnamese letters (precomposed, as NFC writes them): đ, ă, â, ê, ô, ơ, ư and the vowels with tone marks. */
const VIETNAMESE = /[đĐăĂâÂêÊôÔơƠưƯ]|[\u00C0-\u00C3\u00C8-\u00CA\u00CC\u00CD\u00D2-\u00D5\u00D9\u00DA\u00DD\u00E0-\u00E3\u00E8-\u00EA\u00EC\u00ED\u00F2-\u00F5\u00F9\u00FA\u00FD\u0128\u0129\u0168\u0169\u1EA0-\u1EF9]/u;
/** What English texts may quote in Vietnamese: document numbers, the language's own name, the currency, names. */
const QUOTED_VIETNAMESE = [/\d+\/(KH|QĐ)-CĐCT/g, /Tiếng Việt/g, /Chọn ngôn ngữ/g, /million đồng/g, /Nguyễn Văn An/g, /Hồ Chí Minh/g];

function vietnameseInEnglish(entries: [string, string][]): string[] {
  return entries
    .filter(([, v]) => VIETNAMESE.test(QUOTED_VIETNAMESE.reduce((s, re) => s.replace(re, ""), v.normalize("NFC"))))
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
}

const formats = (s: string) => [...s.matchAll(/\{\{\s*([^},]+?)\s*(?:,\s*([^}]+?))?\s*\}\}/g)].map((m) => `${m[1]}${m[2] ? `, ${m[2]}` : ""}`).sort();

describe("the union's language", () => {
  it.each(catalogueFiles)("locales/vi/%s spells hóa, xóa, hủy, tùy (tone on the first vowel of an open oa, oe, uy)", (file) => {
    expect(spellingSlips([...catalogue("vi", file)])).toEqual([]);
  });

  it("the seed (plan template, calendar, commendation forms, demo data) and the README spell the same way", () => {
    const seed = readdirSync(SEED)
      .filter((f) => f.endsWith(".json"))
      .flatMap((f) => strings(json(path.join(SEED, f)), f));
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8")
      .split("\n")
      .map((line, i): [string, string] => [`README.md:${i + 1}`, line]);
    expect(spellingSlips([...seed, ...readme])).toEqual([]);
  });

  it("addresses officers as “đồng chí”, never “bạn”, in texts only officers read", () => {
    expect(officerTextsWithBan([...catalogue("vi", "bot.json")])).toEqual([]);
  });

  it.each(catalogueFiles)("%s formats each placeholder the same way in both languages (1.000 / 1,000)", (file) => {
    const vi = catalogue("vi", file);
    const en = catalogue("en", file);
    const differ = [...vi].filter(([k, v]) => en.has(k) && JSON.stringify(formats(v)) !== JSON.stringify(formats(en.get(k)!))).map(([k]) => k);
    expect(differ).toEqual([]);
  });

  it.each(catalogueFiles)("locales/en/%s says nothing in Vietnamese beyond names and document numbers", (file) => {
    expect(vietnameseInEnglish([...catalogue("en", file)])).toEqual([]);
  });

  it("the seed's English names of anniversaries and commendation forms are English", () => {
    const english = readdirSync(SEED)
      .filter((f) => f.endsWith(".json"))
      .flatMap((f) => strings(json(path.join(SEED, f)), f))
      .filter(([k]) => /\.en$/.test(k));
    expect(english.length).toBeGreaterThan(0);
    expect(vietnameseInEnglish(english)).toEqual([]);
  });

  it("groups the thousands of a {{…, number}} as people write them, also beside a {{unit}} name", () => {
    const t = createTranslator("vi").translate;
    const preview = { text: "…", audience: "…", chats: 2000, units: 12, unit: "Công đoàn Công Thương Việt Nam" };
    expect(t("vi", "announce.preview", preview)).toContain("Sẽ gửi tới 2.000 nhóm/người nhận thuộc 12 đơn vị.");
    expect(t("en", "announce.preview", preview)).toContain("It will go to 2,000 groups/recipients in 12 units.");
    expect(t("vi", "input.too_long", { length: 5000, limit: 4000 })).toContain("(5.000 ký tự); tối đa 4.000 ký tự");
  });

  describe("the checks themselves catch what they are for", () => {
    it("spelling: hoá, xoá, huỷ, tuỳ, khoẻ, Hoà are caught; hóa, quý, quỹ, hoàn, thuyết, toàn are not", () => {
      expect(spellingSlips([["a", "Đã xoá"], ["b", "Huỷ"], ["c", "tuỳ chọn"], ["d", "hoá chất"], ["e", "khoẻ"], ["f", "Cộng Hoà"]])).toHaveLength(6);
      expect(spellingSlips([["a", "Đã xóa, hủy, tùy, hóa chất, khỏe, Cộng hòa"], ["b", "quý, quỹ, hoàn thành, lý thuyết, toàn bộ, khoán, hoạch"]])).toEqual([]);
    });

    it("address: “bạn” in a review text is caught, in a consent text or inside another word it is not", () => {
      expect(officerTextsWithBan([["review.list", "Bạn chọn một hồ sơ"]])).toHaveLength(1);
      expect(officerTextsWithBan([["consent.thanks", "Cảm ơn bạn"], ["review.list", "Đồng chí chọn một hồ sơ"]])).toEqual([]);
    });

    it("English: a Vietnamese line is caught, a quoted document number or President Hồ Chí Minh is not", () => {
      expect(vietnameseInEnglish([["calendar.line", "Kết thúc Đợt 2 thi đua"]])).toHaveLength(1);
      expect(vietnameseInEnglish([["plan.ask_number", 'e.g. "15/KH-CĐCT"'], ["x", "the birthday of President Hồ Chí Minh"]])).toEqual([]);
    });
  });
});
