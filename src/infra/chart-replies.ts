/**
 * Draws the pictures the core described (Outbound.chart) at the moment replies are handed
 * to delivery — after the update's transaction, never inside it: a render takes 0.2–0.7 s,
 * and on PGlite a transaction held that long would stall every other chat.
 *
 * A reply carrying a chart becomes two messages: its text as it was, then the picture
 * (a stored PNG, `file` named *.png) captioned with the chart's words (`alt`). Stored files
 * travel through the outbox and the sandbox transcript like /xuat's documents, so a reply
 * that has to wait for a platform still carries its picture. The replies kept for crash
 * recovery hold the spec, not the picture: after a restart it is simply drawn again.
 *
 * If drawing or storing fails, one line is logged (no texts of the chart) and the text is
 * sent alone: a missing picture must never cost the answer.
 */
import { createHash } from "node:crypto";
import type { ChartSpec } from "../core/charts.js";
import { randomId } from "../core/codes.js";
import type { Outbound } from "../core/model.js";
import type { ChartRenderer, Logger, Store } from "../core/ports.js";
import { Limiter } from "./limiter.js";

export interface ChartRepliesOptions {
  renderer: ChartRenderer;
  store: Store;
  log: Logger;
  /** Pictures remembered by content, so a repeated /tiendo reuses the stored file. Default 8. */
  cacheSize?: number;
  /** How long a remembered picture is reused (ms); well under the 7 days a file link lives. Default 1 h. */
  cacheMs?: number;
  /** Base of the stored file's name (default "tiendo"); the renderer's extension is added. */
  fileBase?: string;
  now?: () => number;
}

/** Replies as the core gave them → replies ready for a channel (no `chart` left). */
export type ChartReplies = (replies: Outbound[]) => Promise<Outbound[]>;

export function chartReplies(o: ChartRepliesOptions): ChartReplies {
  const max = o.cacheSize ?? 8;
  const ttl = o.cacheMs ?? 3_600_000;
  const now = o.now ?? Date.now;
  const name = `${o.fileBase ?? "tiendo"}.${o.renderer.extension}`;
  // One render at a time: each spends 50–120 ms of the main thread and a worker thread of
  // resvg; several /tiendo at once wait their turn rather than crowd out other chats.
  const drawing = new Limiter(1);
  const cache = new Map<string, { file: Promise<{ id: string; name: string }>; at: number }>();

  const draw = (spec: ChartSpec) =>
    drawing.run(async () => {
      const started = performance.now();
      const data = await o.renderer.render(spec);
      const id = randomId(18);
      await o.store.transaction((tx) => tx.saveFile({ id, name, mime: o.renderer.mime, data, ownerId: null }));
      o.log.debug("chart drawn", { ms: Math.round(performance.now() - started), bytes: data.length });
      return { id, name };
    });

  const picture = (spec: ChartSpec) => {
    const key = createHash("sha256").update(JSON.stringify(spec)).digest("base64url");
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttl) {
      // Most recently used last: the first entry is the one to forget.
      cache.delete(key);
      cache.set(key, hit);
      return hit.file;
    }
    const entry = { file: draw(spec), at: now() };
    cache.set(key, entry);
    while (cache.size > max) cache.delete(cache.keys().next().value!);
    entry.file.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    return entry.file;
  };

  return async (replies) => {
    if (!replies.some((r) => r.chart)) return replies;
    const out: Outbound[] = [];
    for (const { chart, ...reply } of replies) {
      out.push(reply);
      if (!chart) continue;
      try {
        out.push({ text: chart.alt, file: await picture(chart) });
      } catch (e) {
        o.log.warn("chart not drawn; text sent alone", { error: e instanceof Error ? e.name : typeof e });
      }
    }
    return out;
  };
}
