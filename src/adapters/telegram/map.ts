/**
 * Telegram updates → the core's Inbound and ChatEvent. Pure functions over the Bot API's
 * shapes (grammY's types), so they are tested without a network.
 */
import type { Chat, Message, Update, User } from "grammy/types";
import type { ChatEvent, Inbound } from "../../core/model.js";

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
