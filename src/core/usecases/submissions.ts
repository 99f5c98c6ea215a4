/**
 * What a unit sends up: its theme registration (≥ 2 themes) and its phase reports. Every
 * change is audited; submitting tells the officers of the level above.
 */
import { AppError } from "../errors.js";
import { LIMITS } from "../limits.js";
import type { Campaign, Phase, PhaseReport, Registration, SubjectType, Unit } from "../model.js";
import type { Env } from "./env.js";
import { assertActsFor, personId } from "./env.js";
import { assertOpen } from "./campaigns.js";
import { routeUp } from "./route.js";

const EDITABLE = ["DRAFT", "RETURNED"] as const;

/** The unit's registration for the campaign, created as a draft on first use. */
export async function registrationOf(env: Env, unit: Unit, campaign: Campaign): Promise<Registration> {
  await assertActsFor(env, unit);
  return (await env.tx.getRegistration(unit.id, campaign.id)) ?? env.tx.createRegistration(unit.id, campaign.id);
}

function assertEditable(reg: Registration): void {
  if (reg.status === "SUBMITTED") throw new AppError("already_submitted");
  if (reg.status === "APPROVED") throw new AppError("already_approved");
  if (!(EDITABLE as readonly string[]).includes(reg.status)) throw new AppError("not_editable");
}

export async function addTheme(env: Env, unit: Unit, campaign: Campaign, contentAreaId: number, title: string): Promise<Registration> {
  assertOpen(campaign);
  const reg = await registrationOf(env, unit, campaign);
  assertEditable(reg);
  if (reg.themes.length >= LIMITS.maxThemes) throw new AppError("max_themes", { max: LIMITS.maxThemes });
  if (!campaign.areas.some((a) => a.id === contentAreaId)) throw new AppError("stale_state");
  const theme = await env.tx.addTheme(reg.id, contentAreaId, title);
  await env.tx.audit(env.actor, { action: "theme.added", entity: "registration", entityId: reg.id, unitId: unit.id, data: { theme: theme.id } });
  return (await env.tx.getRegistrationById(reg.id))!;
}

export async function renameTheme(env: Env, unit: Unit, campaign: Campaign, themeId: number, title: string): Promise<Registration> {
  assertOpen(campaign);
  const reg = await registrationOf(env, unit, campaign);
  assertEditable(reg);
  if (!reg.themes.some((t) => t.id === themeId)) throw new AppError("stale_state");
  await env.tx.renameTheme(themeId, title);
  await env.tx.audit(env.actor, { action: "theme.renamed", entity: "registration", entityId: reg.id, unitId: unit.id, data: { theme: themeId } });
  return (await env.tx.getRegistrationById(reg.id))!;
}

export async function removeTheme(env: Env, unit: Unit, campaign: Campaign, themeId: number): Promise<Registration> {
  assertOpen(campaign);
  const reg = await registrationOf(env, unit, campaign);
  assertEditable(reg);
  if (!reg.themes.some((t) => t.id === themeId)) throw new AppError("stale_state");
  await env.tx.removeTheme(themeId, env.now);
  await env.tx.audit(env.actor, { action: "theme.removed", entity: "registration", entityId: reg.id, unitId: unit.id, data: { theme: themeId } });
  return (await env.tx.getRegistrationById(reg.id))!;
}

/** Send the registration up. Refused with fewer than two themes. */
export async function submitRegistration(env: Env, unit: Unit, campaign: Campaign): Promise<Registration> {
  assertOpen(campaign);
  const reg = await registrationOf(env, unit, campaign);
  assertEditable(reg);
  if (reg.themes.length < LIMITS.minThemes) throw new AppError("min_themes", { min: LIMITS.minThemes, count: reg.themes.length });
  const late = env.today > campaign.registrationDeadline;
  const ok = await env.tx.transitionRegistration(reg.id, [...EDITABLE], { status: "SUBMITTED", submittedAt: env.now, submittedById: personId(env), returnReason: null, decidedAt: null, late });
  if (!ok) throw new AppError("stale_state");
  await env.tx.audit(env.actor, { action: "registration.submitted", entity: "registration", entityId: reg.id, unitId: unit.id, data: { themes: reg.themes.length, late } });
  await sendUp(env, unit, "REGISTRATION", reg.id, { count: reg.themes.length, context: late ? "late" : undefined });
  return (await env.tx.getRegistrationById(reg.id))!;
}

/** Send an item of `unit` to its direct upper unit (or past units that let items pass). */
export async function sendUp(env: Env, unit: Unit, type: SubjectType, id: number, params: Record<string, unknown>): Promise<Unit | null> {
  return routeUp(env, type, id, { decision: "SUBMIT", from: unit, note: null }, params);
}

export interface ReportAnswers {
  figures: Record<string, bigint>;
  narrative: string;
}

/** Whether a report sent today for `phase` counts as late. */
export function isLate(env: Pick<Env, "today">, phase: Phase): boolean {
  return env.today > phase.reportDeadline;
}

/** Submit (or, after a return, resubmit) the unit's report for a phase. Late reports are accepted and marked. */
export async function submitReport(env: Env, unit: Unit, campaign: Campaign, phase: Phase, answers: ReportAnswers): Promise<PhaseReport> {
  await assertActsFor(env, unit);
  assertOpen(campaign);
  if (phase.campaignId !== campaign.id) throw new AppError("stale_state");
  if (env.today < phase.startsOn) throw new AppError("phase_not_started", { ordinal: phase.ordinal });
  for (const key of campaign.figureKeys) if (answers.figures[key] === undefined || answers.figures[key]! < 0n) throw new AppError("stale_state");
  if (answers.narrative.length > LIMITS.narrative.max) throw new AppError("stale_state");
  const input = {
    unitId: unit.id,
    phaseId: phase.id,
    narrative: answers.narrative,
    late: isLate(env, phase),
    figures: Object.fromEntries(campaign.figureKeys.map((k) => [k, answers.figures[k]!])),
    submittedAt: env.now,
    submittedById: personId(env),
  };
  const existing = await env.tx.getReport(unit.id, phase.id);
  let report: PhaseReport;
  if (!existing) report = await env.tx.createReport(input);
  else if (existing.status === "RETURNED") {
    if (!(await env.tx.resubmitReport(existing.id, input))) throw new AppError("stale_state");
    report = (await env.tx.getReportById(existing.id))!;
  } else if (existing.status === "APPROVED") throw new AppError("already_approved");
  else throw new AppError("already_submitted");
  await env.tx.audit(env.actor, {
    action: existing ? "report.resubmitted" : "report.submitted",
    entity: "report",
    entityId: report.id,
    unitId: unit.id,
    data: { phase: phase.ordinal, late: report.late },
  });
  await sendUp(env, unit, "REPORT", report.id, { ordinal: phase.ordinal, context: report.late ? "late" : undefined });
  return (await env.tx.getReportById(report.id))!;
}
