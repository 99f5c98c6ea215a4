/**
 * The /tiendo picture itself: a real PNG of a size a phone shows well, with something on
 * it, and every Vietnamese letter drawn from the shipped font — never a box, never a
 * letter stripped of its accents because a font was missing.
 *
 * Also leaves previews in test-artifacts/ (chart-progress.png and two variants) for a
 * person to look at.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { progressChart, type ChartSpec } from "../../src/core/charts.js";
import type { Locale, UnitLevel } from "../../src/core/model.js";
import { createChartRenderer, SHIPPED_FONTS, type PngChartRenderer } from "../../src/infra/charts.js";
import { FontFileError, readFont } from "../../src/infra/fonts.js";
import { createTranslator, loadCatalogues } from "../../src/infra/i18n.js";
import { drawText, REFERENCE_FILE, REFERENCE_LABEL } from "../support/draw-text.js";
import { decodePng, difference, inkShare, PNG_SIGNATURE } from "../support/png.js";
import { SAMPLE_CAMPAIGN, SAMPLE_UNIT_NAMES, sampleProgress } from "../support/progress-sample.js";

const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));
const translator = createTranslator();

function spec(children: number, locale: Locale = "vi", deeper = 0, targets?: Record<string, number>): ChartSpec {
  const level = (i: number): UnitLevel => (i % 5 === 0 ? "UPPER_GRASSROOTS" : "GRASSROOTS");
  return progressChart(
    { unit: { name: "Công đoàn Công Thương Việt Nam" }, campaign: SAMPLE_CAMPAIGN, progress: sampleProgress({ children, deeper, level, secondPhase: true }), today: "2026-11-20", locale, targets },
    (key, params) => translator.translate(locale, key, params),
  )!;
}

/** Every Vietnamese letter: 12 vowels with each of the 6 tones, đ, in both cases. */
const VIETNAMESE_LETTERS = (() => {
  const tones = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"];
  const lower = [..."aăâeêioôơuưy"].flatMap((v) => tones.map((t) => (v + t).normalize("NFC"))).concat("đ");
  return [...lower, ...lower.map((l) => l.toUpperCase())];
})();

/** The texts of an SVG's <text> elements, and the font families they ask for. */
function svgTexts(svg: string): { text: string; family: string | null }[] {
  const unescape = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  return [...svg.matchAll(/<text\b([^>]*)>([^<]*)<\/text>/g)].map((m) => ({ text: unescape(m[2]!), family: /font-family:\s*([^;"]+)/.exec(m[1]!)?.[1]?.trim() ?? null }));
}

describe("the progress picture", () => {
  let renderer: PngChartRenderer;
  beforeAll(() => {
    renderer = createChartRenderer();
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  it("is a PNG about 1260 px wide, as tall as its bars need within a phone's reach, with something drawn on it", async () => {
    for (const [children, deeper] of [
      [3, 0],
      [8, 40],
      [300, 0],
    ] as const) {
      const s = spec(children, "vi", deeper);
      const png = await renderer.render(s);
      expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      const img = decodePng(png);
      expect(img.width).toBe(1260);
      expect(img.height).toBeGreaterThanOrEqual(500);
      expect(img.height).toBeLessThanOrEqual(2000);
      expect(renderer.size(s)).toEqual({ width: img.width, height: img.height });
      // Not blank, and not a solid block either.
      const ink = inkShare(img);
      expect(ink).toBeGreaterThan(0.03);
      expect(ink).toBeLessThan(0.6);
      expect(png.byteLength).toBeLessThan(600_000);
    }
  });

  it("grows with its bars, and a tree of 300 units is no taller than one of 12 plus the line that says what was grouped", async () => {
    const h = (n: number) => renderer.size(spec(n)).height;
    expect(h(2)).toBeLessThan(h(8));
    expect(h(300)).toBeLessThanOrEqual(h(12) + 2 * 21 * 1.75);
    expect(h(3000)).toBeLessThanOrEqual(h(12) + 2 * 21 * 1.75);
  });

  it("writes every text with the shipped family, and the shipped font has a glyph for every character written", () => {
    const { regular, bold } = renderer.fonts;
    for (const s of [spec(8, "vi", 40), spec(300), spec(620), spec(8, "en", 40)]) {
      const texts = svgTexts(renderer.svg(s).svg);
      expect(texts.length).toBeGreaterThan(20);
      expect(texts.map((t) => t.text)).toContain(s.legend[0]!.label);
      for (const t of texts) {
        expect(t.family).toBe("Noto Sans");
        expect({ text: t.text, regular: regular.missing(t.text), bold: bold.missing(t.text) }).toEqual({ text: t.text, regular: [], bold: [] });
      }
    }
  });

  it("has glyphs for every chart text of both languages, every Vietnamese letter and the sample unit names", () => {
    const catalogues = loadCatalogues();
    const texts = (lng: string) => {
      const bot = catalogues[lng]!.bot as Record<string, unknown>;
      const flat: string[] = [];
      const walk = (o: unknown) => (typeof o === "string" ? flat.push(o.replace(/\{\{[^}]*\}\}/g, "")) : Object.values(o as object).forEach(walk));
      walk(bot.chart);
      walk(bot.figures);
      walk(bot.campaign);
      return flat;
    };
    const all = [...texts("vi"), ...texts("en"), ...SAMPLE_UNIT_NAMES, VIETNAMESE_LETTERS.join(""), "0123456789.,;:%()/–—…·"];
    expect(texts("vi").join("")).toContain("Đã gửi, chờ xem xét");
    for (const file of [SHIPPED_FONTS.regular, SHIPPED_FONTS.bold]) {
      const font = readFont(file);
      expect(font.family).toBe("Noto Sans");
      expect(all.flatMap((t) => font.missing(t))).toEqual([]);
      // The check itself can say no: Noto Sans has no Chinese.
      expect(font.missing("Công 中")).toEqual(["中"]);
    }
  });

  it("draws each Vietnamese letter with its own glyph: never the missing-glyph box, and with its marks", () => {
    const box = drawText("\u0378", [SHIPPED_FONTS.regular], 48, 64, 36); // unassigned: the font's .notdef
    expect(inkShare(box)).toBeGreaterThan(0.01);
    for (const letter of VIETNAMESE_LETTERS) {
      const img = drawText(letter, [SHIPPED_FONTS.regular], 48, 64, 36);
      expect({ letter, differsFromBox: difference(img, box) > 0.02 }).toEqual({ letter, differsFromBox: true });
      const base = letter.normalize("NFD")[0]!;
      if (base !== letter && letter.toLowerCase() !== "đ") {
        // The accents add ink over the bare letter.
        expect({ letter, marked: inkShare(img) > inkShare(drawText(base, [SHIPPED_FONTS.regular], 48, 64, 36)) }).toEqual({ letter, marked: true });
      }
    }
  });

  it("draws a Vietnamese label as the committed reference rendering does, and a font-less rendering does not", () => {
    // The reference was drawn once with the shipped font (npx tsx test/support/draw-text.ts) and looked at.
    const drawn = drawText(REFERENCE_LABEL, [SHIPPED_FONTS.regular]);
    const reference = decodePng(new Uint8Array(readFileSync(REFERENCE_FILE)));
    expect(difference(drawn, reference)).toBeLessThan(0.004);
    expect(inkShare(drawn)).toBeGreaterThan(0.05);
    // Without the font resvg draws nothing at all: the comparison above would fail.
    const none = drawText(REFERENCE_LABEL, []);
    expect(inkShare(none)).toBe(0);
    expect(difference(none, reference)).toBeGreaterThan(0.02);
  });

  it("refuses to start with a font file that is not there, naming it", () => {
    const missing = SHIPPED_FONTS.regular.replace("NotoSans-Regular", "NoSuchFont");
    expect(() => createChartRenderer({ fonts: { ...SHIPPED_FONTS, regular: missing } })).toThrow(/NoSuchFont\.ttf/);
    expect(() => readFont(fileURLToPath(import.meta.url))).toThrow(FontFileError);
  });

  it("leaves previews in test-artifacts/ for a person to look at", async () => {
    const previews: [string, ChartSpec][] = [
      ["chart-progress.png", spec(8, "vi", 40)],
      ["chart-progress-300.png", spec(300)],
      ["chart-progress-en.png", spec(8, "en", 40)],
      ["chart-progress-levels.png", spec(620)],
      ["chart-progress-targets.png", spec(4, "vi", 20, { participants: 12_000, initiatives: 20, initiative_value: 5_000_000_000, works_completed: 40 })],
    ];
    for (const [name, s] of previews) writeFileSync(`${ARTIFACTS}${name}`, await renderer.render(s));
    const t0 = performance.now();
    await renderer.render(previews[0]![1]);
    const ms = performance.now() - t0;
    console.log(`a progress chart renders in ${Math.round(ms)} ms`);
    expect(ms).toBeLessThan(5000);
  });
});
