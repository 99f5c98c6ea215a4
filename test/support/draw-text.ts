/**
 * One line of text drawn by resvg with the given font files only (no system fonts), on
 * white: the way the chart renderer draws, reduced to a single label.
 *
 * Run directly to rewrite the committed reference rendering of a Vietnamese label:
 *   npx tsx test/support/draw-text.ts
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Resvg } from "@resvg/resvg-js";
import { SHIPPED_FONTS } from "../../src/infra/charts.js";
import { decodePng, type Pixels } from "./png.js";

export const REFERENCE_LABEL = "Công đoàn Hóa chất — Đã được chấp nhận";
export const REFERENCE_FILE = fileURLToPath(new URL("../fixtures/chart-label-reference.png", import.meta.url));

export function drawTextPng(text: string, fontFiles: string[], width = 640, height = 60, size = 28): Uint8Array {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="8" y="${Math.round(height * 0.7)}" font-family="Noto Sans" font-size="${size}">${escaped}</text></svg>`;
  return new Uint8Array(new Resvg(svg, { font: { fontFiles, loadSystemFonts: false, defaultFontFamily: "Noto Sans" }, background: "#ffffff" }).render().asPng());
}

export function drawText(text: string, fontFiles: string[], width?: number, height?: number, size?: number): Pixels {
  return decodePng(drawTextPng(text, fontFiles, width, height, size));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(REFERENCE_FILE, drawTextPng(REFERENCE_LABEL, [SHIPPED_FONTS.regular]));
  console.log(`wrote ${REFERENCE_FILE}`);
}
