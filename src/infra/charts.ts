/**
 * Draws a progress chart (src/core/charts.ts) as a PNG: Apache ECharts lays it out as SVG
 * on the server (no browser, no canvas), then resvg rasterises the SVG with the fonts
 * shipped in assets/fonts only, never the machine's, so Vietnamese diacritics look the
 * same everywhere and a missing system font cannot turn them into boxes.
 *
 * Text is measured with the shipped font's own advance widths (ECharts would otherwise
 * guess one em per non-ASCII letter), so labels are cut and placed where they will be
 * drawn. Everything is positioned here, in logical pixels; the PNG is `scale` times larger.
 */
import { renderAsync, type ResvgRenderOptions } from "@resvg/resvg-js";
import { BarChart } from "echarts/charts";
import { GraphicComponent, GridComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import type { ChartSpec, ChartStatus, StatusBar, StatusCounts } from "../core/charts.js";
import { CHART_STATUSES } from "../core/charts.js";
import { formatNumber } from "../core/format.js";
import type { ChartRenderer } from "../core/ports.js";
import { type ChartFonts, type FontFacts, readFont, SHIPPED_FONTS } from "./fonts.js";

echarts.use([BarChart, GridComponent, GraphicComponent, SVGRenderer]);

export { FONTS_DIR, SHIPPED_FONTS, type ChartFonts } from "./fonts.js";

export interface ChartRendererOptions {
  fonts?: ChartFonts;
  /** Logical width in px (default 720); the text sizes are chosen for it. */
  width?: number;
  /** Device pixels per logical pixel: the default 1.75 gives a 1260 px wide PNG, sharp on a phone and within Telegram's 1280 px photo side. */
  scale?: number;
}

/** A chart laid out as SVG, before rasterising; sizes in logical px. */
export interface ChartSvg {
  svg: string;
  width: number;
  height: number;
}

export interface PngChartRenderer extends ChartRenderer {
  /** The SVG the PNG is made from (for tests and previews). */
  svg(spec: ChartSpec): ChartSvg;
  /** The fonts' facts (family, coverage), as loaded at creation. */
  readonly fonts: { regular: FontFacts; bold: FontFacts };
  /** Size in device pixels of the PNG `spec` gives. */
  size(spec: ChartSpec): { width: number; height: number };
}

/** Colours of the four statuses: blue, amber, red and grey differ in lightness as well as hue, and every bar also says its status or count in words. */
export const STATUS_COLOURS: Record<ChartStatus, { fill: string; text: string }> = {
  accepted: { fill: "#1f6fb2", text: "#ffffff" },
  waiting: { fill: "#f2b233", text: "#1f2937" },
  returned: { fill: "#c8384b", text: "#ffffff" },
  not_sent: { fill: "#d3d8de", text: "#1f2937" },
};

const INK = "#1f2937";
const MUTED = "#5b6675";
const TITLE = "#143a63";
const RULE = "#d9dee4";
const TRACK = "#eef1f4";
const FIGURE = "#2f6f8f";

/** Text sizes in logical px, chosen for a 720 px wide picture read on a phone. */
const SIZE = { title: 24, text: 16, head: 17, bar: 14, note: 15 };
const PAD = 24;
const ROW = 38;
const BAR = 24;
const GAP = 16;
const FIGURE_ROW = 34;

/**
 * A renderer drawing with `fonts` (default: the shipped Noto Sans). Reads the font files
 * now, so a missing or broken font stops start-up with a FontFileError naming the file
 * rather than failing on the first /tiendo.
 */
export function createChartRenderer(options: ChartRendererOptions = {}): PngChartRenderer {
  const files = options.fonts ?? SHIPPED_FONTS;
  const regular = readFont(files.regular);
  const bold = readFont(files.bold);
  const family = regular.family;
  const width = options.width ?? 720;
  const scale = options.scale ?? 1.75;
  const resvg: ResvgRenderOptions = {
    font: { fontFiles: [files.regular, files.bold], loadSystemFonts: false, defaultFontFamily: family, sansSerifFamily: family },
    fitTo: { mode: "zoom", value: scale },
    background: "#ffffff",
    shapeRendering: 2,
    textRendering: 1,
  };

  const svg = (spec: ChartSpec): ChartSvg => {
    const layout = lay(spec, { regular, bold, family, width });
    // ECharts measures text through one process-wide hook: point it at this renderer's
    // fonts for this (synchronous) layout only.
    echarts.setPlatformAPI({ measureText: (text: string, font?: string) => ({ width: measureFont(text, font) }) });
    const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height: layout.height });
    try {
      chart.setOption(layout.option);
      return { svg: chart.renderToSVGString(), width, height: layout.height };
    } finally {
      chart.dispose();
    }
  };
  const measureFont = (text: string, font = ""): number => {
    const size = Number(/(\d+(?:\.\d+)?)px/.exec(font)?.[1] ?? 12);
    return (/\bbold\b|\b[6-9]00\b/.test(font) ? bold : regular).measure(text, size);
  };

  return {
    extension: "png",
    mime: "image/png",
    fonts: { regular, bold },
    svg,
    size(spec) {
      const { height } = lay(spec, { regular, bold, family, width });
      return { width: Math.round(width * scale), height: Math.round(height * scale) };
    },
    async render(spec) {
      const image = await renderAsync(svg(spec).svg, resvg);
      return new Uint8Array(image.asPng());
    },
  };
}

interface Ctx {
  regular: FontFacts;
  bold: FontFacts;
  family: string;
  width: number;
}

type Graphic = Record<string, unknown>;

/** Lay the whole picture out top to bottom; returns the ECharts option and the height it needs. */
function lay(spec: ChartSpec, c: Ctx): { option: echarts.EChartsCoreOption; height: number } {
  const W = c.width;
  const inner = W - 2 * PAD;
  const g: Graphic[] = [];
  const measure = (text: string, size: number, heavy = false) => (heavy ? c.bold : c.regular).measure(text, size);
  const text = (s: string, x: number, y: number, size: number, o: { heavy?: boolean; fill?: string; align?: "left" | "right" | "center"; valign?: "top" | "middle" } = {}) =>
    g.push({
      type: "text",
      x,
      y,
      silent: true,
      // Size, weight and family apart: resvg ignores the CSS `font` shorthand.
      style: { text: s, fontSize: size, fontWeight: o.heavy ? "bold" : "normal", fontFamily: c.family, fill: o.fill ?? INK, textAlign: o.align ?? "left", textVerticalAlign: o.valign ?? "top" },
    });
  const fit = (s: string, size: number, max: number, heavy = false) => cutToWidth(s, max, (t) => measure(t, size, heavy));
  /** A paragraph at `y`; returns the y below it. */
  const para = (s: string, y: number, size: number, o: { heavy?: boolean; fill?: string } = {}) => {
    const lh = Math.round(size * 1.4);
    for (const l of wrap(s, inner, (t) => measure(t, size, o.heavy))) {
      text(l, PAD, y, size, o);
      y += lh;
    }
    return y;
  };
  const rule = (y: number) => g.push({ type: "line", silent: true, shape: { x1: PAD, y1: y, x2: W - PAD, y2: y }, style: { stroke: RULE, lineWidth: 1 } });

  let y = para(spec.title, PAD, SIZE.title, { heavy: true, fill: TITLE });
  y = para(spec.subtitle, y + 2, SIZE.text, { fill: MUTED }) + 12;

  // Legend, in stacking order, wrapped when the words are long.
  const swatch = 18;
  let x = PAD;
  for (const item of spec.legend) {
    const w = swatch + 8 + measure(item.label, SIZE.text);
    if (x + w > W - PAD && x > PAD) {
      x = PAD;
      y += 28;
    }
    g.push({ type: "rect", silent: true, shape: { x, y: y + 2, width: swatch, height: swatch, r: 3 }, style: { fill: STATUS_COLOURS[item.status].fill } });
    text(item.label, x + swatch + 8, y + 2 + swatch / 2, SIZE.text, { valign: "middle" });
    x += w + 22;
  }
  y += 28 + 16;

  // Status bars: unit labels on the left, then one column per item (registration, report).
  const bars = spec.bars;
  const cols = [spec.columns.registration, spec.columns.report].filter((s): s is string => s !== null);
  const labelW = Math.min(Math.max(...bars.map((b) => measure(b.label, SIZE.text, b.kind === "all"))), Math.round(W * 0.42));
  const left = PAD + labelW + 12;
  const colW = (W - PAD - left - GAP * (cols.length - 1)) / cols.length;
  // Column headings wrap (two lines at most) rather than lose the phase number.
  const heads = cols.map((title) => wrap(title, colW, (t) => measure(t, SIZE.head, true)).slice(0, 2));
  const headLine = Math.round(SIZE.head * 1.3);
  const headH = Math.max(...heads.map((h) => h.length)) * headLine;
  heads.forEach((h, i) => h.forEach((l, j) => text(l, left + i * (colW + GAP), y + headH - (h.length - j) * headLine, SIZE.head, { heavy: true })));
  y += headH + 10;
  const top = y;
  bars.forEach((b, i) => {
    const cy = top + i * ROW + ROW / 2;
    text(fit(b.label, SIZE.text, labelW, b.kind === "all"), left - 12, cy, SIZE.text, { heavy: b.kind === "all", align: "right", valign: "middle", fill: b.kind === "unit" ? INK : TITLE });
    // A rule under the "all" bar and above a grouped bar sets totals apart from units.
    if (i > 0 && (bars[i - 1]!.kind === "all" || b.kind === "others")) rule(top + i * ROW);
  });
  const grids = cols.map((_, i) => ({ left: left + i * (colW + GAP), top, width: colW, height: bars.length * ROW, outerBoundsMode: "none" }));
  const axes = cols.map((_, i) => ({ gridIndex: i, show: false }));
  const series = cols.flatMap((_, i) =>
    CHART_STATUSES.map((status, k) => ({
      type: "bar",
      name: status,
      stack: `col${i}`,
      xAxisIndex: i,
      yAxisIndex: i,
      barWidth: BAR,
      silent: true,
      animation: false,
      showBackground: k === 0,
      backgroundStyle: { color: TRACK },
      itemStyle: { color: STATUS_COLOURS[status].fill, borderColor: "#ffffff", borderWidth: 1 },
      data: bars.map((b) => barItem(b, i === 0 ? b.registration : b.report!, status, colW, spec, c, fit)),
    })),
  );
  y = top + bars.length * ROW + 10;
  if (spec.note) y = para(spec.note, y, SIZE.note, { fill: MUTED });

  // Main figures: each against its target when there is one, else the sum alone.
  if (spec.figures) {
    rule(y + 8);
    y = para(spec.figures.title, y + 22, SIZE.head, { heavy: true }) + 6;
    const rows = spec.figures.bars;
    // With targets, each row has a second line: a track filled up to the share reached.
    const hasTargets = rows.some((f) => f.share !== null);
    const rowH = hasTargets ? FIGURE_ROW + 18 : FIGURE_ROW;
    rows.forEach((f, i) => {
      const rowTop = y + i * rowH;
      const cy = rowTop + FIGURE_ROW / 2 + (hasTargets ? -2 : 0);
      if (i % 2 === 0) g.push({ type: "rect", silent: true, shape: { x: PAD - 8, y: rowTop, width: inner + 16, height: rowH, r: 4 }, style: { fill: "#f5f7f9" } });
      const valueText = fit(f.text, SIZE.text, inner * 0.62, true);
      text(valueText, W - PAD, cy, SIZE.text, { heavy: true, align: "right", valign: "middle" });
      text(fit(f.label, SIZE.text, inner - measure(valueText, SIZE.text, true) - 20), PAD, cy, SIZE.text, { valign: "middle" });
      if (f.share !== null) {
        const ty = rowTop + FIGURE_ROW + 2;
        g.push({ type: "rect", silent: true, shape: { x: PAD, y: ty, width: inner, height: 10, r: 5 }, style: { fill: "#dde3e9" } });
        g.push({ type: "rect", silent: true, shape: { x: PAD, y: ty, width: Math.max(6, inner * Math.min(1, f.share)), height: 10, r: 5 }, style: { fill: FIGURE } });
      }
    });
    y += rows.length * rowH + 10;
    if (spec.figures.note) y = para(spec.figures.note, y, SIZE.note, { fill: MUTED });
  }
  const height = Math.ceil(y + PAD - 6);

  return {
    height,
    option: {
      animation: false,
      backgroundColor: "#ffffff",
      textStyle: { fontFamily: c.family },
      grid: grids,
      xAxis: axes.map((a) => ({ ...a, type: "value", min: 0, max: 1 })),
      yAxis: axes.map((a) => ({ ...a, type: "category", inverse: true, data: bars.map((_, i) => String(i)) })),
      series,
      graphic: { elements: g },
    },
  };
}

/** One segment of a bar: its share of the bar, with the status (one unit) or the count (a group) written in it when it fits. */
function barItem(b: StatusBar, counts: StatusCounts, status: ChartStatus, colW: number, spec: ChartSpec, c: Ctx, fit: (s: string, size: number, max: number, heavy?: boolean) => string) {
  const n = counts[status];
  const share = b.units > 0 ? n / b.units : 0;
  const room = colW * share - 6;
  const size = SIZE.bar;
  let label = "";
  if (n > 0) {
    const words = b.kind === "unit" ? spec.legend.find((l) => l.status === status)!.label : formatNumber(n, spec.locale);
    label = c.regular.measure(words, size) <= room ? words : b.kind === "unit" ? fit(words, size, room) : "";
    if (label === "…") label = "";
  }
  return {
    value: share,
    label: { show: label !== "", formatter: label.replace(/[{}|]/g, ""), position: "inside", color: STATUS_COLOURS[status].text, fontSize: size, fontFamily: c.family },
  };
}

/**
 * Break `text` into lines no wider than `max`: between the parts of a " · " list where
 * possible (a date stays whole), else between words; a single over-long word is cut.
 */
export function wrap(text: string, max: number, measure: (s: string) => number): string[] {
  const out: string[] = [];
  let line = "";
  for (const part of text.split(" · ")) {
    const joined = line ? `${line} · ${part}` : part;
    if (measure(joined) <= max) {
      line = joined;
      continue;
    }
    if (line) out.push(line);
    line = "";
    // A number stays with the word before it ("Đợt 2" never ends a line with "Đợt").
    const words = part.split(/\s+/).filter(Boolean).reduce<string[]>((acc, w) => (acc.length && /^\d+\W*$/.test(w) ? [...acc.slice(0, -1), `${acc.at(-1)} ${w}`] : [...acc, w]), []);
    for (const word of words) {
      const next = line ? `${line} ${word}` : word;
      if (measure(next) <= max || !line) line = next;
      else {
        out.push(line);
        line = word;
      }
    }
  }
  if (line) out.push(line);
  return out.map((l) => cutToWidth(l, max, measure));
}

/** `text`, or as much of it as fits in `max` followed by "…". */
export function cutToWidth(text: string, max: number, measure: (s: string) => number): string {
  if (measure(text) <= max) return text;
  const chars = [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)].map((s) => s.segment);
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(`${chars.slice(0, mid).join("").trimEnd()}…`) <= max) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, lo).join("").trimEnd()}…`;
}
