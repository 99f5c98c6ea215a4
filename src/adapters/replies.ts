/**
 * Sends a conversation's replies straight away, as a person expects; if the platform
 * refuses for now (429, 5xx, network), the rest go to the outbox, whose worker retries
 * with backoff — so a platform outage in the middle of a dialog loses nothing and the
 * person is answered when it returns.
 */
import { redactCodes } from "../core/codes.js";
import type { Outbound, OutboxItem } from "../core/model.js";
import type { Logger, Store } from "../core/ports.js";
import { DeliveryError, platformOf, type Channel } from "./channel.js";

export function replyDelivery(o: {
  channels: () => Channel[];
  store: Store;
  log: Logger;
  onQueued?: () => void;
  /** The platform said "too many" (429): the whole token's budget waits this long. */
  onRateLimited?: (platform: string, ms: number) => Promise<void>;
}) {
  return async function deliver(chatKey: string, replies: Outbound[], updateId: string): Promise<void> {
    const channel = o.channels().find((c) => c.platform === platformOf(chatKey));
    if (!channel) throw new Error(`no channel for ${platformOf(chatKey)}`);
    for (let i = 0; i < replies.length; i++) {
      try {
        await channel.send(chatKey, replies[i]!);
      } catch (e) {
        const err = e instanceof DeliveryError ? e : new DeliveryError("retry", e instanceof Error ? e.message : String(e));
        if (err.kind === "fatal") {
          o.log.warn("reply refused by the platform", { platform: channel.platform, reason: err.message.slice(0, 200) });
          continue;
        }
        if (err.kind === "gone") {
          await o.store.setChatActive(chatKey, false);
          return;
        }
        if (err.retryAfterMs !== undefined) await o.onRateLimited?.(channel.platform, err.retryAfterMs);
        const later: OutboxItem[] = replies.slice(i).map((m, j) => ({
          key: `reply:${updateId}:${i + j}`,
          kind: "reply",
          chatKey,
          // Stored, so a code in it is redacted: the officer asks for a new one if this was it.
          text: redactCodes(m.text),
          choices: m.choices,
          file: m.file,
          notBefore: new Date(Date.now() + (err.retryAfterMs ?? 0)),
        }));
        await o.store.enqueue(later);
        o.log.warn("replies queued for later", { platform: channel.platform, count: later.length });
        o.onQueued?.();
        return;
      }
    }
  };
}

/** Split a text into pieces of at most `max` characters, at line breaks or spaces where possible. */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf("\n", max);
    if (cut < max / 2) cut = rest.lastIndexOf(" ", max);
    if (cut < max / 2) cut = max;
    // Never cut between the two halves of a surrogate pair (an emoji).
    if (/[\uD800-\uDBFF]/.test(rest[cut - 1] ?? "")) cut--;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^[\n ]/, "");
  }
  if (rest.length || !parts.length) parts.push(rest);
  return parts;
}
