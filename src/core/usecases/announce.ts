/** Officers' broadcasts down the tree, to members' groups and to members who follow privately. */
import type { Chat, Unit } from "../model.js";
import { receives } from "../notices.js";
import type { Env } from "./env.js";
import { actorId, assertActsFor } from "./env.js";

/** Every chat an announcement of `unit` reaches: members' chats of the unit and all units below. */
async function audience(env: Env, unit: Unit): Promise<Chat[]> {
  return (await env.tx.memberChatsBelow(unit)).filter((c) => receives(c, "announcement"));
}

export async function broadcastReach(env: Env, unit: Unit): Promise<{ units: number; chats: number }> {
  await assertActsFor(env, unit);
  const chats = await audience(env, unit);
  return { units: 1 + (await env.tx.descendantsOf(unit)).length, chats: chats.length };
}

/**
 * Queue `text` for every member chat of `unit` and the units below, as one broadcast whose
 * progress the officer can follow from `reportTo`. Returns the broadcast and its size.
 */
export async function broadcast(env: Env, unit: Unit, text: string, reportTo: string): Promise<{ id: number; queued: number }> {
  await assertActsFor(env, unit);
  const chats = await audience(env, unit);
  const id = await env.tx.createBroadcast({ unitId: unit.id, createdById: actorId(env.actor), chatKey: reportTo, total: chats.length });
  await env.tx.audit(env.actor, { action: "announcement.created", entity: "broadcast", entityId: id, unitId: unit.id, data: { chats: chats.length } });
  const queued = await env.tx.enqueue(chats.map((c) => ({ key: `announce:${id}:${c.key}`, kind: "announcement", chatKey: c.key, text, broadcastId: id })));
  return { id, queued };
}

/** Nothing is left to send: tell the broadcast's author how it went (once). */
export async function finishBroadcast(env: Env, id: number): Promise<void> {
  const done = await env.tx.completeBroadcast(id, env.now);
  if (!done) return;
  const chat = await env.tx.getChat(done.chatKey);
  const locale = chat?.locale ?? (chat?.personId ? (await env.tx.getPerson(chat.personId))?.locale : null) ?? env.defaultLocale;
  await env.tx.enqueue([{ key: `broadcast-done:${id}`, kind: "broadcast.done", chatKey: done.chatKey, text: env.translate(locale, "announce.done", { sent: done.sent, total: done.total, failed: done.failed }) }]);
}

/** Where a broadcast stands: sent, failed, still to go. Only its author's unit may look. */
export async function broadcastStatus(env: Env, id: number) {
  const p = await env.tx.broadcastProgress(id);
  if (!p) return null;
  const unit = await env.tx.getUnit(p.unitId);
  if (!unit) return null;
  await assertActsFor(env, unit);
  return p;
}
