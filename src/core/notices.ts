/**
 * Which chats want which of the bot's own posts. Members' groups get anniversaries,
 * commendations and announcements; officers' groups get deadline reminders and phase
 * summaries; a member's private chat gets what a members' group gets. Officers switch
 * kinds on or off per group (/caidat); notifications about reviews always go through.
 */
import type { Chat, NoticeKind } from "./model.js";

const DEFAULTS: Record<"OFFICERS" | "MEMBERS" | "PRIVATE", ReadonlySet<NoticeKind>> = {
  OFFICERS: new Set(["reminder", "summary"]),
  MEMBERS: new Set(["anniversary", "commendation", "announcement"]),
  PRIVATE: new Set(["anniversary", "commendation", "announcement", "reminder", "summary"]),
};

export function defaultsOf(chat: Pick<Chat, "kind" | "purpose">): ReadonlySet<NoticeKind> {
  if (chat.kind === "private") return DEFAULTS.PRIVATE;
  return chat.purpose === "OFFICERS" ? DEFAULTS.OFFICERS : DEFAULTS.MEMBERS;
}

/** Whether this chat receives notices of `kind` (always true for kinds that cannot be switched off). */
export function receives(chat: Pick<Chat, "kind" | "purpose" | "prefs" | "active">, kind: NoticeKind | null): boolean {
  if (!chat.active) return false;
  if (kind === null) return true;
  return chat.prefs?.[kind] ?? defaultsOf(chat).has(kind);
}
