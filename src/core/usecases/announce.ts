/** Officers' broadcasts down the tree, to members' groups and to members who follow privately. */
import type { Chat, Unit } from "../model.js";
import type { Env } from "./env.js";
import { assertActsFor } from "./env.js";

async function audience(env: Env, unit: Unit): Promise<{ units: Unit[]; chats: Chat[] }> {
  const units = [unit, ...(await env.tx.descendantsOf(unit))];
  const chats = new Map<string, Chat>();
  for (const u of units) {
    for (const c of await env.tx.chatsOfUnit(u.id, "MEMBERS")) chats.set(c.key, c);
    const members = await env.tx.holdersOf(u.id, "MEMBER");
    for (const c of await env.tx.privateChatsOf(members.map((m) => m.id))) chats.set(c.key, c);
  }
  return { units, chats: [...chats.values()].filter((c) => c.active) };
}

export async function broadcastReach(env: Env, unit: Unit): Promise<{ units: number; chats: number }> {
  await assertActsFor(env, unit);
  const a = await audience(env, unit);
  return { units: a.units.length, chats: a.chats.length };
}

/** Queue `text` for every member chat of `unit` and the units below. Returns how many were queued. */
export async function broadcast(env: Env, unit: Unit, text: string): Promise<number> {
  await assertActsFor(env, unit);
  const a = await audience(env, unit);
  const auditId = await env.tx.audit(env.actor, { action: "announcement.created", entity: "unit", entityId: unit.id, unitId: unit.id, data: { chats: a.chats.length, units: a.units.length } });
  return env.tx.enqueue(a.chats.map((c) => ({ key: `announce:${auditId}:${c.key}`, kind: "announcement", chatKey: c.key, text })));
}
