/**
 * Campaigns: created from a template for a year, looked up for a unit, their deadlines set
 * by the issuing union, closed at the end of the year (read-only from then on), and the
 * next year's opened with its own document number.
 */
import { campaignDateTitle, celebratedIn, type DatedCampaign } from "../calendar.js";
import { AppError } from "../errors.js";
import type { Campaign, LocalDate, SubjectType, Unit } from "../model.js";
import { pathIds } from "../permissions.js";
import type { NewCampaign } from "../ports.js";
import type { CampaignTemplate } from "../templates.js";
import { addDays, formatDate } from "../time.js";
import type { Env } from "./env.js";
import { actorId, assertActsFor } from "./env.js";

/**
 * Active campaigns that apply to `unit`: issued by it or by a unit above it (the ones it
 * may write to). With `below`, also those issued by units below it, whose items travel up
 * to it (Tổng Liên đoàn and the plan of Công đoàn Công Thương Việt Nam): what it may read
 * and review, never register or report under.
 */
export async function campaignsFor(env: Env, unit: Unit, opts: { below?: boolean } = {}): Promise<Campaign[]> {
  const applying = await env.tx.activeCampaignsIssuedBy(pathIds(unit));
  if (!opts.below) return applying;
  return [...applying, ...(await env.tx.activeCampaignsIssuedBelow(unit))];
}

/**
 * Refuse any change to a closed campaign: registrations, reports, nominations, works and
 * review decisions. Every write use case calls it first; reading stays possible.
 */
export function assertOpen(campaign: Pick<Campaign, "status" | "number" | "year">): void {
  if (campaign.status === "CLOSED") throw new AppError("campaign_closed", { number: campaign.number, year: campaign.year });
}

/** Campaigns issued by `unit` itself, newest first (active and closed). */
export async function campaignsIssuedBy(env: Env, unit: Unit): Promise<Campaign[]> {
  return (await env.tx.listCampaigns()).filter((c) => c.issuingUnitId === unit.id);
}

/** Throws unless the actor acts for the campaign's issuing union (the CLI always may). */
export async function assertIssuer(env: Env, campaign: Campaign): Promise<Unit> {
  const issuer = await env.tx.getUnit(campaign.issuingUnitId);
  if (!issuer) throw new AppError("stale_state");
  if (env.actor.kind === "person") {
    try {
      await assertActsFor(env, issuer);
    } catch (e) {
      if (e instanceof AppError && e.code === "not_officer") throw new AppError("not_issuer", { unit: issuer.name, number: campaign.number, year: campaign.year });
      throw e;
    }
  }
  return issuer;
}

/**
 * The calendar rows of a campaign's deadlines, stored with their Vietnamese titles (marked
 * as defaults while nobody has set them); /lich words them in each reader's language.
 */
function deadlineDates(env: Env, campaign: DatedCampaign, registrationDeadline: LocalDate): NewCampaign["dates"] {
  const row = (kind: "REGISTRATION_DEADLINE" | "REPORT_DEADLINE", date: LocalDate) => ({ kind, date, title: campaignDateTitle({ kind, date, title: "" }, campaign, "vi", env.translate) });
  return [row("REGISTRATION_DEADLINE", registrationDeadline), ...campaign.phases.map((p) => row("REPORT_DEADLINE", p.reportDeadline))];
}

/**
 * Build the campaign a template describes, for `year`, issued by `issuer`. Its deadlines
 * are the bot's defaults (the template's): the calendar says so until the issuing union
 * sets them.
 */
export async function buildFromTemplate(env: Env, template: CampaignTemplate, year: number, issuer: Unit, number?: string): Promise<NewCampaign> {
  const on = (md: string, y = year) => `${y}-${md}`;
  const commemorations = await env.tx.commemorations([]);
  const phases = template.phases.map((p, i) => {
    const startsOn = on(p.start);
    const endsOn = on(p.end);
    const dedication =
      year === template.year
        ? p.dedication
        : env.translate("vi", "campaign.dedication", { list: celebratedIn(commemorations, p.celebrates, startsOn, endsOn, "vi", env.translate).join("; ") });
    return { ordinal: i + 1, startsOn, endsOn, reportDeadline: addDays(endsOn, p.reportDueDays), dedication };
  });
  const registrationDeadline = on(template.registrationDeadline);
  const dated = { year, deadlinesDefault: true, phases };
  const deadlines = deadlineDates(env, dated, registrationDeadline);
  return {
    number: number ?? template.number,
    templateKey: template.key,
    year,
    title: year === template.year ? template.title : template.titleForYear.replaceAll("{year}", String(year)),
    goals: template.goals,
    issuingUnitId: issuer.id,
    issuedOn: on(template.issuedOn),
    registrationDeadline,
    figureKeys: template.figureKeys,
    areas: template.areas.map((a, i) => ({ ordinal: i + 1, title: a.title, summary: a.summary })),
    phases,
    dates: [
      deadlines[0]!,
      ...phases.flatMap((p, i) => [{ kind: "PHASE_END" as const, date: p.endsOn, title: campaignDateTitle({ kind: "PHASE_END", date: p.endsOn, title: "" }, dated, "vi", env.translate) }, deadlines[i + 1]!]),
    ],
  };
}

/**
 * Create the template's campaign for `year` (once: a second call for the same year and
 * number is refused). A year other than the template's own needs its own document number:
 * the template's ("64/KH-CĐCT") belongs to its year only.
 */
export async function createFromTemplate(env: Env, template: CampaignTemplate, year: number, issuer: Unit, number?: string): Promise<Campaign> {
  const own = number?.trim();
  if (!own && year !== template.year) throw new AppError("campaign_number_required", { year, template: template.number });
  const input = await buildFromTemplate(env, template, year, issuer, own || undefined);
  if (await env.tx.findCampaign(issuer.id, year, input.number)) throw new AppError("campaign_exists", { year });
  const campaign = await env.tx.createCampaign(input);
  await env.tx.audit(env.actor, { action: "campaign.created", entity: "campaign", entityId: campaign.id, unitId: issuer.id, data: { template: template.key, year, number: input.number } });
  return campaign;
}

export interface Deadlines {
  registration: LocalDate;
  /** Report deadline per phase ordinal; a phase left out keeps its current deadline. */
  reports: Record<number, LocalDate>;
}

/**
 * The issuing union sets the registration deadline and the phases' report deadlines. They
 * stop being defaults; the calendar (/lich, reminders, lateness) follows them from now on.
 */
export async function setDeadlines(env: Env, campaign: Campaign, deadlines: Deadlines): Promise<Campaign> {
  const issuer = await assertIssuer(env, campaign);
  assertOpen(campaign);
  const lastEnd = campaign.phases.at(-1)?.endsOn ?? `${campaign.year}-12-31`;
  if (deadlines.registration < campaign.issuedOn || deadlines.registration > lastEnd) {
    throw new AppError("bad_deadline", { date: formatDate(deadlines.registration), from: formatDate(campaign.issuedOn), to: formatDate(lastEnd) });
  }
  for (const ordinal of Object.keys(deadlines.reports).map(Number)) {
    if (!campaign.phases.some((p) => p.ordinal === ordinal)) throw new AppError("stale_state");
  }
  const phases = campaign.phases.map((p) => ({ id: p.id, ordinal: p.ordinal, endsOn: p.endsOn, reportDeadline: deadlines.reports[p.ordinal] ?? p.reportDeadline }));
  for (const p of phases) {
    // A report covers the whole phase: it cannot be due before the phase ends, nor years later.
    const latest = addDays(p.endsOn, 120);
    if (p.reportDeadline < p.endsOn || p.reportDeadline > latest) throw new AppError("bad_deadline", { date: formatDate(p.reportDeadline), from: formatDate(p.endsOn), to: formatDate(latest) });
  }
  await env.tx.setCampaignDeadlines(campaign.id, {
    registrationDeadline: deadlines.registration,
    phases: phases.map((p) => ({ id: p.id, reportDeadline: p.reportDeadline })),
    dates: deadlineDates(env, { year: campaign.year, deadlinesDefault: false, phases }, deadlines.registration),
  });
  await env.tx.audit(env.actor, {
    action: "campaign.deadlines_set",
    entity: "campaign",
    entityId: campaign.id,
    unitId: issuer.id,
    data: { registration: deadlines.registration, reports: Object.fromEntries(phases.map((p) => [p.ordinal, p.reportDeadline])), before: { registration: campaign.registrationDeadline, defaults: campaign.deadlinesDefault } },
  });
  return (await env.tx.getCampaign(campaign.id))!;
}

/**
 * What is still waiting for a level's decision in the campaign, by kind: told to whoever
 * closes it before they confirm. Once closed, such items are never decided (the review
 * lists read only active plans) and read "not decided before the plan closed".
 */
export async function pendingDecisions(env: Env, campaign: Campaign): Promise<Record<SubjectType, number>> {
  return env.tx.pendingItems(campaign.id);
}

/** End the campaign: nothing in it can be changed any more; progress and exports stay readable. */
export async function closeCampaign(env: Env, campaign: Campaign): Promise<Campaign> {
  const issuer = await assertIssuer(env, campaign);
  assertOpen(campaign);
  const undecided = await pendingDecisions(env, campaign);
  if (!(await env.tx.closeCampaign(campaign.id, actorId(env.actor), env.now))) throw new AppError("stale_state");
  await env.tx.audit(env.actor, { action: "campaign.closed", entity: "campaign", entityId: campaign.id, unitId: issuer.id, data: { number: campaign.number, year: campaign.year, undecided } });
  return (await env.tx.getCampaign(campaign.id))!;
}

/** Whether the issuing union already has a campaign for the year after `campaign`'s. */
export async function hasNextYear(env: Env, campaign: Campaign): Promise<boolean> {
  return (await env.tx.listCampaigns()).some((c) => c.issuingUnitId === campaign.issuingUnitId && c.year === campaign.year + 1 && c.templateKey === campaign.templateKey);
}

/** Open next year's campaign from the same template, with the number the issuing union gave it. */
export async function openNextYear(env: Env, campaign: Campaign, template: CampaignTemplate | null, number: string): Promise<Campaign> {
  const issuer = await assertIssuer(env, campaign);
  if (!template) throw new AppError("template_not_found", { key: campaign.templateKey ?? "—", known: "—" });
  if (await hasNextYear(env, campaign)) throw new AppError("campaign_exists", { year: campaign.year + 1 });
  return createFromTemplate(env, template, campaign.year + 1, issuer, number);
}
