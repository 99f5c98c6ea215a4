/**
 * The spreadsheet a department can use as it is: the subtree in tree order (indented, each
 * unit's level), registrations with their targets, each phase's reports against the
 * targets, exemplars and reward proposals, plaque works, and a summary per level, with
 * totals and subtotals as numbers.
 */
import type { Locale, LocalDate, PhaseReport, Unit, UnitLevel } from "../model.js";
import { LEVEL_ORDER, undecidedAtClose } from "../model.js";
import type { Sheet, SheetColumn } from "../ports.js";
import { figureHeading, grantedText, type MovementData, type UnitRecord } from "./documents.js";

type T = (key: string, params?: Record<string, unknown>) => string;

const SENT = new Set(["SUBMITTED", "APPROVED"]);

function ddmmyyyy(d: LocalDate): string {
  const [y, m, day] = d.split("-");
  return `${day}/${m}/${y}`;
}

/** Targets of a registration that was sent, and how the report answers them. */
function targets(rec: UnitRecord, report: PhaseReport | undefined) {
  const reg = rec.registration && SENT.has(rec.registration.status) ? rec.registration : null;
  const list = reg ? reg.themes.flatMap((th) => th.targets) : [];
  const answered = list.filter((x) => report?.targets[x.id] !== undefined);
  return { registered: list.length, reached: answered.filter((x) => report!.targets[x.id]! >= x.planned).length };
}

/**
 * The width of the unit-code column, in spreadsheet characters (the width of a digit):
 * codes are capitals, wider than digits, so the longest gets a quarter more and a margin;
 * at least 10, at most 40 (a longer code wraps).
 */
export function codeColumnWidth(codes: string[]): number {
  const longest = Math.max(0, ...codes.map((c) => c.length));
  return Math.min(40, Math.max(10, Math.ceil(longest * 1.25) + 2));
}

export function movementSheets(t: T, data: MovementData, locale: Locale): Sheet[] {
  const { campaign, records } = data;
  const depth0 = data.unit.depth;
  const level = (l: UnitLevel) => t(`doc.level.${l}`);
  // An item still waiting when its plan closed says so, never "chờ xem xét".
  const status = (s: string | null | undefined) => t(undecidedAtClose(campaign, s) ? "status.UNDECIDED" : `status.${s ?? "NONE"}`);
  const yesNo = (b: boolean) => t(b ? "export.yes" : "export.no");
  const titleBlock = (what: string) => [
    t("export.title.plan", { number: campaign.number, year: campaign.year, what }),
    t("export.title.unit", { unit: data.unit.name }),
    t("export.title.period", { from: ddmmyyyy(campaign.phases[0]?.startsOn ?? `${campaign.year}-01-01`), to: ddmmyyyy(campaign.phases.at(-1)?.endsOn ?? `${campaign.year}-12-31`) }),
    t("export.title.made", { date: ddmmyyyy(data.today) }),
  ];
  const indent = records.map((r) => r.unit.depth - depth0);
  const parentName = (u: Unit) => (u.parentId ? (data.units.get(u.parentId)?.name ?? null) : null);
  const int: SheetColumn = { format: "integer", width: 12 };
  const name: SheetColumn = { wrap: true, width: 42 };
  const text = (width: number): SheetColumn => ({ wrap: true, width });
  const code: SheetColumn = { width: codeColumnWidth(records.map((r) => r.unit.code)), wrap: true };

  /** Subtotals per level, then the total, for numeric columns `cols` of `rows` (one per record). */
  const totalsBelow = (rows: (string | number | null)[][], cols: number[], label: number, counted: (i: number) => boolean) => {
    const out: (string | number | null)[][] = [];
    const width = rows[0]?.length ?? 0;
    const sum = (pick: (i: number) => boolean) => {
      const line: (string | number | null)[] = Array.from({ length: width }, () => null);
      for (const c of cols) line[c] = rows.reduce((s, r, i) => s + (pick(i) && counted(i) ? Number(r[c] ?? 0) : 0), 0);
      return line;
    };
    for (const l of LEVEL_ORDER) {
      if (!records.some((r) => r.unit.level === l)) continue;
      const line = sum((i) => records[i]!.unit.level === l);
      line[label] = t("export.subtotal", { level: level(l) });
      out.push(line);
    }
    const total = sum(() => true);
    total[label] = t("export.total");
    out.push(total);
    return out;
  };

  // Registrations: themes and targets.
  const regRows = records.map((r) => {
    const reg = r.registration;
    const themes = reg?.themes ?? [];
    const ts = themes.flatMap((th) => th.targets);
    return [
      r.unit.code,
      r.unit.name,
      level(r.unit.level),
      parentName(r.unit),
      status(reg?.status),
      reg ? yesNo(reg.late) : null,
      themes.length,
      ts.length,
      themes.map((th) => `${th.title}${th.keyTask ? ` (${th.keyTask})` : ""}`).join("\n") || null,
      ts.map((x) => `${x.indicator}: ${x.planned.toLocaleString(locale === "vi" ? "de-DE" : "en-US")} ${x.measure}`).join("\n") || null,
    ];
  });
  const regTotals = totalsBelow(regRows, [6, 7], 1, (i) => !!records[i]!.registration && SENT.has(records[i]!.registration!.status));
  const sheets: Sheet[] = [
    {
      name: t("export.sheet.registrations"),
      title: titleBlock(t("export.sheet.registrations")),
      header: [t("export.col.code"), t("export.col.unit"), t("export.col.level"), t("export.col.parent"), t("export.col.status"), t("export.col.late"), t("export.col.theme_count"), t("export.col.target_count"), t("export.col.themes"), t("export.col.targets")],
      columns: [code, name, { width: 18, wrap: true }, text(30), { width: 18, wrap: true }, { width: 9 }, int, int, text(50), text(40)],
      rows: [...regRows, ...regTotals],
      indent,
      bold: regTotals.map((_, i) => regRows.length + i),
    },
  ];

  // Each phase: figures, targets reached, status, late. Every report shows its status (a
  // returned one as returned); figures and targets come from sent ones only, as the totals do.
  const keys = campaign.figureKeys;
  for (const p of campaign.phases) {
    const rows = records.map((r) => {
      const rep = r.reports.get(p.id);
      const any = r.allReports.get(p.id);
      const tg = targets(r, rep);
      return [
        r.unit.code,
        r.unit.name,
        level(r.unit.level),
        status(any?.status),
        any ? yesNo(any.late) : null,
        ...keys.map((k) => (rep ? Number(rep.figures[k] ?? 0n) : null)),
        tg.registered,
        rep ? tg.reached : null,
        rep && tg.registered ? tg.reached / tg.registered : null,
        rep?.narrative ?? null,
      ];
    });
    const numeric = [...keys.map((_, i) => 5 + i), 5 + keys.length, 6 + keys.length];
    const totals = totalsBelow(rows, numeric, 1, (i) => records[i]!.reports.has(p.id));
    for (const line of totals) {
      const reg = Number(line[5 + keys.length] ?? 0);
      line[7 + keys.length] = reg ? Number(line[6 + keys.length] ?? 0) / reg : null;
    }
    sheets.push({
      name: t("export.sheet.phase", { ordinal: p.ordinal }),
      title: titleBlock(t("export.sheet.phase", { ordinal: p.ordinal })),
      header: [t("export.col.code"), t("export.col.unit"), t("export.col.level"), t("export.col.status"), t("export.col.late"), ...keys.map((k) => figureHeading(t, k)), t("export.col.targets_registered"), t("export.col.targets_reached"), t("export.col.rate"), t("export.col.narrative")],
      columns: [code, name, { width: 18, wrap: true }, { width: 18, wrap: true }, { width: 9 }, ...keys.map(() => ({ format: "integer" as const, width: 16 })), int, int, { format: "percent", width: 10 }, text(60)],
      rows: [...rows, ...totals],
      indent,
      bold: totals.map((_, i) => rows.length + i),
    });
  }

  // Exemplars and reward proposals.
  const noms = records.flatMap((r) => r.nominations);
  const form = (id: number | null) => (id === null ? null : ((f) => (f ? (locale === "vi" ? f.nameVi : f.nameEn) : null))(data.forms.get(id)));
  const nomRows = noms.map((n, i) => [
    i + 1,
    n.nomineeName,
    n.position,
    data.units.get(n.unitId)?.name ?? null,
    n.achievement,
    n.phaseId ? t("export.phase", { ordinal: campaign.phases.find((p) => p.id === n.phaseId)?.ordinal ?? "" }) : null,
    form(n.formId),
    n.directWorker ? "x" : null,
    status(n.status),
    n.grantedFormId !== null ? grantedText(t, data, n, locale) : null,
  ]);
  const nomTotal = [null, t("export.total"), null, null, t("export.count", { count: noms.length }), null, null, noms.filter((n) => n.directWorker).length, null, t("export.count_decided", { count: noms.filter((n) => n.grantedFormId !== null).length })];
  sheets.push({
    name: t("export.sheet.rewards"),
    title: titleBlock(t("export.sheet.rewards")),
    header: [t("doc.col.no"), t("doc.col.nominee"), t("export.col.position"), t("export.col.unit"), t("doc.col.achievement"), t("export.col.phase"), t("doc.col.form_proposed"), t("doc.col.direct_worker"), t("export.col.status"), t("doc.col.decision")],
    columns: [{ width: 6 }, text(26), text(26), text(32), text(44), { width: 10 }, text(30), { width: 10 }, text(18), text(40)],
    rows: [...nomRows, nomTotal],
    bold: [nomRows.length],
  });

  // Plaque works.
  const works = records.flatMap((r) => r.works);
  const workRows = works.map((w, i) => [i + 1, w.name, data.units.get(w.unitId)?.name ?? null, w.description, w.completionOn ? ddmmyyyy(w.completionOn) : null, level(w.occasionLevel), w.occasion, t(undecidedAtClose(campaign, w.status) ? "status.UNDECIDED" : `doc.work_status.${w.status}`)]);
  sheets.push({
    name: t("export.sheet.works"),
    title: titleBlock(t("export.sheet.works")),
    header: [t("doc.col.no"), t("export.col.work"), t("export.col.unit"), t("export.col.description"), t("export.col.completion"), t("export.col.occasion_level"), t("export.col.occasion"), t("export.col.status")],
    columns: [{ width: 6 }, text(36), text(32), text(50), { width: 12 }, text(20), text(30), text(22)],
    rows: [...workRows, [null, t("export.count", { count: works.length }), null, null, null, null, null, null]],
    bold: [workRows.length],
  });

  // Summary per level.
  const levelRows = LEVEL_ORDER.filter((l) => records.some((r) => r.unit.level === l)).map((l) => {
    const rs = records.filter((r) => r.unit.level === l);
    return [
      level(l),
      rs.length,
      rs.filter((r) => r.registration && SENT.has(r.registration.status)).length,
      rs.reduce((s, r) => s + targets(r, undefined).registered, 0),
      ...campaign.phases.map((p) => rs.filter((r) => r.reports.has(p.id)).length),
      ...keys.map((k) => rs.reduce((s, r) => s + campaign.phases.reduce((a, p) => a + Number(r.reports.get(p.id)?.figures[k] ?? 0n), 0), 0)),
      rs.reduce((s, r) => s + r.nominations.length, 0),
      rs.reduce((s, r) => s + r.nominations.filter((n) => n.grantedFormId !== null).length, 0),
      rs.reduce((s, r) => s + r.works.length, 0),
    ];
  });
  const width = levelRows[0]?.length ?? 0;
  const levelTotal: (string | number)[] = [t("export.total"), ...Array.from({ length: width - 1 }, (_, c) => levelRows.reduce((s, r) => s + Number(r[c + 1]), 0))];
  sheets.push({
    name: t("export.sheet.levels"),
    title: titleBlock(t("export.sheet.levels")),
    header: [t("export.col.level"), t("export.col.units"), t("export.col.registered"), t("export.col.targets_registered"), ...campaign.phases.map((p) => t("export.col.reported", { ordinal: p.ordinal })), ...keys.map((k) => figureHeading(t, k)), t("export.col.nominations"), t("export.col.granted"), t("export.col.works")],
    columns: [text(30), ...Array.from({ length: width - 1 }, () => ({ format: "integer" as const, width: 14 }))],
    rows: [...levelRows, levelTotal],
    bold: [levelRows.length],
  });
  return sheets;
}
