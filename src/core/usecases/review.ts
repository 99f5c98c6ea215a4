/**
 * The level an item waits at decides on it, one level at a time (DOMAIN.md, "Who decides
 * what"). A level approves what is its own to decide, forwards with its opinion what
 * belongs higher, returns with a reason, or declines. A reward is decided only by the level
 * that grants it (the catalogue's grantor level); below it a nomination is a proposal that
 * a level may also settle with a form of its own. A plaque is decided by the level of the
 * congress it honours. Where Tổng Liên đoàn (the root) has no officer in the bot, the
 * sector union that forwarded an item records TLĐ's answer or marks it sent.
 *
 * Never decided by: an officer of the unit it comes from (even with a role higher up), an
 * officer of the unit that sent it up to this level, anyone who already took a step on its
 * path at another level (one person decides it at one level only), the person who
 * submitted it, or anyone while the item waits elsewhere. Every decision is conditional on
 * the state and the place seen, so two levels or two officers cannot both decide. When a
 * higher level returns or declines it, the levels below that forwarded it are told too.
 */
import { AppError } from "../errors.js";
import { excerpt } from "../format.js";
import { LEVEL_ORDER } from "../model.js";
import type { CommendationForm, Decision, LocalDate, NomineeKind, PathStep, SubjectType, SubmissionStatus, Unit, UnitLevel, WorkStatus } from "../model.js";
import { hasRole, pathIds } from "../permissions.js";
import type { ReviewQueue, StatusPatch } from "../ports.js";
import { formatDate } from "../time.js";
import type { Env } from "./env.js";
import { actorId, assertActsFor, personId } from "./env.js";
import { assertOpen } from "./campaigns.js";
import { announceToMembers, notifyOfficers } from "./notify.js";
import { passThrough, routeUp } from "./route.js";

export const PAGE_SIZE = 8;

/**
 * What a level can do with an item. GRANT: the reward proposed, decided here; GRANT_OWN: a
 * form of this level's own instead; FILE: a registration acknowledged at the top;
 * FILE_OUTSIDE: marked sent to a TLĐ that is not in the bot; RECORD_*: TLĐ's answer,
 * taken outside the bot, recorded by the level that proposed it.
 */
export type Action =
  | "FORWARD"
  | "APPROVE"
  | "GRANT"
  | "GRANT_OWN"
  | "PLAQUE"
  | "FILE"
  | "RETURN"
  | "DECLINE"
  | "FILE_OUTSIDE"
  | "RECORD_GRANT"
  | "RECORD_PLAQUE"
  | "RECORD_DECLINE";

/** Actions that need a reason typed. */
export const NEEDS_REASON: readonly Action[] = ["RETURN", "DECLINE", "RECORD_DECLINE"];
/** Actions that record a reward decision (number and date). */
export const GRANTS: readonly Action[] = ["GRANT", "GRANT_OWN", "RECORD_GRANT"];

export interface Subject {
  type: SubjectType;
  id: number;
  unit: Unit;
  status: SubmissionStatus | WorkStatus;
  atUnitId: number | null;
  submittedById: number | null;
  campaignId: number;
  /** Nominations: the form proposed and who is nominated. */
  form?: CommendationForm;
  nomineeKind?: NomineeKind;
  /** Works: the level of the congress (it decides). */
  occasionLevel?: UnitLevel;
}

export async function loadSubject(env: Env, type: SubjectType, id: number): Promise<Subject> {
  const rec =
    type === "REGISTRATION"
      ? await env.tx.getRegistrationById(id)
      : type === "REPORT"
        ? await env.tx.getReportById(id)
        : type === "NOMINATION"
          ? await env.tx.getNomination(id)
          : await env.tx.getWork(id);
  if (!rec) throw new AppError("stale_state");
  const unit = (await env.tx.getUnit(rec.unitId))!;
  const campaignId = "campaignId" in rec ? rec.campaignId : (await env.tx.getPhase(rec.phaseId))!.campaignId;
  const s: Subject = { type, id, unit, status: rec.status, atUnitId: rec.atUnitId, submittedById: rec.submittedById, campaignId };
  if (type === "NOMINATION" && "formId" in rec) {
    s.form = (await env.tx.commendationForms()).find((f) => f.id === rec.formId);
    s.nomineeKind = rec.nomineeKind;
  }
  if (type === "WORK" && "occasionLevel" in rec) s.occasionLevel = rec.occasionLevel;
  return s;
}

const rank = (level: UnitLevel) => LEVEL_ORDER.indexOf(level);

/** Forms a unit of `level` grants, for this kind of nominee. */
export function ownForms(forms: CommendationForm[], level: UnitLevel, kind: NomineeKind): CommendationForm[] {
  return forms.filter((f) => f.grantorLevel === level && (kind === "PERSON" ? f.forPerson : f.forCollective));
}

/**
 * Forms a unit may propose: granted by a level strictly above it that exists on its path
 * (a grassroots union directly under the sector union cannot propose an upper-grassroots
 * Giấy khen). Its own level's forms it grants itself, outside this procedure.
 */
export async function proposableForms(env: Env, unit: Unit, kind: NomineeKind): Promise<CommendationForm[]> {
  const above = new Set((await env.tx.getUnits(pathIds(unit).filter((id) => id !== unit.id))).map((u) => u.level));
  return (await env.tx.commendationForms()).filter((f) => f.grantorLevel !== null && above.has(f.grantorLevel) && rank(f.grantorLevel) < rank(unit.level) && (kind === "PERSON" ? f.forPerson : f.forCollective));
}

/** The root of `unit`'s tree, when it has no officer in the bot (TLĐ answers outside it). */
async function offlineRoot(env: Env, unit: Unit): Promise<Unit | null> {
  const rootId = pathIds(unit)[0]!;
  if (rootId === unit.id) return null;
  if (await env.tx.hasOfficers(rootId)) return null;
  return env.tx.getUnit(rootId);
}

/**
 * Why a person may not decide an item: an officer of the unit it comes from ("conflict"),
 * its submitter ("own"), an officer of the unit that sent it up to this level
 * ("forwarder"), or someone who already took a step on its path at another unit ("step").
 */
export type Conflict = "conflict" | "own" | "forwarder" | "step";

export interface Options {
  actions: Action[];
  /** Why nothing can be done here, when nothing can. */
  why?: "elsewhere" | Conflict;
  /** The unit the reason names (for a conflict: the person's unit on the item's way). */
  whyUnit?: Pick<Unit, "id" | "name">;
  /** Where it waits (when not here). */
  holder?: Unit | null;
}

/** The unit that sent the item up to where it waits: the last SUBMIT or FORWARD on its path. */
function sentUpBy(steps: PathStep[]): PathStep["unit"] | null {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]!.decision === "SUBMIT" || steps[i]!.decision === "FORWARD") return steps[i]!.unit;
  return null;
}

/**
 * Whether the acting person must keep out of deciding this item at `reviewer`'s level.
 * `deciding` is false for a level that only records the answer of TLĐ outside the bot:
 * that level sent it there itself.
 */
async function conflictOf(env: Env, reviewer: Unit, s: Subject, deciding: boolean): Promise<Pick<Options, "why" | "whyUnit"> | null> {
  const me = actorId(env.actor);
  if (me === null) return null;
  const roles = await env.roles();
  if (hasRole(roles, s.unit.id, ["OFFICER"])) return { why: "conflict", whyUnit: s.unit };
  if (s.submittedById === me) return { why: "own", whyUnit: reviewer };
  const steps = await env.tx.pathOf(s.type, s.id);
  const sender = deciding ? sentUpBy(steps) : null;
  if (sender && sender.id !== reviewer.id && hasRole(roles, sender.id, ["OFFICER"])) return { why: "forwarder", whyUnit: sender };
  const mine = steps.find((st) => st.personId === me && st.unit.id !== reviewer.id);
  if (mine) return { why: "step", whyUnit: mine.unit };
  return null;
}

/** What `reviewer` may do with the item now. */
export async function optionsFor(env: Env, reviewer: Unit, s: Subject): Promise<Options> {
  const holder = s.atUnitId !== null ? await env.tx.getUnit(s.atUnitId) : null;
  // TLĐ outside the bot: the level below it (the one that sent it there) records the answer.
  if (holder && holder.id !== reviewer.id) {
    const root = await offlineRoot(env, reviewer);
    if (root && root.id === holder.id && reviewer.parentId === root.id && s.unit.path.startsWith(reviewer.path)) {
      const conflict = await conflictOf(env, reviewer, s, false);
      if (conflict) return { actions: [], ...conflict, holder };
      const actions: Action[] =
        s.type === "REGISTRATION" || s.type === "REPORT" ? ["FILE_OUTSIDE"] : s.type === "NOMINATION" ? ["RECORD_GRANT", "RECORD_DECLINE"] : ["RECORD_PLAQUE", "RECORD_DECLINE"];
      return { actions, holder };
    }
    return { actions: [], why: "elsewhere", holder };
  }
  if (!holder) return { actions: [], why: "elsewhere", holder: null };
  const conflict = await conflictOf(env, reviewer, s, true);
  if (conflict) return { actions: [], ...conflict, holder };
  const up = reviewer.parentId !== null;
  const first = s.status === "SUBMITTED" || s.status === "REGISTERED";
  let actions: Action[] = [];
  switch (s.type) {
    case "REGISTRATION":
      // Checked by the direct upper unit, then on to TLĐ (sections' registrations stop at their union).
      if (first) actions = s.unit.level === "SECTION" || !up ? [up ? "APPROVE" : "FILE", "RETURN"] : ["FORWARD", "RETURN"];
      else actions = up ? ["FORWARD"] : ["FILE"];
      break;
    case "REPORT":
      actions = first ? (up ? ["APPROVE", "FORWARD", "RETURN"] : ["APPROVE", "RETURN"]) : up ? ["APPROVE", "FORWARD"] : ["APPROVE"];
      break;
    case "NOMINATION": {
      const grantor = s.form?.grantorLevel ?? "CONFEDERATION";
      const own = ownForms(await env.tx.commendationForms(), reviewer.level, s.nomineeKind ?? "PERSON");
      if (rank(reviewer.level) === rank(grantor)) actions = ["GRANT", ...(own.length > 1 ? (["GRANT_OWN"] as Action[]) : []), "RETURN", "DECLINE"];
      else if (rank(reviewer.level) > rank(grantor) && up) actions = ["FORWARD", ...(own.length ? (["GRANT_OWN"] as Action[]) : []), "RETURN", "DECLINE"];
      else actions = [...(own.length ? (["GRANT_OWN"] as Action[]) : []), "RETURN", "DECLINE"];
      break;
    }
    case "WORK": {
      const decider = s.occasionLevel ?? "UPPER_GRASSROOTS";
      const back: Action[] = first ? ["RETURN"] : [];
      actions = rank(reviewer.level) > rank(decider) && up ? ["FORWARD", ...back, "DECLINE"] : ["PLAQUE", ...back, "DECLINE"];
      break;
    }
  }
  return { actions, holder };
}

export async function reviewQueue(env: Env, reviewer: Unit, page: number): Promise<ReviewQueue> {
  await assertActsFor(env, reviewer);
  const campaigns = (await env.tx.listCampaigns()).filter((c) => c.status === "ACTIVE");
  const root = reviewer.parentId !== null ? await offlineRoot(env, reviewer) : null;
  return env.tx.reviewQueue(reviewer, {
    campaignIds: campaigns.map((c) => c.id),
    limit: PAGE_SIZE,
    offset: page * PAGE_SIZE,
    alsoAt: root && root.id === reviewer.parentId ? root.id : null,
  });
}

export interface DecisionInput {
  note?: string | null;
  /** GRANT_OWN: the form this level grants instead. */
  formId?: number;
  decisionNumber?: string | null;
  decisionDate?: LocalDate | null;
}

const STORED: Record<Action, Decision> = {
  FORWARD: "FORWARD",
  APPROVE: "APPROVE",
  GRANT: "GRANT",
  GRANT_OWN: "GRANT",
  PLAQUE: "PLAQUE",
  FILE: "FILE",
  RETURN: "RETURN",
  DECLINE: "DECLINE",
  FILE_OUTSIDE: "FILE",
  RECORD_GRANT: "RECORD",
  RECORD_PLAQUE: "RECORD",
  RECORD_DECLINE: "RECORD",
};

/** Apply `action` of `reviewer` to an item; the sender (and the next level) are told. */
export async function decide(env: Env, reviewer: Unit, type: SubjectType, id: number, action: Action, input: DecisionInput = {}): Promise<void> {
  await assertActsFor(env, reviewer);
  const s = await loadSubject(env, type, id);
  const campaign = await env.tx.getCampaign(s.campaignId);
  if (campaign) assertOpen(campaign);
  const opts = await optionsFor(env, reviewer, s);
  if (!opts.actions.includes(action)) {
    if (opts.why === "conflict") throw new AppError("conflict_of_interest", { unit: s.unit.name });
    if (opts.why === "forwarder" || opts.why === "step") throw new AppError("conflict_of_interest", { unit: opts.whyUnit!.name, context: opts.why });
    if (opts.why === "own") throw new AppError("own_submission", { unit: reviewer.name });
    if (opts.why === "elsewhere") throw new AppError("not_at_your_level", opts.holder ? { unit: opts.holder.name } : { unit: "", context: "none" });
    throw new AppError("stale_state");
  }
  const note = input.note?.trim() || null;
  if (NEEDS_REASON.includes(action) && !note) throw new AppError("stale_state");
  const holder = opts.holder!;
  const me = personId(env);
  const where = { whereAt: holder.id };
  const forms = await env.tx.commendationForms();
  let formId: number | null = null;
  let ok = true;
  switch (action) {
    case "FORWARD": {
      // Accepted at this level (registrations, reports), or proposed on (nominations, works).
      const status = type === "REGISTRATION" || type === "REPORT" ? "APPROVED" : type === "WORK" ? "PROPOSED" : "SUBMITTED";
      ok = await transition(env, s, { status, decidedAt: env.now, returnReason: null, ...where });
      if (!ok) break;
      const to = await routeUp(env, type, id, { decision: "FORWARD", from: reviewer, note }, { ...(await subjectParams(env, type, id)), sender: s.unit.name });
      await tellSender(env, s, reviewer, "FORWARD", note, { to: to?.name ?? "" });
      break;
    }
    case "APPROVE":
      ok = await transition(env, s, { status: "APPROVED", atUnitId: null, decidedAt: env.now, returnReason: null, ...where });
      break;
    case "FILE":
    case "FILE_OUTSIDE":
      if (type === "REGISTRATION") ok = await env.tx.fileRegistration(id, holder.id, action === "FILE_OUTSIDE", env.now);
      else ok = await transition(env, s, { status: "APPROVED", atUnitId: null, decidedAt: env.now, ...where });
      break;
    case "GRANT":
    case "GRANT_OWN":
    case "RECORD_GRANT": {
      formId = action === "GRANT_OWN" ? (input.formId ?? -1) : s.form!.id;
      if (action === "GRANT_OWN" && !ownForms(forms, reviewer.level, s.nomineeKind!).some((f) => f.id === formId)) throw new AppError("stale_state");
      const grantor = action === "RECORD_GRANT" ? holder : reviewer;
      ok = await env.tx.grantNomination(id, holder.id, { formId, unitId: grantor.id, decisionNumber: input.decisionNumber ?? null, decisionDate: input.decisionDate ?? null, at: env.now });
      break;
    }
    case "PLAQUE":
    case "RECORD_PLAQUE":
      ok = await transition(env, s, { status: "PLAQUED", atUnitId: null, decidedAt: env.now, returnReason: null, ...where });
      break;
    case "RETURN":
      ok = await transition(env, s, { status: "RETURNED", atUnitId: null, decidedAt: env.now, returnReason: note, ...where });
      break;
    case "DECLINE":
    case "RECORD_DECLINE":
      ok = await transition(env, s, { status: "DECLINED", atUnitId: null, decidedAt: env.now, returnReason: note, ...where });
      break;
  }
  if (!ok) throw new AppError("stale_state");
  if (action !== "FORWARD") {
    await env.tx.addStep({
      at: env.now,
      subjectType: type,
      subjectId: id,
      decision: STORED[action],
      reason: action === "FILE_OUTSIDE" ? null : note,
      reviewerId: me,
      reviewerUnitId: reviewer.id,
      toUnitId: action.startsWith("RECORD") || action === "FILE_OUTSIDE" ? holder.id : null,
      formId,
      decisionNumber: input.decisionNumber ?? null,
      decisionDate: input.decisionDate ?? null,
    });
  }
  await env.tx.audit(env.actor, {
    action: `${type.toLowerCase()}.${action.toLowerCase()}`,
    entity: type.toLowerCase(),
    entityId: id,
    unitId: s.unit.id,
    data: { reviewer: reviewer.id, at: holder.id, from: s.status, note, formId, decisionNumber: input.decisionNumber ?? null },
  });
  if (action === "FORWARD") return;
  const decidedBy = action.startsWith("RECORD") || action === "FILE_OUTSIDE" ? holder : reviewer;
  await tellSender(env, s, decidedBy, action, note, {});
  if (action === "RETURN" || action === "DECLINE" || action === "RECORD_DECLINE") await tellForwarders(env, s, reviewer, decidedBy, action, note);
  if (formId !== null) await announceReward(env, id);
  if (action === "PLAQUE" || action === "RECORD_PLAQUE") await announcePlaque(env, id, decidedBy);
}

async function transition(env: Env, s: Subject, patch: StatusPatch<SubmissionStatus | WorkStatus>): Promise<boolean> {
  const from = [s.status];
  if (s.type === "REGISTRATION") return env.tx.transitionRegistration(s.id, from as SubmissionStatus[], patch as StatusPatch<SubmissionStatus>);
  if (s.type === "REPORT") return env.tx.transitionReport(s.id, from as SubmissionStatus[], patch as StatusPatch<SubmissionStatus>);
  if (s.type === "NOMINATION") return env.tx.transitionNomination(s.id, from as SubmissionStatus[], patch as StatusPatch<SubmissionStatus>);
  return env.tx.transitionWork(s.id, from as WorkStatus[], patch as StatusPatch<WorkStatus>);
}

/** Tell the sending unit's officers what a level did. */
async function tellSender(env: Env, s: Subject, by: Unit, action: Action, note: string | null, extra: Record<string, unknown>): Promise<void> {
  const params = await subjectParams(env, s.type, s.id);
  await notifyOfficers(env, s.unit.id, `decided:${s.type}:${s.id}:${action}:${by.id}:${env.now.getTime()}`, "review.decision", (locale) =>
    env.translate(locale, `notify.decided.${action}`, {
      ...params,
      reviewer: by.name,
      what: env.translate(locale, `subject.${s.type}`, params),
      reason: note ?? "",
      note: note ?? "",
      context: note && action === "FORWARD" ? "note" : undefined,
      ...extra,
    }),
  );
}

/**
 * When a higher level returns or declines an item, tell the officers of each unit below it
 * that forwarded it on this round of its path (one message per unit's officers' chats, as
 * the sender is told): they vouched for it, and a returned item comes through them again.
 * `by` is the acting level (it is not told: it acted), `decidedBy` the level named.
 */
async function tellForwarders(env: Env, s: Subject, by: Unit, decidedBy: Unit, action: Action, note: string | null): Promise<void> {
  const steps = await env.tx.pathOf(s.type, s.id);
  let round = 0;
  steps.forEach((st, i) => {
    if (st.decision === "SUBMIT") round = i;
  });
  const units = new Map<number, PathStep["unit"]>();
  for (const st of steps.slice(round)) if (st.decision === "FORWARD" && st.unit.id !== by.id && st.unit.id !== s.unit.id) units.set(st.unit.id, st.unit);
  if (!units.size) return;
  const params = { ...(await subjectParams(env, s.type, s.id)), sender: s.unit.name };
  for (const unit of units.values()) {
    await notifyOfficers(env, unit.id, `decided-below:${s.type}:${s.id}:${action}:${unit.id}:${env.now.getTime()}`, "review.decision", (locale) =>
      env.translate(locale, `notify.decided_forwarded.${action}`, {
        ...params,
        reviewer: decidedBy.name,
        unit: unit.name,
        what: env.translate(locale, `subject_from.${s.type}`, params),
        reason: note ?? "",
      }),
    );
  }
}

export async function subjectParams(env: Env, type: SubjectType, id: number): Promise<Record<string, unknown>> {
  if (type === "REPORT") {
    const r = (await env.tx.getReportById(id))!;
    const phase = await env.tx.getPhase(r.phaseId);
    return { ordinal: phase?.ordinal ?? "" };
  }
  if (type === "NOMINATION") return { name: (await env.tx.getNomination(id))!.nomineeName };
  if (type === "WORK") return { name: (await env.tx.getWork(id))!.name };
  if (type === "REGISTRATION") return { count: (await env.tx.getRegistrationById(id))!.themes.length };
  return {};
}

/** "(Quyết định số 123/QĐ-CĐCT ngày 15/09/2026)", or what of it is known. */
export function decisionText(env: Pick<Env, "translate">, locale: Parameters<Env["translate"]>[0], number: string | null, date: LocalDate | null): string {
  if (!number && !date) return "";
  return env.translate(locale, "award.decision", { number: number ?? "", date: date ? formatDate(date) : "", context: number && date ? "both" : number ? "number" : "date" });
}

/** Members are told of a reward once the granting level has decided it, in words that say so. */
async function announceReward(env: Env, nominationId: number): Promise<void> {
  const n = (await env.tx.getNomination(nominationId))!;
  const unit = (await env.tx.getUnit(n.unitId))!;
  const grantor = (await env.tx.getUnit(n.grantedByUnitId!))!;
  const form = (await env.tx.commendationForms()).find((f) => f.id === n.grantedFormId);
  await announceToMembers(env, unit.id, `award:${n.id}`, "commendation", (locale) =>
    env.translate(locale, "announce.reward", {
      context: n.nomineeKind === "PERSON" ? (n.directWorker ? "worker" : "person") : "collective",
      name: n.nomineeName,
      unit: unit.name,
      grantor: grantor.name,
      award: form ? awardPhrase(env, locale, form) : "",
      decision: decisionText(env, locale, n.decisionNumber, n.decisionDate),
      achievement: excerpt(n.achievement, 300),
    }),
    "commendation",
  );
}

/** "tặng Bằng khen", "công nhận danh hiệu …": the verb and short name of a form. */
export function awardPhrase(env: Pick<Env, "translate">, locale: Parameters<Env["translate"]>[0], form: CommendationForm): string {
  const key = `award.form.${form.code}`;
  const phrase = env.translate(locale, key);
  return phrase === key ? env.translate(locale, "award.form_default", { name: locale === "vi" ? form.nameVi : form.nameEn }) : phrase;
}

async function announcePlaque(env: Env, workId: number, by: Unit): Promise<void> {
  const w = (await env.tx.getWork(workId))!;
  const unit = (await env.tx.getUnit(w.unitId))!;
  await announceToMembers(env, unit.id, `plaque:${w.id}`, "commendation", (locale) =>
    env.translate(locale, "announce.plaque", { name: w.name, unit: unit.name, by: by.name, occasion: w.occasion ?? env.translate(locale, `works.occasion.${w.occasionLevel}`) }),
    "commendation",
  );
}

/** An item's path for display: each step with its level, decision, who, when and note. */
export async function pathOf(env: Env, type: SubjectType, id: number): Promise<PathStep[]> {
  return env.tx.pathOf(type, id);
}

/**
 * An administrator lets a unit's items go straight to the next level (it has no officer in
 * the bot yet), or stops it. Items already waiting there move on now, each passage on its path.
 */
export async function setPassThrough(env: Env, unit: Unit, on: boolean): Promise<number> {
  if (env.actor.kind !== "system") throw new AppError("not_officer", { unit: unit.name });
  await env.tx.setPassThrough(unit.id, on);
  await env.tx.audit(env.actor, { action: on ? "unit.pass_through_on" : "unit.pass_through_off", entity: "unit", entityId: unit.id, unitId: unit.id });
  if (!on || unit.parentId === null) return 0;
  const moved = await env.tx.itemsAt(unit.id);
  const self = { ...unit, reviewPassThrough: true };
  for (const it of moved) {
    const target = await passThrough(env, it.type, it.id, self);
    await env.tx.setHolder(it.type, it.id, target?.id ?? null);
    if (target) {
      const params = await subjectParams(env, it.type, it.id);
      const item = await loadSubject(env, it.type, it.id);
      await notifyOfficers(env, target.id, `pass:${it.type}:${it.id}:${target.id}`, "review.request", (locale) =>
        env.translate(locale, `notify.submitted.${it.type}`, { unit: item.unit.name, ...params }),
      );
    }
  }
  return moved.length;
}
