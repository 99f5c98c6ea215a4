/**
 * Zalo events → the core's Inbound. Text messages become text; images, stickers, voice
 * notes and "unsupported" messages (sent for some protected senders) become an Inbound the
 * bot answers with "text only, please"; unknown future events are ignored.
 */
import { z } from "zod";
import type { Inbound } from "../../core/model.js";

export const chatKey = (id: string) => `zalo:${id}`;
export const userKey = (id: string) => `zalo:${id}`;

/** Zalo's ids are digits; any printable id is accepted, but never a control character or a huge one. */
const id = z.union([z.string().regex(/^[\x21-\x7E]{1,128}$/), z.number().int().nonnegative()]).transform(String);

const messageSchema = z.object({
  message_id: id,
  from: z.object({ id, display_name: z.string().optional(), name: z.string().optional(), is_bot: z.boolean().optional() }).passthrough(),
  chat: z.object({ id, chat_type: z.string().optional() }).passthrough(),
  text: z.string().optional(),
});

export const eventSchema = z.object({ event_name: z.string().min(1).max(128), message: z.unknown() });
export type ZaloEvent = z.infer<typeof eventSchema>;

const CONTENT_EVENTS = new Set(["message.image.received", "message.sticker.received", "message.voice.received", "message.unsupported.received"]);

export type Mapped = { inbound: Inbound & { updateId: string } } | { ignore: string };

export function mapEvent(event: ZaloEvent): Mapped {
  const isText = event.event_name === "message.text.received";
  if (!isText && !CONTENT_EVENTS.has(event.event_name)) return { ignore: "unknown event" };
  const parsed = messageSchema.safeParse(event.message);
  if (!parsed.success) return { ignore: "malformed message" };
  const m = parsed.data;
  if (m.from.is_bot) return { ignore: "from a bot" };
  const base: Inbound & { updateId: string } = {
    platform: "zalo",
    chatId: chatKey(m.chat.id),
    chatKind: m.chat.chat_type === "GROUP" ? "group" : "private",
    userId: userKey(m.from.id),
    userName: (m.from.display_name ?? m.from.name ?? "").trim() || m.from.id,
    messageId: m.message_id,
    // Zalo has no update ids: an event and its message id identify a delivery.
    updateId: `zalo:${event.event_name}:${m.message_id}`,
  };
  if (isText && typeof m.text === "string" && m.text.length) return { inbound: { ...base, text: m.text } };
  return { inbound: { ...base, unsupported: true } };
}
