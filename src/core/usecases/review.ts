/**
 * The level above decides on what units below sent up. Only officers of a strict ancestor
 * may decide, never on their own unit, never on what they submitted themselves, and each
 * decision is conditional on the state they saw, so two reviewers cannot both decide.
 */
import { AppError } from "../errors.js";
import { excerpt } from "../format.js";
import type { Decision, SubjectType, SubmissionStatus, Unit, WorkStatus } from "../model.js";
import type { ReviewItem } from "../ports.js";
import type { Env } from "./env.js";
import { assertActsFor, assertReviews, personId } from "./env.js";
import { announceToMembers, notifyOfficers } from "./notify.js";

export const PAGE_SIZE = 8;

/** Levels that may propose works to TLĐ for a plaque. */
const PROPOSING_LEVELS: Unit["level"][] = ["CONFEDERATION", "SECTOR"];

export async function reviewQueue(env: Env, reviewer: Unit, page: number): Promise<{ items: ReviewItem[]; total: number }> {
  await assertActsFor(env, reviewer);
  const workStatuses: WorkStatus[] = PROPOSING_LEVELS.includes(reviewer.level) ? ["REGISTERED", "REVIEWED", "PROPOSED"] : ["REGISTERED"];
  const campaigns = await env.tx.listCampaigns();
  return env.tx.reviewQueue(reviewer, {
    campaignIds: campaigns.filter((c) => c.status === "ACTIVE").map((c) => c.id),
    limit: PAGE_SIZE,
    offset: page * PAGE_SIZE,
    workStatuses,
  });
}

export interface SubjectState {
  type: SubjectType;
  id: number;
  unit: Unit;
  status: SubmissionStatus | WorkStatus;
  submittedById: number | null;
}

export async function loadSubject(env: Env, type: SubjectType, id: number): Promise<SubjectState> {
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
  return { type, id, unit, status: rec.status, submittedById: rec.submittedById };
}

/** Decisions open to `reviewer` on a subject in its current state. */
export function allowedDecisions(type: SubjectType, status: SubmissionStatus | WorkStatus, reviewer: Unit): Decision[] {
  if (type === "WORK") {
    const proposing = PROPOSING_LEVELS.includes(reviewer.level);
    if (status === "REGISTERED") return ["APPROVE", "PLAQUE", "RETURN", "DECLINE"];
    if (status === "REVIEWED") return proposing ? ["PROPOSE", "PLAQUE", "DECLINE"] : [];
    if (status === "PROPOSED") return proposing ? ["PLAQUE", "DECLINE"] : [];
    return [];
  }
  if (status !== "SUBMITTED") return [];
  return type === "NOMINATION" ? ["APPROVE", "RETURN", "DECLINE"] : ["APPROVE", "RETURN"];
}

const NEXT_STATUS: Record<Decision, SubmissionStatus | WorkStatus> = {
  APPROVE: "APPROVED",
  RETURN: "RETURNED",
  DECLINE: "DECLINED",
  PROPOSE: "PROPOSED",
  PLAQUE: "PLAQUED",
};

/** Apply a decision. Returning needs a reason; the unit below is told either way. */
export async function decide(env: Env, reviewer: Unit, type: SubjectType, id: number, decision: Decision, reason: string | null): Promise<void> {
  const subject = await loadSubject(env, type, id);
  await assertReviews(env, reviewer, subject.unit);
  const me = personId(env);
  if (subject.submittedById === me) throw new AppError("own_submission", { unit: reviewer.name });
  if (!allowedDecisions(type, subject.status, reviewer).includes(decision)) throw new AppError("stale_state");
  if (decision === "RETURN" && !reason) throw new AppError("stale_state");
  const next = type === "WORK" && decision === "APPROVE" ? "REVIEWED" : NEXT_STATUS[decision];
  const patch = { decidedAt: env.now, returnReason: decision === "RETURN" || decision === "DECLINE" ? reason : null };
  const from = [subject.status];
  const ok =
    type === "REGISTRATION"
      ? await env.tx.transitionRegistration(id, from as SubmissionStatus[], { status: next as SubmissionStatus, ...patch })
      : type === "REPORT"
        ? await env.tx.transitionReport(id, from as SubmissionStatus[], { status: next as SubmissionStatus, ...patch })
        : type === "NOMINATION"
          ? await env.tx.transitionNomination(id, from as SubmissionStatus[], { status: next as SubmissionStatus, ...patch })
          : await env.tx.transitionWork(id, from as WorkStatus[], { status: next as WorkStatus, ...patch });
  if (!ok) throw new AppError("stale_state");
  await env.tx.addDecision({ subjectType: type, subjectId: id, decision, reason, reviewerId: me, reviewerUnitId: reviewer.id });
  const auditId = await env.tx.audit(env.actor, {
    action: `${type.toLowerCase()}.${decision.toLowerCase()}`,
    entity: type.toLowerCase(),
    entityId: id,
    unitId: subject.unit.id,
    data: { reviewer: reviewer.id, from: subject.status, to: next, reason },
  });
  const params = await subjectParams(env, type, id);
  await notifyOfficers(env, subject.unit.id, `decided:${auditId}`, "review.decision", (locale) =>
    env.translate(locale, `notify.decided.${decision}`, { reviewer: reviewer.name, what: env.translate(locale, `subject.${type}`, params), reason: reason ?? "" }),
  );
  if (type === "NOMINATION" && decision === "APPROVE") await announceCommendation(env, id, reviewer);
}

export async function subjectParams(env: Env, type: SubjectType, id: number): Promise<Record<string, unknown>> {
  if (type === "REPORT") {
    const r = (await env.tx.getReportById(id))!;
    const phase = await env.tx.getPhase(r.phaseId);
    return { ordinal: phase?.ordinal ?? "" };
  }
  if (type === "NOMINATION") return { name: (await env.tx.getNomination(id))!.nomineeName };
  if (type === "WORK") return { name: (await env.tx.getWork(id))!.name };
  return {};
}

/** Approved exemplars are commended publicly to the members of their unit. */
async function announceCommendation(env: Env, nominationId: number, reviewer: Unit): Promise<void> {
  const n = (await env.tx.getNomination(nominationId))!;
  const unit = (await env.tx.getUnit(n.unitId))!;
  const form = (await env.tx.commendationForms()).find((f) => f.id === n.formId);
  await announceToMembers(env, unit.id, `commend:${n.id}`, "commendation", (locale) =>
    env.translate(locale, "announce.commendation", {
      context: n.nomineeKind === "PERSON" ? (n.directWorker ? "worker" : "person") : "collective",
      name: n.nomineeName,
      unit: unit.name,
      reviewer: reviewer.name,
      form: form ? (locale === "vi" ? form.nameVi : form.nameEn) : "",
      achievement: excerpt(n.achievement, 300),
    }),
    "commendation",
  );
}
