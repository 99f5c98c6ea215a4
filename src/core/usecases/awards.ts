/**
 * Exemplars (nominations for commendation) and works registered for plaques. Both are
 * sent up at once and reviewed by the level above; a returned one can be amended and sent
 * again.
 */
import { AppError } from "../errors.js";
import type { Campaign, LocalDate, NomineeKind, Nomination, Phase, PlaqueWork, Unit, UnitLevel } from "../model.js";
import { pathIds } from "../permissions.js";
import type { Env } from "./env.js";
import { assertActsFor, personId } from "./env.js";
import { proposableForms } from "./review.js";
import { assertOpen } from "./campaigns.js";
import { sendUp } from "./submissions.js";

export interface NominationInput {
  nomineeKind: NomineeKind;
  nomineeName: string;
  position?: string | null;
  achievement: string;
  directWorker: boolean;
  phase: Phase | null;
  formId: number;
}

export async function nominate(env: Env, unit: Unit, campaign: Campaign, input: NominationInput): Promise<Nomination> {
  await assertActsFor(env, unit);
  assertOpen(campaign);
  const form = (await proposableForms(env, unit, input.nomineeKind)).find((f) => f.id === input.formId);
  if (!form) throw new AppError("stale_state");
  if (input.phase && input.phase.campaignId !== campaign.id) throw new AppError("stale_state");
  const n = await env.tx.createNomination({
    unitId: unit.id,
    campaignId: campaign.id,
    phaseId: input.phase?.id ?? null,
    nomineeKind: input.nomineeKind,
    nomineeName: input.nomineeName,
    position: input.nomineeKind === "PERSON" ? (input.position ?? null) : null,
    achievement: input.achievement,
    directWorker: input.nomineeKind === "PERSON" && input.directWorker,
    formId: form.id,
    submittedById: personId(env),
    submittedAt: env.now,
  });
  await env.tx.audit(env.actor, { action: "nomination.submitted", entity: "nomination", entityId: n.id, unitId: unit.id, data: { kind: n.nomineeKind, form: form.code, directWorker: n.directWorker } });
  await sendUp(env, unit, "NOMINATION", n.id, { name: n.nomineeName });
  return (await env.tx.getNomination(n.id))!;
}

/**
 * Send a returned nomination again with its content replaced — kind, name, position, period,
 * direct-worker flag, achievement and the form proposed, which must be one the unit may
 * propose (see proposableForms).
 */
export async function resubmitNomination(env: Env, unit: Unit, campaign: Campaign, nominationId: number, input: NominationInput): Promise<Nomination> {
  await assertActsFor(env, unit);
  const n = await env.tx.getNomination(nominationId);
  if (!n || n.unitId !== unit.id || n.campaignId !== campaign.id) throw new AppError("stale_state");
  assertOpen((await env.tx.getCampaign(n.campaignId))!);
  if (n.status !== "RETURNED") throw new AppError("not_editable");
  const form = (await proposableForms(env, unit, input.nomineeKind)).find((f) => f.id === input.formId);
  if (!form) throw new AppError("stale_state");
  if (input.phase && input.phase.campaignId !== campaign.id) throw new AppError("stale_state");
  const person = input.nomineeKind === "PERSON";
  const content = {
    nomineeKind: input.nomineeKind,
    nomineeName: input.nomineeName,
    position: person ? (input.position ?? null) : null,
    achievement: input.achievement,
    directWorker: person && input.directWorker,
    phaseId: input.phase?.id ?? null,
    formId: form.id,
  };
  if (!(await env.tx.updateNominationContent(n.id, { ...content, submittedAt: env.now, submittedById: personId(env) }))) throw new AppError("stale_state");
  const changed = (Object.keys(content) as (keyof typeof content)[]).filter((k) => content[k] !== n[k]);
  await env.tx.audit(env.actor, { action: "nomination.resubmitted", entity: "nomination", entityId: n.id, unitId: unit.id, data: { changed, form: form.code, directWorker: content.directWorker } });
  await sendUp(env, unit, "NOMINATION", n.id, { name: content.nomineeName });
  return (await env.tx.getNomination(n.id))!;
}

/** Congresses a unit's work may honour: those of the levels above it (that level decides the plaque). */
export async function occasionsFor(env: Env, unit: Unit): Promise<Unit[]> {
  return (await env.tx.getUnits(pathIds(unit).filter((id) => id !== unit.id))).sort((a, b) => b.depth - a.depth);
}

export async function registerWork(
  env: Env,
  unit: Unit,
  campaign: Campaign,
  input: { name: string; description: string; completionOn: LocalDate | null; occasionLevel: UnitLevel; occasion: string | null },
): Promise<PlaqueWork> {
  await assertActsFor(env, unit);
  assertOpen(campaign);
  if (!(await occasionsFor(env, unit)).some((u) => u.level === input.occasionLevel)) throw new AppError("stale_state");
  const w = await env.tx.createWork({ unitId: unit.id, campaignId: campaign.id, ...input, submittedById: personId(env), submittedAt: env.now });
  await env.tx.audit(env.actor, { action: "work.registered", entity: "work", entityId: w.id, unitId: unit.id });
  await sendUp(env, unit, "WORK", w.id, { name: w.name });
  return (await env.tx.getWork(w.id))!;
}

export async function resubmitWork(env: Env, unit: Unit, workId: number, description: string): Promise<PlaqueWork> {
  await assertActsFor(env, unit);
  const w = await env.tx.getWork(workId);
  if (!w || w.unitId !== unit.id) throw new AppError("stale_state");
  assertOpen((await env.tx.getCampaign(w.campaignId))!);
  if (w.status !== "RETURNED") throw new AppError("not_editable");
  if (!(await env.tx.updateWorkContent(w.id, { description, submittedAt: env.now, submittedById: personId(env) }))) throw new AppError("stale_state");
  await env.tx.audit(env.actor, { action: "work.resubmitted", entity: "work", entityId: w.id, unitId: unit.id });
  await sendUp(env, unit, "WORK", w.id, { name: w.name });
  return (await env.tx.getWork(w.id))!;
}
