/**
 * Reads a PNG back into pixels (8-bit RGB or RGBA, not interlaced: what resvg writes), so
 * tests can look at what a picture shows rather than trust the encoder.
 */
import { inflateSync } from "node:zlib";

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export interface Pixels {
  width: number;
  height: number;
  /** RGBA, row by row. */
  rgba: Uint8Array;
}

export function decodePng(png: Uint8Array): Pixels {
  if (!PNG_SIGNATURE.every((b, i) => png[i] === b)) throw new Error("not a PNG: bad signature");
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  while (at < png.length) {
    const length = v.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = v.getUint32(at + 8);
      height = v.getUint32(at + 12);
      const depth = data[8];
      const colour = data[9];
      if (depth !== 8 || (colour !== 6 && colour !== 2) || data[12] !== 0) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${data[12]}`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  const prev = new Uint8Array(stride);
  const row = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? row[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      let x = line[i]!;
      if (filter === 1) x += a;
      else if (filter === 2) x += b;
      else if (filter === 3) x += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        x += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      row[i] = x & 0xff;
    }
    for (let px = 0; px < width; px++) {
      const o = (y * width + px) * 4;
      out[o] = row[px * channels]!;
      out[o + 1] = row[px * channels + 1]!;
      out[o + 2] = row[px * channels + 2]!;
      out[o + 3] = channels === 4 ? row[px * channels + 3]! : 255;
    }
    prev.set(row);
  }
  return { width, height, rgba: out };
}

/** Share of pixels that are not (near) white, in a region (default: all). */
export function inkShare(p: Pixels, region = { x: 0, y: 0, width: p.width, height: p.height }): number {
  let ink = 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) {
      const o = (y * p.width + x) * 4;
      const alpha = p.rgba[o + 3]! / 255;
      // Composite over white: a transparent pixel is paper.
      const lum = (0.299 * p.rgba[o]! + 0.587 * p.rgba[o + 1]! + 0.114 * p.rgba[o + 2]!) * alpha + 255 * (1 - alpha);
      if (lum < 200) ink++;
    }
  }
  return ink / (region.width * region.height);
}

/** Mean absolute difference of two same-sized pictures' grey levels, 0 (same) to 1. */
export function difference(a: Pixels, b: Pixels): number {
  if (a.width !== b.width || a.height !== b.height) return 1;
  let sum = 0;
  const grey = (p: Pixels, o: number) => {
    const alpha = p.rgba[o + 3]! / 255;
    return (0.299 * p.rgba[o]! + 0.587 * p.rgba[o + 1]! + 0.114 * p.rgba[o + 2]!) * alpha + 255 * (1 - alpha);
  };
  for (let o = 0; o < a.rgba.length; o += 4) sum += Math.abs(grey(a, o) - grey(b, o));
  return sum / (a.width * a.height * 255);
}
