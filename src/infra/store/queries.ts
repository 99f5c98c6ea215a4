/**
 * The read side of a level: its review queue, progress of the units below, and the rows
 * of the export. Aggregations run in SQL over the subtree (path prefix), so a sector union
 * with thousands of units below gets one round of queries, not one per unit.
 */
import type { Campaign, SubmissionStatus, WorkStatus, SubjectType } from "../../core/model.js";
import type { ChildProgress, Progress, ReportTotals, ReviewItem, Tx } from "../../core/ports.js";
import * as map from "./map.js";
import type { Db } from "./map.js";

type QueriesTx = Pick<
  Tx,
  "reviewQueue" | "progress" | "progressMany" | "submissionsBelow" | "addStep" | "pathOf" | "grantNomination" | "fileRegistration" | "setPassThrough" | "itemsAt" | "setHolder" | "hasOfficers"
>;

interface QueueRow {
  type: SubjectType;
  id: number;
  unitId: number;
  status: string;
  submittedAt: Date;
  submittedById: number | null;
  label: string;
  late: boolean;
  directWorker: boolean;
  atUnitId: number;
  total: bigint | number;
  nominations: bigint | number;
  workers: bigint | number;
}

/** `count(*)` comes back as bigint through some drivers. */
const num = (v: unknown): number => Number(v ?? 0);

export function queriesStore(db: Db): QueriesTx {
  return {
    async reviewQueue(reviewer, opts) {
      // Items at the reviewer, and (a root without officers) items at the root sent from its subtree.
      const rows = await db.$queryRawUnsafe<QueueRow[]>(
        `WITH items AS (
           SELECT 'REGISTRATION' AS type, r.id, r."unitId", r.status::text AS status, r."submittedAt", r."submittedById", r."atUnitId",
                  (SELECT count(*) FROM "Theme" t WHERE t."registrationId" = r.id AND t."removedAt" IS NULL)::text AS label, r.late, false AS "directWorker"
             FROM "ThemeRegistration" r WHERE r."atUnitId" IN ($1, $5) AND r."campaignId" = ANY($2::int[])
           UNION ALL
           SELECT 'REPORT', p.id, p."unitId", p.status::text, p."submittedAt", p."submittedById", p."atUnitId", ph.ordinal::text, p.late, false
             FROM "PhaseReport" p JOIN "Phase" ph ON ph.id = p."phaseId" WHERE p."atUnitId" IN ($1, $5) AND ph."campaignId" = ANY($2::int[])
           UNION ALL
           SELECT 'NOMINATION', n.id, n."unitId", n.status::text, n."submittedAt", n."submittedById", n."atUnitId", n."nomineeName", false, n."directWorker"
             FROM "Nomination" n WHERE n."atUnitId" IN ($1, $5) AND n."campaignId" = ANY($2::int[])
           UNION ALL
           SELECT 'WORK', w.id, w."unitId", w.status::text, w."submittedAt", w."submittedById", w."atUnitId", w.name, false, false
             FROM "PlaqueWork" w WHERE w."atUnitId" IN ($1, $5) AND w."campaignId" = ANY($2::int[])
         ), mine AS (
           SELECT i.* FROM items i JOIN "Unit" u ON u.id = i."unitId"
            WHERE i."atUnitId" = $1 OR u.path LIKE $6 || '%'
         )
         SELECT m.*, count(*) OVER () AS total,
                count(*) FILTER (WHERE m.type = 'NOMINATION') OVER () AS nominations,
                count(*) FILTER (WHERE m.type = 'NOMINATION' AND m."directWorker") OVER () AS workers
           FROM mine m
          ORDER BY CASE m.type WHEN 'REGISTRATION' THEN 0 WHEN 'REPORT' THEN 1 WHEN 'NOMINATION' THEN 2 ELSE 3 END,
                   m."directWorker" DESC, m."submittedAt", m.id
          LIMIT $3 OFFSET $4`,
        reviewer.id,
        opts.campaignIds,
        opts.limit,
        opts.offset,
        opts.alsoAt ?? -1,
        reviewer.path,
      );
      const units = new Map((await db.unit.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.unitId))] } } })).map((u) => [u.id, map.unit(u)]));
      const items: ReviewItem[] = rows.map((r) => ({
        type: r.type,
        id: r.id,
        unit: units.get(r.unitId)!,
        status: r.status as SubmissionStatus | WorkStatus,
        submittedAt: r.submittedAt,
        submittedById: r.submittedById,
        label: r.label,
        late: r.late,
        directWorker: r.directWorker,
        atUnitId: r.atUnitId,
      }));
      if (!rows.length && opts.offset > 0) return queriesStore(db).reviewQueue(reviewer, { ...opts, offset: 0 }).then((q) => ({ ...q, items: [] }));
      const first = rows[0];
      return { items, total: num(first?.total), nominations: num(first?.nominations), directWorkers: num(first?.workers) };
    },

    async addStep(step) {
      await db.reviewDecision.create({
        data: {
          at: step.at,
          subjectType: step.subjectType,
          subjectId: step.subjectId,
          decision: step.decision,
          reason: step.reason,
          reviewerId: step.reviewerId,
          reviewerUnitId: step.reviewerUnitId,
          toUnitId: step.toUnitId ?? null,
          formId: step.formId ?? null,
          decisionNumber: step.decisionNumber ?? null,
          decisionDate: step.decisionDate ? map.fromLocalDate(step.decisionDate) : null,
        },
      });
    },

    async pathOf(type, id) {
      const steps = await db.reviewDecision.findMany({ where: { subjectType: type, subjectId: id }, orderBy: [{ at: "asc" }, { id: "asc" }] });
      const unitIds = [...new Set(steps.flatMap((s) => [s.reviewerUnitId, s.toUnitId]).filter((x): x is number => x !== null))];
      const units = new Map((await db.unit.findMany({ where: { id: { in: unitIds } }, select: { id: true, name: true, level: true } })).map((u) => [u.id, u]));
      const personIds = [...new Set(steps.map((s) => s.reviewerId).filter((x): x is number => x !== null))];
      const people = new Map((await db.person.findMany({ where: { id: { in: personIds } }, select: { id: true, displayName: true } })).map((p) => [p.id, p.displayName]));
      return steps.map((s) => ({
        decision: s.decision,
        unit: units.get(s.reviewerUnitId) ?? { id: s.reviewerUnitId, name: "?", level: "GRASSROOTS" as const },
        personId: s.reviewerId,
        personName: s.reviewerId !== null ? (people.get(s.reviewerId) ?? null) : null,
        at: s.at,
        note: s.reason,
        toUnit: s.toUnitId !== null ? (units.get(s.toUnitId) ?? null) : null,
        formId: s.formId,
        decisionNumber: s.decisionNumber,
        decisionDate: s.decisionDate ? map.toLocalDate(s.decisionDate) : null,
      }));
    },

    async grantNomination(id, atUnitId, g) {
      const n = await db.nomination.updateMany({
        where: { id, status: "SUBMITTED", atUnitId },
        data: {
          status: "APPROVED",
          atUnitId: null,
          decidedAt: g.at,
          returnReason: null,
          grantedFormId: g.formId,
          grantedByUnitId: g.unitId,
          decisionNumber: g.decisionNumber,
          decisionDate: g.decisionDate ? map.fromLocalDate(g.decisionDate) : null,
        },
      });
      return n.count === 1;
    },

    async fileRegistration(id, atUnitId, outside, at) {
      const n = await db.themeRegistration.updateMany({ where: { id, atUnitId, status: { in: ["SUBMITTED", "APPROVED"] } }, data: { status: "APPROVED", atUnitId: null, filedAt: at, filedOutside: outside, decidedAt: at } });
      return n.count === 1;
    },

    async setPassThrough(unitId, on) {
      await db.unit.update({ where: { id: unitId }, data: { reviewPassThrough: on } });
    },

    async itemsAt(unitId) {
      const [r, p, n, w] = await Promise.all([
        db.themeRegistration.findMany({ where: { atUnitId: unitId }, select: { id: true }, orderBy: { id: "asc" } }),
        db.phaseReport.findMany({ where: { atUnitId: unitId }, select: { id: true }, orderBy: { id: "asc" } }),
        db.nomination.findMany({ where: { atUnitId: unitId }, select: { id: true }, orderBy: { id: "asc" } }),
        db.plaqueWork.findMany({ where: { atUnitId: unitId }, select: { id: true }, orderBy: { id: "asc" } }),
      ]);
      return [
        ...r.map((x) => ({ type: "REGISTRATION" as const, id: x.id })),
        ...p.map((x) => ({ type: "REPORT" as const, id: x.id })),
        ...n.map((x) => ({ type: "NOMINATION" as const, id: x.id })),
        ...w.map((x) => ({ type: "WORK" as const, id: x.id })),
      ];
    },

    async setHolder(type, id, atUnitId) {
      const where = { id };
      const data = { atUnitId };
      if (type === "REGISTRATION") await db.themeRegistration.update({ where, data });
      else if (type === "REPORT") await db.phaseReport.update({ where, data });
      else if (type === "NOMINATION") await db.nomination.update({ where, data });
      else await db.plaqueWork.update({ where, data });
    },

    async hasOfficers(unitId) {
      return (await db.role.count({ where: { unitId, kind: "OFFICER", revokedAt: null } })) > 0;
    },

    async progress(unit, campaign): Promise<Progress> {
      // Sections and teams (SECTION) register and report only when the campaign includes them.
      const [{ n: expected } = { n: 0 }] = await db.$queryRawUnsafe<{ n: bigint }[]>(
        `SELECT count(*) AS n FROM "Unit" u
          WHERE u.path LIKE $1 || '%' AND u.id <> $2 AND u.status = 'ACTIVE' AND (u.level <> 'SECTION' OR $3::boolean)`,
        unit.path,
        unit.id,
        campaign.includeSections,
      );
      // Everything else is summed over the subtree already, by the triggers of migration
      // 20261204000000_progress_tally: one index lookup at any level.
      const tally = await db.$queryRawUnsafe<{ key: string; n: string }[]>(
        `SELECT key, n::text AS n FROM "ProgressTally" WHERE "campaignId" = $1 AND "unitId" = $2 AND n <> 0`,
        campaign.id,
        unit.id,
      );
      const totals = fromTally(tally, campaign, num(expected));

      const childRows = await db.unit.findMany({ where: { parentId: unit.id, status: "ACTIVE", ...(!campaign.includeSections && { level: { not: "SECTION" } }) }, orderBy: [{ name: "asc" }, { id: "asc" }] });
      const childIds = childRows.map((c) => c.id);
      const childRegs = await db.themeRegistration.findMany({
        where: { unitId: { in: childIds }, campaignId: campaign.id },
        select: { unitId: true, status: true, _count: { select: { themes: { where: { removedAt: null } } } } },
      });
      const childReports = await db.phaseReport.findMany({
        where: { unitId: { in: childIds }, phase: { campaignId: campaign.id } },
        select: { unitId: true, phaseId: true, status: true, late: true },
      });
      const children: ChildProgress[] = childRows.map((c) => {
        const reg = childRegs.find((r) => r.unitId === c.id);
        return {
          unit: map.unit(c),
          registration: reg?.status ?? null,
          themes: reg?._count.themes ?? 0,
          reports: Object.fromEntries(childReports.filter((r) => r.unitId === c.id).map((r) => [r.phaseId, { status: r.status, late: r.late }])),
        };
      });

      return { ...totals, children };
    },

    async progressMany(units, under, campaign) {
      const ids = units.map((u) => u.id);
      // Units below each of them (a unit's path lists the units above it), in one pass over `under`'s subtree.
      const counts = await db.$queryRawUnsafe<{ unitId: number; n: bigint }[]>(
        `SELECT a.id AS "unitId", count(*) AS n
           FROM "Unit" u CROSS JOIN LATERAL unit_ancestors(u.path) a
          WHERE u.path LIKE $1 || '%' AND u.status = 'ACTIVE' AND (u.level <> 'SECTION' OR $2::boolean) AND a.id = ANY($3::int[])
          GROUP BY a.id`,
        under.path,
        campaign.includeSections,
        ids,
      );
      const rows = await db.$queryRawUnsafe<{ unitId: number; key: string; n: string }[]>(
        `SELECT "unitId", key, n::text AS n FROM "ProgressTally" WHERE "campaignId" = $1 AND "unitId" = ANY($2::int[]) AND n <> 0`,
        campaign.id,
        ids,
      );
      const expected = new Map(counts.map((c) => [c.unitId, num(c.n)]));
      const byUnit = new Map<number, { key: string; n: string }[]>();
      for (const r of rows) {
        let list = byUnit.get(r.unitId);
        if (!list) byUnit.set(r.unitId, (list = []));
        list.push(r);
      }
      return new Map(ids.map((id) => [id, fromTally(byUnit.get(id) ?? [], campaign, expected.get(id) ?? 0)]));
    },

    async submissionsBelow(unit, campaignId) {
      const inTree = { unit: { path: { startsWith: unit.path } } };
      const registrations = await db.themeRegistration.findMany({ where: { campaignId, ...inTree }, include: map.registrationInclude, orderBy: { id: "asc" } });
      const reports = await db.phaseReport.findMany({ where: { phase: { campaignId }, ...inTree }, include: map.reportInclude, orderBy: { id: "asc" } });
      const nominations = await db.nomination.findMany({ where: { campaignId, ...inTree }, orderBy: { id: "asc" } });
      const works = await db.plaqueWork.findMany({ where: { campaignId, ...inTree }, orderBy: { id: "asc" } });
      return { registrations: registrations.map(map.registration), reports: reports.map(map.report), nominations: nominations.map(map.nomination), works: works.map(map.work) };
    },
  };
}

/** A unit's progress but its children, from its `ProgressTally` rows and the count of units below. */
function fromTally(rows: { key: string; n: string }[], campaign: Campaign, expected: number): Omit<Progress, "children"> {
  const t = readTally(rows);
  const sent = (counts: Partial<Record<SubmissionStatus, number>>) => Object.entries(counts).reduce((a, [status, n]) => (status === "DRAFT" ? a : a + (n ?? 0)), 0);
  return {
    expected,
    registrations: t.registrations,
    reports: campaign.phases.map(
      (ph): ReportTotals => ({ phaseId: ph.id, byStatus: t.reports.get(ph.id) ?? {}, late: t.late.get(ph.id) ?? 0, totals: t.totals.get(ph.id) ?? {} }),
    ),
    nominations: t.nominations,
    directWorkersApproved: t.workers.APPROVED ?? 0,
    nominationsSent: sent(t.nominations),
    directWorkersWaiting: t.workers.SUBMITTED ?? 0,
    directWorkersProposed: sent(t.workers),
    works: t.works,
    targets: { registered: t.targets.registered ?? 0, reported: t.targets.reported ?? 0, reached: t.targets.reached ?? 0 },
  };
}

/**
 * The rows of `ProgressTally` of one unit, by key: `reg:<status>`, `rep:<phase>:<status>`,
 * `late:<phase>`, `fig:<phase>:<figure>` (the sum) with `figc:<phase>:<figure>` (how many
 * reports gave it), `nom:<status>`, `nomw:<status>` (direct workers), `work:<status>`,
 * `tgt:registered|reported|reached`.
 */
function readTally(rows: { key: string; n: string }[]) {
  const registrations: Partial<Record<SubmissionStatus, number>> = {};
  const nominations: Partial<Record<SubmissionStatus, number>> = {};
  const workers: Partial<Record<SubmissionStatus, number>> = {};
  const works: Partial<Record<WorkStatus, number>> = {};
  const targets: Record<string, number> = {};
  const reports = new Map<number, Partial<Record<SubmissionStatus, number>>>();
  const late = new Map<number, number>();
  const sums = new Map<number, Record<string, bigint>>();
  const given = new Map<number, Set<string>>();
  const inPhase = <V>(m: Map<number, V>, phase: string, make: () => V): V => {
    const id = Number(phase);
    let v = m.get(id);
    if (v === undefined) m.set(id, (v = make()));
    return v;
  };
  for (const { key, n } of rows) {
    const [kind = "", a = "", ...rest] = key.split(":");
    const b = rest.join(":"); // a figure's key may hold a colon
    switch (kind) {
      case "reg":
        registrations[a as SubmissionStatus] = Number(n);
        break;
      case "rep":
        inPhase(reports, a, (): Partial<Record<SubmissionStatus, number>> => ({}))[b as SubmissionStatus] = Number(n);
        break;
      case "late":
        late.set(Number(a), Number(n));
        break;
      case "fig":
        inPhase(sums, a, (): Record<string, bigint> => ({}))[b] = BigInt(n);
        break;
      case "figc":
        inPhase(given, a, () => new Set<string>()).add(b);
        break;
      case "nom":
        nominations[a as SubmissionStatus] = Number(n);
        break;
      case "nomw":
        workers[a as SubmissionStatus] = Number(n);
        break;
      case "work":
        works[a as WorkStatus] = Number(n);
        break;
      case "tgt":
        targets[a] = Number(n);
        break;
    }
  }
  // A figure given by some report counts even where its values sum to zero.
  const totals = new Map<number, Record<string, bigint>>();
  for (const [phase, keys] of given) totals.set(phase, Object.fromEntries([...keys].sort().map((k) => [k, sums.get(phase)?.[k] ?? 0n])));
  return { registrations, nominations, workers, works, targets, reports, late, totals };
}
