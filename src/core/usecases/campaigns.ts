/** Campaigns: created from a template for a year, looked up for a unit. */
import { celebratedIn } from "../calendar.js";
import { AppError } from "../errors.js";
import type { Campaign, Unit } from "../model.js";
import { pathIds } from "../permissions.js";
import type { NewCampaign } from "../ports.js";
import type { CampaignTemplate } from "../templates.js";
import { addDays, formatDate } from "../time.js";
import type { Env } from "./env.js";

/** Active campaigns that apply to `unit`: issued by it or by a unit above it. */
export async function campaignsFor(env: Env, unit: Unit): Promise<Campaign[]> {
  return env.tx.activeCampaignsIssuedBy(pathIds(unit));
}

/** Build the campaign a template describes, for `year`, issued by `issuer`. */
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
  const t = (key: string, params: Record<string, unknown>) => env.translate("vi", key, params);
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
      { kind: "REGISTRATION_DEADLINE", date: registrationDeadline, title: t("campaign.dates.registration", { year }) },
      ...phases.flatMap((p) => [
        { kind: "PHASE_END" as const, date: p.endsOn, title: t("campaign.dates.phase_end", { ordinal: p.ordinal, date: formatDate(p.endsOn) }) },
        { kind: "REPORT_DEADLINE" as const, date: p.reportDeadline, title: t("campaign.dates.report", { ordinal: p.ordinal }) },
      ]),
    ],
  };
}

/** Create the template's campaign for `year` (once: a second call for the same year is refused). */
export async function createFromTemplate(env: Env, template: CampaignTemplate, year: number, issuer: Unit, number?: string): Promise<Campaign> {
  const input = await buildFromTemplate(env, template, year, issuer, number);
  if (await env.tx.findCampaign(issuer.id, year, input.number)) throw new AppError("campaign_exists", { year });
  const campaign = await env.tx.createCampaign(input);
  await env.tx.audit(env.actor, { action: "campaign.created", entity: "campaign", entityId: campaign.id, unitId: issuer.id, data: { template: template.key, year } });
  return campaign;
}
