/**
 * The few facts the chart renderer needs from a TrueType/OpenType file, read from its
 * tables directly (no dependency): the family name, which characters it has glyphs for
 * (cmap), and how wide each glyph is (hmtx), to lay text out as it will be drawn.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fromRoot } from "../paths.js";

export const FONTS_DIR = fromRoot("assets/fonts");

/** The faces the charts are drawn with: one regular and one bold file of the same family. */
export interface ChartFonts {
  regular: string;
  bold: string;
}

export const SHIPPED_FONTS: ChartFonts = {
  regular: path.join(FONTS_DIR, "NotoSans-Regular.ttf"),
  bold: path.join(FONTS_DIR, "NotoSans-Bold.ttf"),
};

export interface FontFacts {
  /** The family name (name id 16, else 1), e.g. "Noto Sans": what an SVG font-family must say. */
  family: string;
  unitsPerEm: number;
  /** The glyph drawn for `codePoint`; 0 is .notdef, the box a missing character becomes. */
  glyphOf(codePoint: number): number;
  /** Whether the font has a glyph of its own for `codePoint`. */
  has(codePoint: number): boolean;
  /** Characters of `text` the font has no glyph for (each once, in order of appearance). */
  missing(text: string): string[];
  /** Width of `text` drawn at `size` px (advance widths, no kerning: at most a little wide). */
  measure(text: string, size: number): number;
}

export class FontFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "FontFileError";
  }
}

interface Table {
  offset: number;
  length: number;
}

/** Read `file` (a .ttf/.otf) and return its facts; throws FontFileError when it is not a usable font. */
export function readFont(file: string): FontFacts {
  return parseFont(readFileSync(file), file);
}

export function parseFont(bytes: Uint8Array, file = "(buffer)"): FontFacts {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (m: string): never => {
    throw new FontFileError(file, m);
  };
  if (bytes.byteLength < 12) fail("too short to be a font");
  const version = v.getUint32(0);
  if (version !== 0x00010000 && version !== 0x4f54544f /* OTTO */ && version !== 0x74727565 /* true */) fail("not a TrueType or OpenType font");
  const tables = new Map<string, Table>();
  const numTables = v.getUint16(4);
  for (let i = 0; i < numTables; i++) {
    const at = 12 + 16 * i;
    const tag = String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
    tables.set(tag, { offset: v.getUint32(at + 8), length: v.getUint32(at + 12) });
  }
  const table = (tag: string): Table => tables.get(tag) ?? fail(`no ${tag} table`);

  const unitsPerEm = v.getUint16(table("head").offset + 18);
  const numberOfHMetrics = v.getUint16(table("hhea").offset + 34);
  const hmtx = table("hmtx").offset;
  const advance = (glyph: number) => v.getUint16(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1));
  const glyphOf = readCmap(v, table("cmap").offset, fail);
  const family = readFamily(v, table("name").offset) ?? fail("no family name");

  const widths = new Map<number, number>();
  return {
    family,
    unitsPerEm,
    glyphOf,
    has: (cp) => glyphOf(cp) !== 0,
    missing(text) {
      const out: string[] = [];
      for (const ch of text) {
        if (/\s/.test(ch)) continue;
        if (glyphOf(ch.codePointAt(0)!) === 0 && !out.includes(ch)) out.push(ch);
      }
      return out;
    },
    measure(text, size) {
      let units = 0;
      for (const ch of text) {
        const cp = ch.codePointAt(0)!;
        let w = widths.get(cp);
        if (w === undefined) widths.set(cp, (w = advance(glyphOf(cp))));
        units += w;
      }
      return (units * size) / unitsPerEm;
    },
  };
}

/** The Unicode character map: format 12 (full Unicode) when present, else format 4 (the BMP). */
function readCmap(v: DataView, cmap: number, fail: (m: string) => never): (cp: number) => number {
  const n = v.getUint16(cmap + 2);
  let best: { offset: number; format: number } | null = null;
  for (let i = 0; i < n; i++) {
    const rec = cmap + 4 + 8 * i;
    const platform = v.getUint16(rec);
    const encoding = v.getUint16(rec + 2);
    const offset = cmap + v.getUint32(rec + 4);
    const format = v.getUint16(offset);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode || (format !== 4 && format !== 12)) continue;
    if (!best || (format === 12 && best.format === 4)) best = { offset, format };
  }
  if (!best) return fail("no Unicode character map");
  const at = best.offset;
  if (best.format === 12) {
    const groups = v.getUint32(at + 12);
    return (cp) => {
      let lo = 0;
      let hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const g = at + 16 + 12 * mid;
        if (cp < v.getUint32(g)) hi = mid - 1;
        else if (cp > v.getUint32(g + 4)) lo = mid + 1;
        else return v.getUint32(g + 8) + (cp - v.getUint32(g));
      }
      return 0;
    };
  }
  const segX2 = v.getUint16(at + 6);
  const ends = at + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const ranges = deltas + segX2;
  return (cp) => {
    if (cp > 0xffff) return 0;
    for (let s = 0; s < segX2; s += 2) {
      if (cp > v.getUint16(ends + s)) continue;
      const start = v.getUint16(starts + s);
      if (cp < start) return 0;
      const delta = v.getInt16(deltas + s);
      const range = v.getUint16(ranges + s);
      if (range === 0) return (cp + delta) & 0xffff;
      const glyph = v.getUint16(ranges + s + range + 2 * (cp - start));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}

/** The typographic family (name id 16) or the family (1), from a Windows Unicode or Mac Roman record. */
function readFamily(v: DataView, name: number): string | null {
  const count = v.getUint16(name + 2);
  const strings = name + v.getUint16(name + 4);
  const found = new Map<number, string>();
  for (let i = 0; i < count; i++) {
    const rec = name + 6 + 12 * i;
    const platform = v.getUint16(rec);
    const id = v.getUint16(rec + 6);
    if ((id !== 1 && id !== 16) || found.has(id)) continue;
    const length = v.getUint16(rec + 8);
    const start = strings + v.getUint16(rec + 10);
    let s = "";
    if (platform === 3 || platform === 0) for (let j = 0; j < length; j += 2) s += String.fromCharCode(v.getUint16(start + j));
    else if (platform === 1) for (let j = 0; j < length; j++) s += String.fromCharCode(v.getUint8(start + j));
    else continue;
    found.set(id, s);
  }
  return found.get(16) ?? found.get(1) ?? null;
}
