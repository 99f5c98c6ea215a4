/**
 * The progress of a unit's subtree summed from the items themselves, as the store did before
 * it kept tallies (migration 20261204000000_progress_tally): the oracle the kept tallies are
 * checked against. Everything of `Progress` but the children.
 */
import type { Campaign, SubmissionStatus, Unit, WorkStatus } from "../../src/core/model.js";
import type { Progress, ReportTotals } from "../../src/core/ports.js";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";

const num = (v: unknown): number => Number(v ?? 0);

export async function progressFromItems(db: PrismaClient, unit: Unit, campaign: Campaign): Promise<Omit<Progress, "children">> {
  // Sections and teams (SECTION) register and report only when the campaign includes them.
  const below = `u.path LIKE $1 || '%' AND u.id <> $2 AND u.status = 'ACTIVE' AND (u.level <> 'SECTION' OR $4::boolean)`;
  const args = [unit.path, unit.id, campaign.id, campaign.includeSections] as const;
  const expected = num((await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "Unit" u WHERE ${below} AND $3::int IS NOT NULL`, ...args))[0]?.n);

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

  const [targets] = await db.$queryRawUnsafe<{ registered: bigint; reported: bigint; reached: bigint }[]>(
    `WITH t AS (
       SELECT tt.id, tt.planned FROM "ThemeTarget" tt JOIN "Theme" th ON th.id = tt."themeId"
         JOIN "ThemeRegistration" r ON r.id = th."registrationId" JOIN "Unit" u ON u.id = r."unitId"
        WHERE ${below} AND r."campaignId" = $3 AND r.status IN ('SUBMITTED', 'APPROVED') AND tt."removedAt" IS NULL AND th."removedAt" IS NULL
     ), latest AS (
       SELECT DISTINCT ON (tr."targetId") tr."targetId", tr.value FROM "TargetResult" tr
         JOIN "PhaseReport" p ON p.id = tr."reportId" JOIN "Phase" ph ON ph.id = p."phaseId"
        WHERE tr."targetId" IN (SELECT id FROM t) AND p.status IN ('SUBMITTED', 'APPROVED')
        ORDER BY tr."targetId", ph.ordinal DESC
     )
     SELECT count(*) AS registered, count(l."targetId") AS reported, count(*) FILTER (WHERE l.value >= t.planned) AS reached
       FROM t LEFT JOIN latest l ON l."targetId" = t.id`,
    ...args,
  );

  return {
    expected,
    registrations: Object.fromEntries(regs.map((r) => [r.status, num(r.n)])),
    reports,
    nominations: Object.fromEntries(noms.map((r) => [r.status, num(r.n)])),
    directWorkersApproved: num(noms.find((r) => r.status === "APPROVED")?.workers),
    nominationsSent: noms.filter((r) => r.status !== "DRAFT").reduce((a, r) => a + num(r.n), 0),
    directWorkersWaiting: num(noms.find((r) => r.status === "SUBMITTED")?.workers),
    directWorkersProposed: noms.filter((r) => r.status !== "DRAFT").reduce((a, r) => a + num(r.workers), 0),
    works: Object.fromEntries(works.map((r) => [r.status, num(r.n)])),
    targets: { registered: num(targets?.registered), reported: num(targets?.reported), reached: num(targets?.reached) },
  };
}
