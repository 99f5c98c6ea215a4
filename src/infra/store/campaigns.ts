/** Campaigns and the reference data around them (calendar, commendation forms). */
import type { SubjectType } from "../../core/model.js";
import type { Tx } from "../../core/ports.js";
import * as map from "./map.js";
import { fromLocalDate, type Db } from "./map.js";
import type { ReferenceCache } from "./reference-cache.js";

type CampaignsTx = Pick<
  Tx,
  | "activeCampaignsIssuedBy"
  | "activeCampaignsIssuedBelow"
  | "itemsReaching"
  | "pendingItems"
  | "getCampaign"
  | "listCampaigns"
  | "findCampaign"
  | "createCampaign"
  | "setCampaignDeadlines"
  | "closeCampaign"
  | "campaignDates"
  | "commemorations"
  | "upsertCommemoration"
  | "commendationForms"
  | "upsertCommendationForm"
  | "getPhase"
>;

export function campaignsStore(db: Db, ref: ReferenceCache): CampaignsTx {
  return {
    activeCampaignsIssuedBy: (unitIds) =>
      ref.get(`active:${unitIds.join(",")}`, async () => {
        const rows = await db.campaign.findMany({ where: { issuingUnitId: { in: unitIds }, status: "ACTIVE" }, include: map.campaignInclude, orderBy: [{ year: "desc" }, { id: "desc" }] });
        return rows.map(map.campaign);
      }),
    // Not kept in memory: it depends on where units sit in the tree, which the reference generation does not follow.
    async activeCampaignsIssuedBelow(unit) {
      const rows = await db.campaign.findMany({
        where: { status: "ACTIVE", issuingUnit: { path: { startsWith: unit.path }, id: { not: unit.id } } },
        include: map.campaignInclude,
        orderBy: [{ year: "desc" }, { id: "desc" }],
      });
      return rows.map(map.campaign);
    },
    async pendingItems(campaignId) {
      const held = { atUnitId: { not: null } };
      const [registrations, reports, nominations, works] = await Promise.all([
        db.themeRegistration.count({ where: { campaignId, ...held } }),
        db.phaseReport.count({ where: { phase: { campaignId }, ...held } }),
        db.nomination.count({ where: { campaignId, ...held } }),
        db.plaqueWork.count({ where: { campaignId, ...held } }),
      ]);
      return { REGISTRATION: registrations, REPORT: reports, NOMINATION: nominations, WORK: works };
    },
    async itemsReaching(unitId, campaignId, limit) {
      // From the campaign's items (indexed by campaign) to their steps (indexed by item): no scan of every step.
      const rows = await db.$queryRawUnsafe<{ type: SubjectType; id: number; atUnitId: number | null; total: bigint | number; waiting: bigint | number }[]>(
        `WITH items AS (
           SELECT 'REGISTRATION' AS type, r.id, r."atUnitId" FROM "ThemeRegistration" r WHERE r."campaignId" = $2 AND r.status <> 'DRAFT'
           UNION ALL
           SELECT 'REPORT', p.id, p."atUnitId" FROM "PhaseReport" p JOIN "Phase" ph ON ph.id = p."phaseId" WHERE ph."campaignId" = $2
           UNION ALL
           SELECT 'NOMINATION', n.id, n."atUnitId" FROM "Nomination" n WHERE n."campaignId" = $2 AND n.status <> 'DRAFT'
           UNION ALL
           SELECT 'WORK', w.id, w."atUnitId" FROM "PlaqueWork" w WHERE w."campaignId" = $2
         ), reached AS (
           SELECT i.type, i.id, i."atUnitId", max(d.at) AS at
             FROM items i JOIN "ReviewDecision" d ON d."subjectType" = i.type::"SubjectType" AND d."subjectId" = i.id AND d."toUnitId" = $1
            GROUP BY i.type, i.id, i."atUnitId"
         )
         SELECT type, id, "atUnitId", count(*) OVER () AS total, count(*) FILTER (WHERE "atUnitId" = $1) OVER () AS waiting
           FROM reached ORDER BY at DESC, type, id DESC LIMIT $3`,
        unitId,
        campaignId,
        limit,
      );
      const first = rows[0];
      return { items: rows.map((r) => ({ type: r.type, id: r.id, atUnitId: r.atUnitId })), total: Number(first?.total ?? 0), waiting: Number(first?.waiting ?? 0) };
    },
    getCampaign: (id) =>
      ref.get(`campaign:${id}`, async () => {
        const c = await db.campaign.findFirst({ where: { id }, include: map.campaignInclude });
        return c ? map.campaign(c) : null;
      }),
    async listCampaigns() {
      return (await db.campaign.findMany({ include: map.campaignInclude, orderBy: [{ year: "desc" }, { id: "desc" }] })).map(map.campaign);
    },
    async findCampaign(issuingUnitId, year, number) {
      const c = await db.campaign.findFirst({ where: { issuingUnitId, year, number }, include: map.campaignInclude });
      return c ? map.campaign(c) : null;
    },
    async createCampaign(input) {
      ref.changing();
      const c = await db.campaign.create({
        data: {
          number: input.number,
          templateKey: input.templateKey,
          year: input.year,
          title: input.title,
          goals: input.goals,
          issuingUnitId: input.issuingUnitId,
          issuedOn: fromLocalDate(input.issuedOn),
          registrationDeadline: fromLocalDate(input.registrationDeadline),
          figureKeys: input.figureKeys,
          areas: { create: input.areas },
          phases: {
            create: input.phases.map((p) => ({
              ordinal: p.ordinal,
              startsOn: fromLocalDate(p.startsOn),
              endsOn: fromLocalDate(p.endsOn),
              reportDeadline: fromLocalDate(p.reportDeadline),
              dedication: p.dedication,
            })),
          },
          dates: { create: input.dates.map((d) => ({ kind: d.kind, date: fromLocalDate(d.date), title: d.title })) },
        },
        include: map.campaignInclude,
      });
      return map.campaign(c);
    },
    async setCampaignDeadlines(id, input) {
      ref.changing();
      await db.campaign.update({ where: { id }, data: { registrationDeadline: fromLocalDate(input.registrationDeadline), deadlinesDefault: false } });
      for (const p of input.phases) await db.phase.updateMany({ where: { id: p.id, campaignId: id }, data: { reportDeadline: fromLocalDate(p.reportDeadline) } });
      await db.campaignDate.deleteMany({ where: { campaignId: id, kind: { in: ["REGISTRATION_DEADLINE", "REPORT_DEADLINE"] } } });
      await db.campaignDate.createMany({ data: input.dates.map((d) => ({ campaignId: id, kind: d.kind, date: fromLocalDate(d.date), title: d.title })) });
    },
    async closeCampaign(id, byId, at) {
      ref.changing();
      const n = await db.campaign.updateMany({ where: { id, status: "ACTIVE" }, data: { status: "CLOSED", closedAt: at, closedById: byId } });
      return n.count === 1;
    },
    async campaignDates(campaignIds) {
      if (!campaignIds.length) return [];
      const rows = await db.campaignDate.findMany({ where: { campaignId: { in: campaignIds } }, orderBy: [{ date: "asc" }, { id: "asc" }] });
      return rows.map((d) => ({ campaignId: d.campaignId, kind: d.kind, date: map.toLocalDate(d.date), title: d.title }));
    },
    async commemorations(campaignIds) {
      const rows = await db.commemoration.findMany({ where: { OR: [{ campaignId: null }, { campaignId: { in: campaignIds } }] }, orderBy: [{ month: "asc" }, { day: "asc" }, { id: "asc" }] });
      return rows.map((c) => ({ key: c.key, campaignId: c.campaignId, month: c.month, day: c.day, baseYear: c.baseYear, wholeMonth: c.wholeMonth, titleVi: c.titleVi, titleEn: c.titleEn }));
    },
    async upsertCommemoration(c) {
      const existing = await db.commemoration.findFirst({ where: { key: c.key, campaignId: c.campaignId } });
      const data = { month: c.month, day: c.day, baseYear: c.baseYear, wholeMonth: c.wholeMonth, titleVi: c.titleVi, titleEn: c.titleEn };
      if (existing) await db.commemoration.update({ where: { id: existing.id }, data });
      else await db.commemoration.create({ data: { key: c.key, campaignId: c.campaignId, ...data } });
    },
    commendationForms: () => ref.get("forms", () => db.commendationForm.findMany({ orderBy: [{ ordinal: "asc" }, { id: "asc" }] })),
    async upsertCommendationForm(f) {
      ref.changing();
      const data = { nameVi: f.nameVi, nameEn: f.nameEn, grantorLevel: f.grantorLevel, forPerson: f.forPerson, forCollective: f.forCollective, ordinal: f.ordinal };
      await db.commendationForm.upsert({ where: { code: f.code }, create: { code: f.code, ...data }, update: data });
    },
    getPhase: (id) =>
      ref.get(`phase:${id}`, async () => {
        const p = await db.phase.findFirst({ where: { id } });
        return p ? map.phase(p) : null;
      }),
  };
}
