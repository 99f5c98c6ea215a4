/**
 * What a unit sends up: its theme registration (≥ 2 themes) and its phase reports. Every
 * change is audited; submitting tells the officers of the level above.
 */
import { lateContext } from "../calendar.js";
import { AppError } from "../errors.js";
import { LIMITS } from "../limits.js";
import { MAX_DECIMAL } from "../format.js";
import type { Campaign, Phase, PhaseReport, Registration, SubjectType, Target, Theme, Unit } from "../model.js";
import type { NewTarget, ThemePatch } from "../ports.js";
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

/** The editable registration and one of its themes, or stale_state when the theme is gone. */
async function editableTheme(env: Env, unit: Unit, campaign: Campaign, themeId: number): Promise<{ reg: Registration; theme: Theme }> {
  const reg = await registrationOf(env, unit, campaign);
  assertEditable(reg);
  const theme = reg.themes.find((t) => t.id === themeId);
  if (!theme) throw new AppError("stale_state");
  return { reg, theme };
}

/** Change a theme's title, key task or person responsible (what is left undefined stays). */
export async function updateTheme(env: Env, unit: Unit, campaign: Campaign, themeId: number, patch: ThemePatch): Promise<Registration> {
  const { reg } = await editableTheme(env, unit, campaign, themeId);
  await env.tx.updateTheme(themeId, patch);
  await env.tx.audit(env.actor, { action: "theme.updated", entity: "registration", entityId: reg.id, unitId: unit.id, data: { theme: themeId, fields: Object.keys(patch) } });
  return (await env.tx.getRegistrationById(reg.id))!;
}

/** Add a concrete target (chỉ tiêu) to a theme. */
export async function addTarget(env: Env, unit: Unit, campaign: Campaign, themeId: number, input: NewTarget): Promise<Registration> {
  const { reg, theme } = await editableTheme(env, unit, campaign, themeId);
  if (theme.targets.length >= LIMITS.maxTargets) throw new AppError("stale_state");
  if (!(input.planned >= 0 && input.planned <= MAX_DECIMAL)) throw new AppError("stale_state");
  const target = await env.tx.addTarget(themeId, input);
  await env.tx.audit(env.actor, { action: "target.added", entity: "registration", entityId: reg.id, unitId: unit.id, data: { theme: themeId, target: target.id } });
  return (await env.tx.getRegistrationById(reg.id))!;
}

export async function removeTarget(env: Env, unit: Unit, campaign: Campaign, themeId: number, targetId: number): Promise<Registration> {
  const { reg, theme } = await editableTheme(env, unit, campaign, themeId);
  if (!theme.targets.some((t) => t.id === targetId)) throw new AppError("stale_state");
  await env.tx.removeTarget(targetId, env.now);
  await env.tx.audit(env.actor, { action: "target.removed", entity: "registration", entityId: reg.id, unitId: unit.id, data: { theme: themeId, target: targetId } });
  return (await env.tx.getRegistrationById(reg.id))!;
}

/** A theme can be sent up once it says what key task it serves, who is responsible, and at least one target. */
export function isComplete(theme: Theme): boolean {
  return !!theme.keyTask && !!theme.responsible && theme.targets.length > 0;
}

/** The first theme that is not complete, if any. */
export function firstIncomplete(reg: Registration): Theme | undefined {
  return reg.themes.find((t) => !isComplete(t));
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

/** Send the registration up. Refused with fewer than two themes, or while one of them is incomplete. */
export async function submitRegistration(env: Env, unit: Unit, campaign: Campaign): Promise<Registration> {
  assertOpen(campaign);
  const reg = await registrationOf(env, unit, campaign);
  assertEditable(reg);
  if (reg.themes.length < LIMITS.minThemes) throw new AppError("min_themes", { min: LIMITS.minThemes, count: reg.themes.length });
  const incomplete = firstIncomplete(reg);
  if (incomplete) throw new AppError("theme_incomplete", { title: incomplete.title });
  const late = env.today > campaign.registrationDeadline;
  const ok = await env.tx.transitionRegistration(reg.id, [...EDITABLE], { status: "SUBMITTED", submittedAt: env.now, submittedById: personId(env), returnReason: null, decidedAt: null, late });
  if (!ok) throw new AppError("stale_state");
  await env.tx.audit(env.actor, { action: "registration.submitted", entity: "registration", entityId: reg.id, unitId: unit.id, data: { themes: reg.themes.length, late } });
  await sendUp(env, unit, "REGISTRATION", reg.id, { count: reg.themes.length, context: lateContext(late, campaign) });
  return (await env.tx.getRegistrationById(reg.id))!;
}

/** Send an item of `unit` to its direct upper unit (or past units that let items pass). */
export async function sendUp(env: Env, unit: Unit, type: SubjectType, id: number, params: Record<string, unknown>): Promise<Unit | null> {
  return routeUp(env, type, id, { decision: "SUBMIT", from: unit, note: null }, params);
}

export interface ReportAnswers {
  figures: Record<string, bigint>;
  /** Value reached so far this year on each registered target (target id → value). */
  targets?: Record<number, number>;
  narrative: string;
}

/**
 * The targets a phase report answers: those of the unit's registration once it was sent up
 * (a draft registers nothing yet), in the order they were set.
 */
export async function targetsToReport(env: Pick<Env, "tx">, unit: Unit, campaign: Campaign): Promise<Target[]> {
  const reg = await env.tx.getRegistration(unit.id, campaign.id);
  if (!reg || reg.status === "DRAFT") return [];
  return reg.themes.flatMap((t) => t.targets);
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
  // Every registered target answered, and nothing else: the registration may have changed since the dialog began.
  const targets = await targetsToReport(env, unit, campaign);
  const given = answers.targets ?? {};
  if (Object.keys(given).length !== targets.length) throw new AppError("stale_state");
  for (const t of targets) if (!(given[t.id]! >= 0 && given[t.id]! <= MAX_DECIMAL)) throw new AppError("stale_state");
  const input = {
    unitId: unit.id,
    phaseId: phase.id,
    narrative: answers.narrative,
    late: isLate(env, phase),
    figures: Object.fromEntries(campaign.figureKeys.map((k) => [k, answers.figures[k]!])),
    targets: Object.fromEntries(targets.map((t) => [t.id, given[t.id]!])),
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
