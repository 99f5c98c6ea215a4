/**
 * The step that turns a described chart into a picture after the transaction: one reply
 * with a chart becomes the text and then a stored PNG; the same chart twice is drawn once;
 * a chart that cannot be drawn costs the picture, never the answer, and logs one line
 * without its texts; the replies kept for crash recovery (JSON) still give the picture.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { progressChart, type ChartSpec } from "../../src/core/charts.js";
import type { Outbound } from "../../src/core/model.js";
import type { ChartRenderer, Logger, Store, Tx } from "../../src/core/ports.js";
import { chartReplies } from "../../src/infra/chart-replies.js";
import { FontFileError, SHIPPED_FONTS } from "../../src/infra/fonts.js";
import { createTranslator } from "../../src/infra/i18n.js";
import { lazyChartRenderer } from "../../src/infra/lazy-chart-renderer.js";
import { PNG_SIGNATURE } from "../support/png.js";
import { SAMPLE_CAMPAIGN, sampleProgress } from "../support/progress-sample.js";

const translator = createTranslator();

function spec(children: number): ChartSpec {
  return progressChart(
    { unit: { name: "Công đoàn Công Thương Việt Nam" }, campaign: SAMPLE_CAMPAIGN, progress: sampleProgress({ children }), today: "2026-11-20", locale: "vi" },
    (key, params) => translator.translate("vi", key, params),
  )!;
}

function world(o: { fail?: boolean } = {}) {
  const saved: { id: string; name: string; mime: string; data: Uint8Array }[] = [];
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  let renders = 0;
  const renderer: ChartRenderer = {
    extension: "png",
    mime: "image/png",
    async render(s) {
      renders++;
      await new Promise((r) => setTimeout(r, 5));
      if (o.fail) throw new Error(`cannot draw ${s.title}`);
      return new Uint8Array([0x89, 0x50, 0x4e, 0x47, s.bars.length]);
    },
  };
  const store = {
    transaction: async <T>(fn: (tx: Tx) => Promise<T>) => fn({ saveFile: async (f: (typeof saved)[number]) => void saved.push(f) } as unknown as Tx),
  } as unknown as Store;
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, fields });
  const log: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { attach: chartReplies({ renderer, store, log }), saved, lines, renders: () => renders };
}

describe("charts drawn on the way to delivery", () => {
  it("sends the reply's text, then the picture as a stored PNG captioned with the chart's words", async () => {
    const w = world();
    const chart = spec(3);
    const out = await w.attach([{ text: "Tiến độ…", chart }, { text: "sau" }]);
    expect(out).toHaveLength(3);
    expect(out[0]).toEqual({ text: "Tiến độ…" });
    expect(out[1]!.text).toBe(chart.alt);
    expect(out[1]!.file).toEqual({ id: w.saved[0]!.id, name: "tiendo.png" });
    expect(w.saved[0]!.mime).toBe("image/png");
    expect(out[2]).toEqual({ text: "sau" });
    expect(out.some((m) => "chart" in m)).toBe(false);
  });

  it("leaves replies without a chart as they are", async () => {
    const w = world();
    const replies: Outbound[] = [{ text: "a", choices: [{ id: "1", label: "x" }] }];
    expect(await w.attach(replies)).toBe(replies);
    expect(w.renders()).toBe(0);
  });

  it("draws the same chart once, also when asked twice at the same time, and a changed one again", async () => {
    const w = world();
    const [a, b] = await Promise.all([w.attach([{ text: "1", chart: spec(3) }]), w.attach([{ text: "2", chart: spec(3) }])]);
    expect(a[1]!.file).toEqual(b[1]!.file);
    const c = await w.attach([{ text: "3", chart: spec(4) }]);
    expect(c[1]!.file!.id).not.toBe(a[1]!.file!.id);
    expect(w.renders()).toBe(2);
    expect(w.saved).toHaveLength(2);
  });

  it("draws the chart kept in the replies for crash recovery (a JSON round trip)", async () => {
    const w = world();
    const kept = JSON.parse(JSON.stringify([{ text: "Tiến độ…", chart: spec(3) }])) as Outbound[];
    const out = await w.attach(kept);
    expect(out[1]!.file?.name).toBe("tiendo.png");
  });

  it("sends the text alone when the chart cannot be drawn, logging one line without its texts, and tries again next time", async () => {
    const w = world({ fail: true });
    const chart = spec(3);
    expect(await w.attach([{ text: "Tiến độ…", chart }])).toEqual([{ text: "Tiến độ…" }]);
    const warned = w.lines.filter((l) => l.level === "warn" || l.level === "error");
    expect(warned).toHaveLength(1);
    expect(JSON.stringify(warned)).not.toContain(chart.title);
    await w.attach([{ text: "Tiến độ…", chart }]);
    expect(w.renders()).toBe(2);
    expect(w.saved).toHaveLength(0);
  });
});

describe("the renderer the app starts with", () => {
  it("refuses to start without its fonts, naming the file", () => {
    expect(() => lazyChartRenderer({ regular: SHIPPED_FONTS.regular.replace("NotoSans-Regular", "NoSuchFont"), bold: SHIPPED_FONTS.bold })).toThrow(/NoSuchFont\.ttf/);
    expect(() => lazyChartRenderer({ regular: SHIPPED_FONTS.regular, bold: fileURLToPath(import.meta.url) })).toThrow(FontFileError);
  });

  it("draws a PNG at the first picture", async () => {
    const png = await lazyChartRenderer().render(spec(3));
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  });
});
