/**
 * Officers' broadcasts down the tree: to members (members' groups and members who follow
 * privately), or as a directive to the officers of the units below (their officers'
 * groups, or each officer privately), or to both. The text names the sending union.
 */
import type { Chat, Unit } from "../model.js";
import { receives } from "../notices.js";
import type { BroadcastAudience } from "../ports.js";
import type { Env } from "./env.js";
import { actorId, assertActsFor } from "./env.js";

/** Every chat a broadcast of `unit` to `to` reaches (each once), and how many units it covers. */
async function audience(env: Env, unit: Unit, to: BroadcastAudience): Promise<{ chats: Chat[]; units: number }> {
  const below = await env.tx.descendantsOf(unit);
  const officersOf = async (units: Unit[]) => [...(await env.tx.officerChatsOf(units.map((u) => u.id))).values()].flat();
  let chats: Chat[];
  let units: number;
  if (to === "members") {
    chats = (await env.tx.memberChatsBelow(unit)).filter((c) => receives(c, "announcement"));
    units = 1 + below.length;
  } else if (to === "officers_children") {
    const children = below.filter((u) => u.parentId === unit.id);
    // A directive is work for the officers: it reaches them whatever their groups switched off.
    chats = (await officersOf(children)).filter((c) => receives(c, null));
    units = children.length;
  } else if (to === "officers_subtree") {
    chats = (await officersOf(below)).filter((c) => receives(c, null));
    units = below.length;
  } else {
    chats = [...(await officersOf(below)).filter((c) => receives(c, null)), ...(await env.tx.memberChatsBelow(unit)).filter((c) => receives(c, "announcement"))];
    units = 1 + below.length;
  }
  const seen = new Map<string, Chat>();
  for (const c of chats) if (!seen.has(c.key)) seen.set(c.key, c);
  return { chats: [...seen.values()], units };
}

export async function broadcastReach(env: Env, unit: Unit, to: BroadcastAudience = "members"): Promise<{ units: number; chats: number }> {
  await assertActsFor(env, unit);
  const a = await audience(env, unit, to);
  return { units: a.units, chats: a.chats.length };
}

/**
 * Queue `text` for every chat of the audience, as one broadcast whose progress the officer
 * can follow from `reportTo`. Each message says which union sends it. Returns the
 * broadcast and its size.
 */
export async function broadcast(env: Env, unit: Unit, text: string, reportTo: string, to: BroadcastAudience = "members"): Promise<{ id: number; queued: number }> {
  await assertActsFor(env, unit);
  const { chats } = await audience(env, unit, to);
  const id = await env.tx.createBroadcast({ unitId: unit.id, createdById: actorId(env.actor), chatKey: reportTo, total: chats.length, audience: to });
  await env.tx.audit(env.actor, { action: "announcement.created", entity: "broadcast", entityId: id, unitId: unit.id, data: { chats: chats.length, audience: to } });
  const queued = await env.tx.enqueue(
    chats.map((c) => ({
      key: `announce:${id}:${c.key}`,
      kind: "announcement",
      chatKey: c.key,
      text: env.translate(c.locale ?? env.defaultLocale, "announce.from", { unit: unit.name, text }),
      broadcastId: id,
    })),
  );
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
