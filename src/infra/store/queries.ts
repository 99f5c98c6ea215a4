/**
 * The read side of a level: its review queue, progress of the units below, and the rows
 * of the export. Aggregations run in SQL over the subtree (path prefix), so a sector union
 * with thousands of units below gets one round of queries, not one per unit.
 */
import type { SubmissionStatus, WorkStatus, SubjectType } from "../../core/model.js";
import type { ChildProgress, ExportRow, Progress, ReportTotals, ReviewItem, Tx } from "../../core/ports.js";
import * as map from "./map.js";
import type { Db } from "./map.js";

type QueriesTx = Pick<Tx, "reviewQueue" | "progress" | "exportRows" | "addDecision">;

interface QueueRow {
  type: SubjectType;
  id: number;
  unitId: number;
  status: string;
  submittedAt: Date;
  submittedById: number | null;
  label: string;
  late: boolean;
  total: bigint | number;
}

/** `count(*)` comes back as bigint through some drivers. */
const num = (v: unknown): number => Number(v ?? 0);

export function queriesStore(db: Db): QueriesTx {
  return {
    async reviewQueue(reviewer, opts) {
      const rows = await db.$queryRawUnsafe<QueueRow[]>(
        `WITH items AS (
           SELECT 'REGISTRATION' AS type, r.id, r."unitId", r.status::text AS status, r."submittedAt", r."submittedById",
                  (SELECT count(*) FROM "Theme" t WHERE t."registrationId" = r.id AND t."removedAt" IS NULL)::text AS label, false AS late
             FROM "ThemeRegistration" r WHERE r.status = 'SUBMITTED' AND r."campaignId" = ANY($2::int[])
           UNION ALL
           SELECT 'REPORT', p.id, p."unitId", p.status::text, p."submittedAt", p."submittedById", ph.ordinal::text, p.late
             FROM "PhaseReport" p JOIN "Phase" ph ON ph.id = p."phaseId" WHERE p.status = 'SUBMITTED' AND ph."campaignId" = ANY($2::int[])
           UNION ALL
           SELECT 'NOMINATION', n.id, n."unitId", n.status::text, n."submittedAt", n."submittedById", n."nomineeName", false
             FROM "Nomination" n WHERE n.status = 'SUBMITTED' AND n."campaignId" = ANY($2::int[])
           UNION ALL
           SELECT 'WORK', w.id, w."unitId", w.status::text, w."submittedAt", w."submittedById", w.name, false
             FROM "PlaqueWork" w WHERE w.status::text = ANY($3::text[]) AND w."campaignId" = ANY($2::int[])
         )
         SELECT i.*, count(*) OVER () AS total
           FROM items i JOIN "Unit" u ON u.id = i."unitId"
          WHERE u.path LIKE $1 || '%' AND u.id <> $4
          ORDER BY u.depth, i."submittedAt", i.type, i.id
          LIMIT $5 OFFSET $6`,
        reviewer.path,
        opts.campaignIds,
        opts.workStatuses,
        reviewer.id,
        opts.limit,
        opts.offset,
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
      }));
      let total = rows.length ? num(rows[0]!.total) : 0;
      if (!rows.length && opts.offset > 0) total = (await queriesStore(db).reviewQueue(reviewer, { ...opts, offset: 0 })).total;
      return { items, total };
    },

    async addDecision(input) {
      await db.reviewDecision.create({ data: input });
    },

    async progress(unit, campaign): Promise<Progress> {
      const below = `u.path LIKE $1 || '%' AND u.id <> $2 AND u.status = 'ACTIVE'`;
      const args = [unit.path, unit.id, campaign.id] as const;
      const expected = num((await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "Unit" u WHERE ${below}`, unit.path, unit.id))[0]?.n);

      const regs = await db.$queryRawUnsafe<{ status: SubmissionStatus; n: bigint }[]>(
        `SELECT r.status::text AS status, count(*) AS n FROM "ThemeRegistration" r JOIN "Unit" u ON u.id = r."unitId"
          WHERE ${below} AND r."campaignId" = $3 GROUP BY r.status`,
        ...args,
      );
      const reportRows = await db.$queryRawUnsafe<{ phaseId: number; status: SubmissionStatus; n: bigint; late: bigint }[]>(
        `SELECT p."phaseId", p.status::text AS status, count(*) AS n, count(*) FILTER (WHERE p.late) AS late
           FROM "PhaseReport" p JOIN "Unit" u ON u.id = p."unitId" JOIN "Phase" ph ON ph.id = p."phaseId"
          WHERE ${below} AND ph."campaignId" = $3 GROUP BY p."phaseId", p.status`,
        ...args,
      );
      const sums = await db.$queryRawUnsafe<{ phaseId: number; key: string; total: string }[]>(
        `SELECT p."phaseId", f.key, sum(f.value)::text AS total
           FROM "ReportFigure" f JOIN "PhaseReport" p ON p.id = f."reportId" JOIN "Unit" u ON u.id = p."unitId" JOIN "Phase" ph ON ph.id = p."phaseId"
          WHERE ${below} AND ph."campaignId" = $3 AND p.status IN ('SUBMITTED', 'APPROVED') GROUP BY p."phaseId", f.key`,
        ...args,
      );
      const reports: ReportTotals[] = campaign.phases.map((ph) => {
        const mine = reportRows.filter((r) => r.phaseId === ph.id);
        return {
          phaseId: ph.id,
          byStatus: Object.fromEntries(mine.map((r) => [r.status, num(r.n)])),
          late: mine.reduce((a, r) => a + num(r.late), 0),
          totals: Object.fromEntries(sums.filter((s) => s.phaseId === ph.id).map((s) => [s.key, BigInt(s.total)])),
        };
      });
      const noms = await db.$queryRawUnsafe<{ status: SubmissionStatus; n: bigint; workers: bigint }[]>(
        `SELECT n.status::text AS status, count(*) AS n, count(*) FILTER (WHERE n."directWorker") AS workers
           FROM "Nomination" n JOIN "Unit" u ON u.id = n."unitId" WHERE ${below} AND n."campaignId" = $3 GROUP BY n.status`,
        ...args,
      );
      const works = await db.$queryRawUnsafe<{ status: WorkStatus; n: bigint }[]>(
        `SELECT w.status::text AS status, count(*) AS n FROM "PlaqueWork" w JOIN "Unit" u ON u.id = w."unitId"
          WHERE ${below} AND w."campaignId" = $3 GROUP BY w.status`,
        ...args,
      );

      const childRows = await db.unit.findMany({ where: { parentId: unit.id, status: "ACTIVE" }, orderBy: [{ name: "asc" }, { id: "asc" }] });
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

      return {
        expected,
        registrations: Object.fromEntries(regs.map((r) => [r.status, num(r.n)])),
        reports,
        nominations: Object.fromEntries(noms.map((r) => [r.status, num(r.n)])),
        directWorkersApproved: num(noms.find((r) => r.status === "APPROVED")?.workers),
        works: Object.fromEntries(works.map((r) => [r.status, num(r.n)])),
        children,
      };
    },

    async exportRows(unit, campaign): Promise<ExportRow[]> {
      const units = await db.unit.findMany({ where: { path: { startsWith: unit.path } }, orderBy: [{ depth: "asc" }, { name: "asc" }, { id: "asc" }] });
      const ids = units.map((u) => u.id);
      const names = new Map(units.map((u) => [u.id, u.name]));
      const regs = await db.themeRegistration.findMany({ where: { unitId: { in: ids }, campaignId: campaign.id }, include: map.registrationInclude });
      const reps = await db.phaseReport.findMany({ where: { unitId: { in: ids }, phase: { campaignId: campaign.id } }, include: { figures: true } });
      return units.map((u) => {
        const reg = regs.find((r) => r.unitId === u.id);
        const reports: ExportRow["reports"] = {};
        for (const r of reps.filter((x) => x.unitId === u.id)) {
          const m = map.report(r);
          reports[r.phaseId] = { status: m.status, late: m.late, figures: m.figures, narrative: m.narrative };
        }
        return {
          unit: map.unit(u),
          parentName: u.parentId ? (names.get(u.parentId) ?? null) : null,
          registration: reg?.status ?? null,
          themes: reg?.themes.map((t) => t.title) ?? [],
          reports,
        };
      });
    },
  };
}
