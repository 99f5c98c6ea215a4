/** What officers see of the units below: statuses, totals, and a spreadsheet of it all. */
import { AppError } from "../errors.js";
import type { Campaign, Locale, Phase, SubmissionStatus, Unit } from "../model.js";
import { canManage, isStrictAncestor } from "../permissions.js";
import type { Progress, SpreadsheetWriter } from "../ports.js";
import { gatherMovement } from "./documents.js";
import { movementSheets } from "./workbook.js";
import { randomId } from "../codes.js";
import type { Env } from "./env.js";
import { actorId } from "./env.js";

async function assertSees(env: Env, unit: Unit): Promise<void> {
  if (env.actor.kind === "system") return;
  if (env.actor.person.sandbox !== unit.demo) throw new AppError("sandbox_boundary");
  if (!canManage(env.actor.person, await env.roles(), unit)) throw new AppError("not_officer", { unit: unit.name });
}

/** Where one of the unit's own items stands: its status, and the union that must act on it now. */
export interface OwnItem {
  status: SubmissionStatus | null;
  late: boolean;
  waitingAt: Unit | null;
  /** Whether anyone at `waitingAt` uses the bot yet (otherwise the item waits for one, or for the unit to be let pass). */
  staffed: boolean;
}

/** A unit's own registration and reports (what it sends up itself). */
export interface OwnStatus {
  registration: OwnItem & { themes: number; deadline: string };
  reports: (OwnItem & { phase: Phase })[];
  /** What the unit still has to send, in order: the registration, then each started phase's report. */
  due: { what: "registration" | "report"; phase: Phase | null; deadline: string; overdue: boolean }[];
}

/**
 * Progress as a level sees it: the units below, and (below the issuing union) its own
 * items. A level above the issuing union (Tổng Liên đoàn reading the sector union's plan)
 * sees the units that carry the plan out — the issuing union's subtree (`over`) — and
 * what of it reached itself (`reached`).
 */
export type UnitProgress = Progress & {
  own: OwnStatus | null;
  over: Unit | null;
  reached: { total: number; waiting: number } | null;
};

const STILL_TO_SEND: (SubmissionStatus | null)[] = [null, "DRAFT", "RETURNED"];

/** The unit's own registration and reports; null for the issuing union and the units above it, and for sections the campaign leaves out. */
async function ownStatus(env: Env, unit: Unit, campaign: Campaign, issuer: Unit | null): Promise<OwnStatus | null> {
  if (unit.id === campaign.issuingUnitId || (issuer && !isStrictAncestor(issuer, unit))) return null;
  if (unit.level === "SECTION" && !campaign.includeSections) return null;
  const holders = new Map<number, { waitingAt: Unit | null; staffed: boolean }>();
  const at = async (id: number | null) => {
    if (id === null || id === unit.id) return { waitingAt: null, staffed: true };
    if (!holders.has(id)) holders.set(id, { waitingAt: await env.tx.getUnit(id), staffed: await env.tx.hasOfficers(id) });
    return holders.get(id)!;
  };
  const reg = await env.tx.getRegistration(unit.id, campaign.id);
  const registration = { status: reg?.status ?? null, late: reg?.late ?? false, ...(await at(reg?.atUnitId ?? null)), themes: reg?.themes.length ?? 0, deadline: campaign.registrationDeadline };
  const reports = [];
  for (const phase of campaign.phases) {
    const r = await env.tx.getReport(unit.id, phase.id);
    reports.push({ phase, status: r?.status ?? null, late: r?.late ?? false, ...(await at(r?.atUnitId ?? null)) });
  }
  const due: OwnStatus["due"] = [];
  if (STILL_TO_SEND.includes(registration.status)) due.push({ what: "registration", phase: null, deadline: campaign.registrationDeadline, overdue: env.today > campaign.registrationDeadline });
  for (const r of reports) {
    if (r.phase.startsOn > env.today || !STILL_TO_SEND.includes(r.status)) continue;
    due.push({ what: "report", phase: r.phase, deadline: r.phase.reportDeadline, overdue: env.today > r.phase.reportDeadline });
  }
  return { registration, reports, due };
}

/**
 * Progress of the units below `unit` (officers of the unit or of a unit above may look),
 * with the unit's own registration and reports. Closed campaigns can be read too.
 */
export async function progressOf(env: Env, unit: Unit, campaign: Campaign): Promise<UnitProgress> {
  await assertSees(env, unit);
  const issuer = await env.tx.getUnit(campaign.issuingUnitId);
  if (issuer && isStrictAncestor(unit, issuer)) {
    // Above the issuing union: its subtree is where the plan is carried out; units elsewhere below are not expected to take part.
    const { total, waiting } = await env.tx.itemsReaching(unit.id, campaign.id, 1);
    return { ...(await env.tx.progress(issuer, campaign)), own: null, over: issuer, reached: { total, waiting } };
  }
  return { ...(await env.tx.progress(unit, campaign)), own: await ownStatus(env, unit, campaign, issuer), over: null, reached: null };
}

/**
 * Build the spreadsheet of `unit`'s subtree (registrations, each phase's reports, exemplars
 * and rewards, plaque works, a summary per level) and store it as a file.
 */
export async function exportReports(env: Env, unit: Unit, campaign: Campaign, writer: SpreadsheetWriter, locale: Locale): Promise<{ id: string; name: string; data: Uint8Array }> {
  const movement = await gatherMovement(env, unit, campaign, null);
  const t = (key: string, params?: Record<string, unknown>) => env.translate(locale, key, params);
  const data = await writer.write(movementSheets(t, movement, locale));
  const id = randomId(18);
  const name = `${t("export.filename", { code: unit.code, year: campaign.year })}.${writer.extension}`;
  await env.tx.saveFile({ id, name, mime: writer.mime, data, ownerId: actorId(env.actor) });
  await env.tx.audit(env.actor, { action: "export.created", entity: "file", entityId: id, unitId: unit.id, data: { campaign: campaign.id, rows: movement.records.length } });
  return { id, name, data };
}
