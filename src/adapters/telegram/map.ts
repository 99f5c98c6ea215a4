/**
 * Telegram updates → the core's Inbound and ChatEvent. Pure functions over the Bot API's
 * shapes (grammY's types), so they are tested without a network.
 */
import type { Chat, Message, Update, User } from "grammy/types";
import { z } from "zod";
import type { ChatEvent, Inbound } from "../../core/model.js";

/**
 * The parts of an Update that mapUpdate reads, as the Bot API promises them. An update
 * that breaks the promise (a message without `chat`, a member change without statuses, an
 * id that is not a number) is malformed: the adapter drops it instead of failing on it.
 */
const int = z.number().int();
const tgChat = z.looseObject({ id: int, type: z.string(), title: z.string().optional() });
const tgUser = z.looseObject({
  id: int,
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});
const tgMessage = z.looseObject({
  message_id: int,
  chat: tgChat,
  from: tgUser.optional(),
  text: z.string().optional(),
  migrate_to_chat_id: int.optional(),
  migrate_from_chat_id: int.optional(),
});
const tgMember = z.looseObject({ status: z.string() });
const updateSchema = z.looseObject({
  update_id: int,
  message: tgMessage.optional(),
  callback_query: z.looseObject({ id: z.string(), from: tgUser, message: tgMessage.optional(), data: z.string().optional() }).optional(),
  my_chat_member: z.looseObject({ chat: tgChat, from: tgUser, old_chat_member: tgMember, new_chat_member: tgMember }).optional(),
});

/** Null when `update` is well formed; otherwise where it is not (field paths, never values). */
export function malformation(update: unknown): string | null {
  const r = updateSchema.safeParse(update);
  return r.success ? null : [...new Set(r.error.issues.map((i) => i.path.join(".") || "(root)"))].slice(0, 5).join(", ");
}

export const chatKey = (id: number | string) => `tg:${id}`;
export const userKey = (id: number) => `tg:${id}`;

/** The chat id inside a "tg:…" key. */
export function chatIdOf(key: string): number {
  const id = Number(key.slice(3));
  if (!key.startsWith("tg:") || !Number.isSafeInteger(id)) throw new Error(`not a Telegram chat key: ${key}`);
  return id;
}

function kind(chat: Chat): "private" | "group" | null {
  if (chat.type === "private") return "private";
  if (chat.type === "group" || chat.type === "supergroup") return "group";
  return null; // channels: the bot does not converse there
}

function nameOf(u: User): string {
  return [u.first_name, u.last_name].filter(Boolean).join(" ") || u.username || String(u.id);
}

function base(update: Update, chat: Chat, from: User, messageId: number | undefined): Omit<Inbound, "text" | "choice"> | null {
  const k = kind(chat);
  if (!k || from.is_bot) return null;
  return {
    platform: "tg",
    chatId: chatKey(chat.id),
    chatKind: k,
    chatTitle: "title" in chat ? chat.title : undefined,
    userId: userKey(from.id),
    userName: nameOf(from),
    messageId: messageId === undefined ? undefined : String(messageId),
    updateId: `tg:${update.update_id}`,
    languageHint: from.language_code,
  };
}

/** A command explicitly addressed to another bot ("/help@other_bot") is not for us. */
export function addressedElsewhere(text: string, botUsername: string): boolean {
  const m = /^\/[A-Za-z0-9_]+@([A-Za-z0-9_]+)/.exec(text.trim());
  return Boolean(m && m[1]!.toLowerCase() !== botUsername.toLowerCase());
}

/** What an update means for the bot: something to handle, something that happened to the chat, or nothing. */
export function mapUpdate(update: Update, botUsername: string): { inbound: Inbound & { updateId: string } } | { event: ChatEvent } | null {
  if (update.callback_query) {
    const q = update.callback_query;
    if (!q.message || !q.data) return null;
    const b = base(update, q.message.chat, q.from, q.message.message_id);
    return b ? { inbound: { ...b, updateId: b.updateId!, choice: q.data } } : null;
  }
  if (update.my_chat_member) {
    const m = update.my_chat_member;
    const gone = ["left", "kicked"];
    const key = chatKey(m.chat.id);
    if (gone.includes(m.new_chat_member.status)) return { event: { kind: "bot_removed", chatKey: key } };
    if (gone.includes(m.old_chat_member.status)) return { event: { kind: "bot_added", chatKey: key, chatTitle: "title" in m.chat ? m.chat.title : undefined } };
    return null;
  }
  const msg: Message | undefined = update.message;
  if (!msg) return null; // edited messages, channel posts, inline queries: not handled
  if (msg.migrate_to_chat_id) return { event: { kind: "migrated", chatKey: chatKey(msg.chat.id), newChatKey: chatKey(msg.migrate_to_chat_id) } };
  if (msg.migrate_from_chat_id) return { event: { kind: "migrated", chatKey: chatKey(msg.migrate_from_chat_id), newChatKey: chatKey(msg.chat.id) } };
  if (!msg.from) return null;
  const b = base(update, msg.chat, msg.from, msg.message_id);
  if (!b) return null;
  if (typeof msg.text === "string") {
    if (addressedElsewhere(msg.text, botUsername)) return null;
    return { inbound: { ...b, updateId: b.updateId!, text: msg.text } };
  }
  // Service messages (members joining, titles changing) say nothing to the bot.
  const content = msg.photo || msg.document || msg.sticker || msg.voice || msg.video || msg.audio || msg.video_note || msg.animation || msg.contact || msg.location;
  return content ? { inbound: { ...b, updateId: b.updateId!, unsupported: true } } : null;
}
