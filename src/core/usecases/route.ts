/**
 * How items travel up the tree: one level at a time. What a unit sends up waits at its
 * direct upper unit (`atUnitId`); that level decides or sends it on. A unit that an
 * administrator lets pass (no officer in the bot yet) hands it straight to the next level,
 * and that passage is a step of the item's path like any decision.
 */
import type { Decision, SubjectType, Unit } from "../model.js";
import type { Env } from "./env.js";
import { actorId } from "./env.js";
import { notifyOfficers } from "./notify.js";

export interface RouteStep {
  decision: Extract<Decision, "SUBMIT" | "FORWARD">;
  /** The unit taking the step (the sender for SUBMIT, the deciding level for FORWARD). */
  from: Unit;
  note: string | null;
}

/**
 * Send an item from `step.from` to its upper unit, past units that let items pass, and tell
 * the officers of the unit where it lands. Returns that unit (null: the top of the tree).
 */
export async function routeUp(env: Env, type: SubjectType, id: number, step: RouteStep, notifyParams: Record<string, unknown>): Promise<Unit | null> {
  let target = step.from.parentId !== null ? await env.tx.getUnit(step.from.parentId) : null;
  await env.tx.addStep({ at: env.now, subjectType: type, subjectId: id, decision: step.decision, reason: step.note, reviewerId: actorId(env.actor), reviewerUnitId: step.from.id, toUnitId: target?.id ?? null });
  target = await passThrough(env, type, id, target);
  await env.tx.setHolder(type, id, target?.id ?? null);
  if (target) await tellHolder(env, target, type, id, step, notifyParams);
  return target;
}

/** Past units an administrator lets pass, each passage recorded; the unit where the item stops. */
export async function passThrough(env: Env, type: SubjectType, id: number, target: Unit | null): Promise<Unit | null> {
  while (target && target.reviewPassThrough && target.parentId !== null) {
    const next = await env.tx.getUnit(target.parentId);
    if (!next) break;
    await env.tx.addStep({ at: env.now, subjectType: type, subjectId: id, decision: "PASS", reason: null, reviewerId: null, reviewerUnitId: target.id, toUnitId: next.id });
    target = next;
  }
  return target;
}

async function tellHolder(env: Env, holder: Unit, type: SubjectType, id: number, step: RouteStep, params: Record<string, unknown>): Promise<void> {
  const key = step.decision === "SUBMIT" ? `notify.submitted.${type}` : `notify.forwarded.${type}`;
  await notifyOfficers(env, holder.id, `${step.decision.toLowerCase()}:${type}:${id}:${holder.id}:${env.now.getTime()}`, "review.request", (locale) =>
    env.translate(locale, key, { unit: step.from.name, note: step.note ?? "", context: step.note ? "note" : undefined, ...params }),
  );
}

/**
 * Where an item `from` sends up would wait if sent now: its upper unit, or past it the
 * first unit on the way that does not let items pass (what `routeUp` will record).
 */
export async function destinationOf(env: Pick<Env, "tx">, from: Unit): Promise<Unit | null> {
  let target = from.parentId !== null ? await env.tx.getUnit(from.parentId) : null;
  while (target && target.reviewPassThrough && target.parentId !== null) {
    const next = await env.tx.getUnit(target.parentId);
    if (!next) break;
    target = next;
  }
  return target;
}
