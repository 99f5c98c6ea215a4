/**
 * Messages the bot sends on its own go to the outbox, in the transaction of their cause,
 * keyed by occurrence so that writing them twice sends them once.
 */
import type { Chat, Locale, NoticeKind, OutboxItem } from "../model.js";
import { receives } from "../notices.js";
import type { Env } from "./env.js";

/** The officers' groups of a unit, or — where it has none — its officers' private chats. */
export async function officerChats(env: Env, unitId: number): Promise<Chat[]> {
  const groups = await env.tx.chatsOfUnit(unitId, "OFFICERS");
  if (groups.length) return groups;
  const officers = await env.tx.holdersOf(unitId, "OFFICER");
  return env.tx.privateChatsOf(officers.map((p) => p.id));
}

/** A unit's members' groups and the private chats of members who follow it. */
export async function memberChats(env: Env, unitId: number): Promise<Chat[]> {
  const groups = await env.tx.chatsOfUnit(unitId, "MEMBERS");
  const members = await env.tx.holdersOf(unitId, "MEMBER");
  const personal = await env.tx.privateChatsOf(members.map((p) => p.id));
  return [...groups, ...personal];
}

export interface Notice {
  /** Occurrence key; the chat key is appended per chat. */
  cause: string;
  /** Outbox kind (for figures and logs). */
  kind: string;
  /** The kind a chat may switch off; null: always sent (reviews, a removed group). */
  notice: NoticeKind | null;
  render(locale: Locale, chat: Chat): string;
  dueAt?: Date;
}

/** Outbox rows of `n` for every chat that wants it (one per chat, even if listed twice). */
export function itemsFor(env: Env, chats: Chat[], n: Notice): OutboxItem[] {
  const seen = new Set<string>();
  const out: OutboxItem[] = [];
  for (const c of chats) {
    if (seen.has(c.key) || !receives(c, n.notice)) continue;
    seen.add(c.key);
    out.push({ key: `${n.cause}:${c.key}`, kind: n.kind, chatKey: c.key, text: n.render(c.locale ?? env.defaultLocale, c), dueAt: n.dueAt });
  }
  return out;
}

async function enqueueTo(env: Env, chats: Chat[], n: Notice): Promise<number> {
  const items = itemsFor(env, chats, n);
  return items.length ? env.tx.enqueue(items) : 0;
}

/** Tell a unit's officers (their officers' groups, or each officer privately when there is none). */
export async function notifyOfficers(env: Env, unitId: number, cause: string, kind: string, render: (locale: Locale) => string, notice: NoticeKind | null = null): Promise<number> {
  return enqueueTo(env, await officerChats(env, unitId), { cause, kind, notice, render });
}

/** Announce to a unit's members: its members' groups and the members who follow it privately. */
export async function announceToMembers(env: Env, unitId: number, cause: string, kind: string, render: (locale: Locale) => string, notice: NoticeKind | null = null): Promise<number> {
  return enqueueTo(env, await memberChats(env, unitId), { cause, kind, notice, render });
}
