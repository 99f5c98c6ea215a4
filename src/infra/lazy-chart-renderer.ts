/**
 * The chart renderer as the app holds it: the fonts are checked at start-up (a missing or
 * broken font stops start-up naming the file, as createChartRenderer would), but ECharts
 * and resvg — seconds of module loading on a small machine — are loaded at the first
 * picture, so starting the bot, and restarting it after a crash, stays quick.
 */
import type { ChartRenderer } from "../core/ports.js";
import { readFont, SHIPPED_FONTS, type ChartFonts } from "./fonts.js";

export function lazyChartRenderer(fonts: ChartFonts = SHIPPED_FONTS): ChartRenderer {
  readFont(fonts.regular);
  readFont(fonts.bold);
  let real: Promise<ChartRenderer> | null = null;
  return {
    extension: "png",
    mime: "image/png",
    async render(spec) {
      if (!real) {
        const loading = import("./charts.js").then((m) => m.createChartRenderer({ fonts }));
        // A failed load is tried again at the next picture.
        loading.catch(() => {
          if (real === loading) real = null;
        });
        real = loading;
      }
      return (await real).render(spec);
    },
  };
}
