/**
 * Messages the bot sends on its own go to the outbox, in the transaction of their cause,
 * keyed by occurrence so that writing them twice sends them once.
 */
import type { Chat, Locale } from "../model.js";
import type { Env } from "./env.js";

async function officerChats(env: Env, unitId: number): Promise<Chat[]> {
  const groups = await env.tx.chatsOfUnit(unitId, "OFFICERS");
  if (groups.length) return groups;
  const officers = await env.tx.holdersOf(unitId, "OFFICER");
  return env.tx.privateChatsOf(officers.map((p) => p.id));
}

async function memberChats(env: Env, unitId: number): Promise<Chat[]> {
  const groups = await env.tx.chatsOfUnit(unitId, "MEMBERS");
  const members = await env.tx.holdersOf(unitId, "MEMBER");
  const personal = await env.tx.privateChatsOf(members.map((p) => p.id));
  return [...groups, ...personal];
}

async function enqueueTo(env: Env, chats: Chat[], cause: string, kind: string, render: (locale: Locale) => string): Promise<number> {
  const items = chats
    .filter((c) => c.active)
    .map((c) => ({ key: `${cause}:${c.key}`, kind, chatKey: c.key, text: render(c.locale ?? env.defaultLocale) }));
  return items.length ? env.tx.enqueue(items) : 0;
}

/** Tell a unit's officers (their officers' groups, or each officer privately when there is none). */
export async function notifyOfficers(env: Env, unitId: number, cause: string, kind: string, render: (locale: Locale) => string): Promise<number> {
  return enqueueTo(env, await officerChats(env, unitId), cause, kind, render);
}

/** Announce to a unit's members: its members' groups and the members who follow it privately. */
export async function announceToMembers(env: Env, unitId: number, cause: string, kind: string, render: (locale: Locale) => string): Promise<number> {
  return enqueueTo(env, await memberChats(env, unitId), cause, kind, render);
}
