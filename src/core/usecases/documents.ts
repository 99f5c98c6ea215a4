/**
 * The papers that go up the tree: the phase report (sơ kết), the year report (tổng kết)
 * and the reward proposal list, composed from what the units sent, in the union's layout
 * (QĐ 933/QĐ-TLĐ). The core decides every word; a DocumentWriter decides how it looks.
 */
import { AppError } from "../errors.js";
import { formatNumber } from "../format.js";
import type { Campaign, CommendationForm, Locale, LocalDate, Nomination, Phase, PhaseReport, PlaqueWork, Registration, Unit } from "../model.js";
import { undecidedAtClose } from "../model.js";
import { canManage } from "../permissions.js";
import type { DocBlock, DocCell, DocumentWriter, OfficialDocument, Sheet, SpreadsheetWriter } from "../ports.js";
import { randomId } from "../codes.js";
import type { Env } from "./env.js";
import { actorId } from "./env.js";

/** What the officer gives before a document is made; "…" is left to fill by hand. */
export interface DocumentOptions {
  /** The document's number ("12"); for the reward list, the number of the Tờ trình it goes with. Default "…". */
  number?: string;
  /** The signer's name; default "…". */
  signer?: string;
  /** The issuing unit's abbreviation after "BC-" ("CĐCT"); default the unit's own, else made from its name. */
  abbreviation?: string;
  /** Where it is issued; default the unit's own place, else "Hà Nội". */
  place?: string;
  /** The direction for the next phase or year, one paragraph per line; default from the reports' narratives. */
  direction?: string;
}

/** One unit of the subtree and what it sent in the campaign. */
export interface UnitRecord {
  unit: Unit;
  registration: Registration | null;
  /** Reports sent (submitted or accepted), by phase id: what the documents count. */
  reports: Map<number, PhaseReport>;
  /** Every report of the unit, whatever its status, by phase id: the spreadsheet shows a returned or draft one for what it is. */
  allReports: Map<number, PhaseReport>;
  nominations: Nomination[];
  works: PlaqueWork[];
}

/** Everything a document of `unit` needs, read once. */
export interface MovementData {
  unit: Unit;
  parent: Unit | null;
  issuer: Unit | null;
  campaign: Campaign;
  /** null: the whole year. */
  phase: Phase | null;
  /** The unit itself first, then its subtree in tree order. */
  records: UnitRecord[];
  forms: Map<number, CommendationForm>;
  units: Map<number, Unit>;
  today: LocalDate;
}

const SENT = new Set(["SUBMITTED", "APPROVED"]);

async function assertSees(env: Env, unit: Unit): Promise<void> {
  if (env.actor.kind === "system") return;
  if (env.actor.person.sandbox !== unit.demo) throw new AppError("sandbox_boundary");
  if (!canManage(env.actor.person, await env.roles(), unit)) throw new AppError("not_officer", { unit: unit.name });
}

/** Tree order: parents before children, siblings by name. */
function treeOrder(units: Unit[]): Unit[] {
  const byParent = new Map<number | null, Unit[]>();
  for (const u of units) byParent.set(u.parentId, [...(byParent.get(u.parentId) ?? []), u]);
  const ids = new Set(units.map((u) => u.id));
  const out: Unit[] = [];
  const walk = (u: Unit) => {
    out.push(u);
    for (const c of (byParent.get(u.id) ?? []).sort((a, b) => a.name.localeCompare(b.name, "vi") || a.id - b.id)) walk(c);
  };
  for (const root of units.filter((u) => u.parentId === null || !ids.has(u.parentId))) walk(root);
  return out;
}

/** Read what `unit` and its subtree sent in the campaign (the phase's, or the year's). */
export async function gatherMovement(env: Env, unit: Unit, campaign: Campaign, phase: Phase | null): Promise<MovementData> {
  await assertSees(env, unit);
  const subtree = treeOrder([unit, ...(await env.tx.descendantsOf(unit))]);
  // The whole subtree's items in a few statements, then grouped by unit (not 5 reads per unit).
  const sent = await env.tx.submissionsBelow(unit, campaign.id);
  const registrations = new Map(sent.registrations.map((r) => [r.unitId, r]));
  const reportsOf = new Map(sent.reports.map((r) => [`${r.unitId}:${r.phaseId}`, r]));
  const byUnit = <X extends { unitId: number }>(xs: X[]) => {
    const m = new Map<number, X[]>();
    for (const x of xs) {
      const list = m.get(x.unitId);
      if (list) list.push(x);
      else m.set(x.unitId, [x]);
    }
    return m;
  };
  const nominations = byUnit(sent.nominations);
  const works = byUnit(sent.works);
  const records: UnitRecord[] = [];
  for (const u of subtree) {
    const reports = new Map<number, PhaseReport>();
    const allReports = new Map<number, PhaseReport>();
    for (const p of campaign.phases) {
      const r = reportsOf.get(`${u.id}:${p.id}`);
      if (r) allReports.set(p.id, r);
      if (r && SENT.has(r.status)) reports.set(p.id, r);
    }
    records.push({
      unit: u,
      registration: registrations.get(u.id) ?? null,
      reports,
      allReports,
      nominations: (nominations.get(u.id) ?? []).filter((n) => n.status !== "DRAFT" && (!phase || n.phaseId === null || n.phaseId === phase.id)),
      works: works.get(u.id) ?? [],
    });
  }
  const units = new Map(subtree.map((u) => [u.id, u]));
  const more = new Set<number>();
  for (const r of records) for (const n of r.nominations) if (n.grantedByUnitId && !units.has(n.grantedByUnitId)) more.add(n.grantedByUnitId);
  for (const u of await env.tx.getUnits([...more])) units.set(u.id, u);
  return {
    unit,
    parent: unit.parentId ? await env.tx.getUnit(unit.parentId) : null,
    issuer: await env.tx.getUnit(campaign.issuingUnitId),
    campaign,
    phase,
    records,
    forms: new Map((await env.tx.commendationForms()).map((f) => [f.id, f])),
    units,
    today: env.today,
  };
}

/**
 * A short name for "Số: …/BC-<abbreviation>": "CĐ" for "Công đoàn", then the initials of
 * the capitalised words; a trailing "Việt Nam" is dropped ("Công đoàn Công Thương Việt Nam" → "CĐCT").
 */
export function abbreviate(name: string): string {
  let rest = name.trim();
  let head = "";
  if (/^công đoàn\s/i.test(rest)) {
    head = "CĐ";
    rest = rest.slice("công đoàn".length);
  }
  rest = rest.replace(/\s+Việt Nam$/i, "");
  const initials = rest
    .split(/[\s–-]+/)
    .filter((w) => w && w[0] === w[0]!.toLocaleUpperCase("vi") && /\p{L}/u.test(w[0]!))
    .map((w) => w[0]!)
    .join("")
    // Initials drop their accents ("Ắc" → "A"); "Đ" is a letter of its own and stays.
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "");
  return (head + initials).toLocaleUpperCase("vi") || "CĐ";
}

/** "ngày 05 tháng 9 năm 2027": days below 10 and the months 1 and 2 take a leading zero (Decree 30/2020). */
export function documentDateParts(date: LocalDate): { day: string; month: string; year: string } {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return { day: String(d).padStart(2, "0"), month: m < 3 ? String(m).padStart(2, "0") : String(m), year: String(y) };
}

/** "02/3/2017": dates inside the text of a document. */
function shortDate(date: LocalDate): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return `${String(d).padStart(2, "0")}/${m < 3 ? String(m).padStart(2, "0") : m}/${y}`;
}

const upper = (s: string) => s.toLocaleUpperCase("vi");

type T = (key: string, params?: Record<string, unknown>) => string;

/**
 * Who receives a document of the unit: its upper unit, and the unit that issued the plan
 * when that is higher up — through its Ban Chính sách pháp luật when it is the sector
 * union (Công đoàn ngành, e.g. CĐCTVN), which collects the movement's reports so; then the
 * archive. A unit that issued the plan itself sends to its upper unit only.
 */
function recipientsOf(t: T, data: MovementData): string[] {
  const { unit, parent, issuer } = data;
  const lines: string[] = [];
  const issuerAbove = issuer && issuer.id !== unit.id && unit.path.startsWith(issuer.path) ? issuer : null;
  if (parent && parent.id !== issuerAbove?.id) lines.push(t("doc.to_upper", { unit: parent.name }));
  if (issuerAbove) lines.push(t(issuerAbove.level === "SECTOR" ? "doc.to_policy" : "doc.to_upper", { unit: issuerAbove.name }));
  lines.push(t("doc.to_archive"));
  return lines;
}

/** The abbreviation after "BC-" or "TTr-": the one given, else the unit's own, else one made from its name. */
function abbreviationOf(data: MovementData, opts: DocumentOptions): string {
  return opts.abbreviation?.trim() || unitAbbreviation(data.unit);
}

/** The abbreviation a unit's documents print unless the officer gives another: its own, else made from its name. */
export function unitAbbreviation(unit: Unit): string {
  return unit.abbreviation || abbreviate(unit.name);
}

/** The code of each kind of numbered paper: "12/BC-CĐHC" for a report, "12/TTr-CĐHC" for the Tờ trình a reward list goes with. */
export const KIND_CODE = { report: "BC", rewards: "TTr" } as const;

/** The parts every document of the unit shares: header, date, recipients, signature. `kindCode` null: a paper with no number of its own. */
function frame(t: T, data: MovementData, opts: DocumentOptions, kindCode: string | null) {
  const { unit, parent } = data;
  return {
    upperBody: parent ? upper(parent.name) : null,
    issuer: upper(unit.name),
    numberLine: kindCode ? t("doc.number", { number: opts.number?.trim() || "…", kind: kindCode, abbr: abbreviationOf(data, opts) }) : null,
    nation: t("doc.nation"),
    motto: t("doc.motto"),
    dateLine: t("doc.date_line", { place: opts.place?.trim() || unit.place || t("doc.place_default"), ...documentDateParts(data.today) }),
    recipients: { head: t("doc.recipients"), lines: recipientsOf(t, data) },
    signature: { capacity: t("doc.sign_capacity"), position: t("doc.sign_position"), name: opts.signer?.trim() || "…" },
  };
}

/** The reports that count for the document: the phase's, or every phase's for the year. */
function phasesOf(data: MovementData): Phase[] {
  return data.phase ? [data.phase] : data.campaign.phases;
}

/** Figures of a unit's sent reports in the document's phases (summed over the year). */
function figuresOf(data: MovementData, rec: UnitRecord): Record<string, bigint> | null {
  let out: Record<string, bigint> | null = null;
  for (const p of phasesOf(data)) {
    const r = rec.reports.get(p.id);
    if (!r) continue;
    out ??= {};
    for (const k of data.campaign.figureKeys) out[k] = (out[k] ?? 0n) + (r.figures[k] ?? 0n);
  }
  return out;
}

/** Targets of a unit: registered (in a sent or accepted registration), answered, reached (the latest sent report counts: values are cumulative). */
function targetsOf(data: MovementData, rec: UnitRecord): { registered: number; reported: number; reached: number } {
  const reg = rec.registration;
  if (!reg || !SENT.has(reg.status)) return { registered: 0, reported: 0, reached: 0 };
  const targets = reg.themes.flatMap((th) => th.targets);
  const latest = phasesOf(data)
    .map((p) => rec.reports.get(p.id))
    .filter((r): r is PhaseReport => !!r)
    .at(-1);
  let reported = 0;
  let reached = 0;
  for (const target of targets) {
    const v = latest?.targets[target.id];
    if (v === undefined) continue;
    reported++;
    if (v >= target.planned) reached++;
  }
  return { registered: targets.length, reported, reached };
}

/** Rows per direct part of the tree: the unit's own, then each child with its subtree summed. */
function groups(data: MovementData): { unit: Unit; records: UnitRecord[] }[] {
  const own = data.records[0]!;
  const out = [{ unit: own.unit, records: [own] }];
  for (const rec of data.records.slice(1)) {
    if (rec.unit.parentId === data.unit.id) out.push({ unit: rec.unit, records: [rec] });
    else out.at(-1)!.records.push(rec);
  }
  return out;
}

function nominationLine(t: T, data: MovementData, n: Nomination, locale: Locale): string {
  const unit = data.units.get(n.unitId)?.name ?? "";
  const who = n.position ? t("doc.exemplar_position", { name: n.nomineeName, position: n.position, unit }) : t("doc.exemplar", { name: n.nomineeName, unit });
  return `${who}: ${n.achievement}${n.directWorker ? ` ${t("doc.direct_worker_mark")}` : ""}`.replace(/\s+$/, "") + (locale === "vi" ? "." : ".");
}

function formName(data: MovementData, id: number | null, locale: Locale): string {
  const f = id === null ? undefined : data.forms.get(id);
  return f ? (locale === "vi" ? f.nameVi : f.nameEn) : "";
}

/**
 * A reward decided, by the unit that decided it: "Giấy khen của Công đoàn Tổng công ty Hóa
 * chất Phương Bắc (Quyết định số 15/QĐ-CĐHC ngày 05/9/2026)". The catalogue's name says
 * which level grants a form ("… của Công đoàn cấp trên trực tiếp cơ sở"); once decided,
 * the deciding unit's own name says it better. A form without a short name keeps the
 * catalogue's.
 */
export function grantedText(t: T, data: MovementData, n: Nomination, locale: Locale): string {
  const form = n.grantedFormId === null ? undefined : data.forms.get(n.grantedFormId);
  const key = `doc.award.${form?.code ?? ""}`;
  const short = form ? t(key) : key;
  const grantor = data.units.get(n.grantedByUnitId ?? -1)?.name;
  const decision = t("doc.decision_ref", { number: n.decisionNumber ?? "…", date: n.decisionDate ? shortDate(n.decisionDate) : "…" });
  if (short === key || !grantor) return t("doc.award_named", { award: formName(data, n.grantedFormId, locale), decision });
  return t("doc.award_by", { award: short, grantor, decision });
}

function decisionText(t: T, data: MovementData, n: Nomination, locale: Locale): string {
  if (n.grantedFormId !== null) return t("doc.decision_granted", { award: grantedText(t, data, n, locale) });
  return t(undecidedAtClose(data.campaign, n.status) ? "doc.decision.UNDECIDED" : `doc.decision.${n.status}`);
}

/**
 * Where a person works, for "Chức vụ, đơn vị công tác": the enterprise or agency a union is
 * named after, not the union ("Công đoàn Công ty CP Phân bón Sông Cầu" → "Công ty CP Phân
 * bón Sông Cầu"). A grassroots union or a section is named after its workplace; an upper
 * union only when it is a corporation's ("Công đoàn Tổng công ty …"): "Công đoàn Công
 * Thương Hà Nội" stays whole.
 */
export function workplaceOf(unit: Unit): string {
  const m = /^công đoàn\s+(?:cơ sở\s+|bộ phận\s+)?(.{2,})$/iu.exec(unit.name.trim());
  if (!m) return unit.name;
  const rest = m[1]!;
  if (unit.level === "GRASSROOTS" || unit.level === "SECTION") return rest;
  if (unit.level === "UPPER_GRASSROOTS" && /^(?:tổng công ty|tập đoàn|công ty)\s/iu.test(rest)) return rest;
  return unit.name;
}

/** A figure's column heading: its label, and its unit where the label does not already say what is counted ("Giá trị làm lợi của sáng kiến (đồng)"). */
export function figureHeading(t: T, key: string): string {
  return t(`figures.${key}.column`);
}

/** The phase report (sơ kết) or, with no phase, the year report (tổng kết). */
export function reportDocument(t: T, data: MovementData, opts: DocumentOptions, locale: Locale): OfficialDocument {
  const { campaign, phase } = data;
  const num = (n: bigint | number) => formatNumber(n, locale);
  const title = phase
    ? [t("doc.report.title_phase", { ordinal: phase.ordinal, year: campaign.year }), t("doc.report.title_plan", { number: campaign.number })]
    : [t("doc.report.title_year", { year: campaign.year }), t("doc.report.title_plan", { number: campaign.number })];
  const body: DocBlock[] = [];
  const issuerName = data.issuer?.name ?? "";
  // The unit that issued the plan reports on it without naming itself twice.
  const opening = data.issuer?.id === data.unit.id ? "doc.report.opening_own" : "doc.report.opening";
  body.push({ kind: "paragraph", text: t(opening, { number: campaign.number, date: shortDate(campaign.issuedOn), issuer: issuerName, unit: data.unit.name, period: phase ? t("doc.period_phase", { ordinal: phase.ordinal, year: campaign.year, from: shortDate(phase.startsOn), to: shortDate(phase.endsOn) }) : t("doc.period_year", { year: campaign.year }) }) });

  // I. The situation.
  const below = data.records.slice(1);
  const registered = below.filter((r) => r.registration && SENT.has(r.registration.status));
  const lastPhase = phasesOf(data).at(-1)!;
  const reported = below.filter((r) => phasesOf(data).some((p) => r.reports.has(p.id)));
  const late = below.filter((r) => phasesOf(data).some((p) => r.reports.get(p.id)?.late));
  const themes = registered.reduce((s, r) => s + r.registration!.themes.length, 0);
  const targetsTotal = data.records.reduce((s, r) => s + targetsOf(data, r).registered, 0);
  body.push({ kind: "heading", text: t("doc.report.h_situation") });
  body.push({ kind: "paragraph", text: t("doc.report.situation_units", { units: num(below.length), registered: num(registered.length), themes: num(themes), targets: num(targetsTotal) }) });
  const reportsKey = reported.length === 0 ? "situation_reports_none" : late.length === 0 ? "situation_reports_on_time" : "situation_reports";
  // A phase report names its deadline; a year report counts every phase, each with its own.
  const deadline = data.phase ? t("doc.report.deadline", { date: shortDate(lastPhase.reportDeadline) }) : "";
  body.push({ kind: "paragraph", text: t(`doc.report.${reportsKey}`, { reported: num(reported.length), late: num(late.length), deadline }) });

  // II. Results: figures by unit, then targets by unit, each with totals.
  body.push({ kind: "heading", text: t("doc.report.h_results") });
  body.push({ kind: "paragraph", text: t("doc.report.figures_intro") });
  const keys = campaign.figureKeys;
  const gs = groups(data).filter((g, i) => i > 0 || figuresOf(data, g.records[0]!) || targetsOf(data, g.records[0]!).registered);
  const sums: Record<string, bigint> = {};
  const figureRows: DocCell[][] = gs.map((g, i) => {
    const cells: DocCell[] = [{ text: String(i + 1), align: "center" }, g.unit.name];
    let any = false;
    for (const k of keys) {
      let v = 0n;
      for (const rec of g.records) {
        const f = figuresOf(data, rec);
        if (f) {
          any = true;
          v += f[k] ?? 0n;
        }
      }
      sums[k] = (sums[k] ?? 0n) + v;
      cells.push({ text: any ? num(v) : "", align: "right" });
    }
    if (!any) cells.splice(2, keys.length, { text: t("doc.report.not_reported"), align: "center" }, ...keys.slice(1).map(() => ""));
    return cells;
  });
  body.push({
    kind: "table",
    header: [t("doc.col.no"), t("doc.col.unit"), ...keys.map((k) => figureHeading(t, k))],
    // Amounts in đồng run to 13 characters (2.065.500.000): they get the wide columns.
    widths: [6, 22, ...keys.map((k) => (t(`figures.${k}.unit`) === t("figures.initiative_value.unit") ? 17 : 9.5))],
    rows: figureRows,
    totals: [{ text: "", align: "center" }, t("doc.col.total"), ...keys.map((k) => ({ text: num(sums[k] ?? 0n), align: "right" as const }))],
  });
  body.push({ kind: "paragraph", text: t("doc.report.targets_intro") });
  const tt = { registered: 0, reported: 0, reached: 0 };
  const targetRows: DocCell[][] = gs.map((g, i) => {
    const s = { registered: 0, reported: 0, reached: 0 };
    for (const rec of g.records) {
      const x = targetsOf(data, rec);
      s.registered += x.registered;
      s.reported += x.reported;
      s.reached += x.reached;
    }
    tt.registered += s.registered;
    tt.reported += s.reported;
    tt.reached += s.reached;
    return [{ text: String(i + 1), align: "center" }, g.unit.name, ...targetCells(s, num)];
  });
  body.push({
    kind: "table",
    header: [t("doc.col.no"), t("doc.col.unit"), t("doc.col.targets_registered"), t("doc.col.targets_reported"), t("doc.col.targets_reached"), t("doc.col.rate")],
    widths: [7, 45, 12, 12, 12, 12],
    rows: targetRows,
    totals: [{ text: "", align: "center" }, t("doc.col.total"), ...targetCells(tt, num)],
  });

  // III. Exemplars, IV. plaque works, V. reward proposals and decisions.
  const noms = data.records.flatMap((r) => r.nominations);
  const exemplars = noms.filter((n) => n.status === "APPROVED" || n.status === "SUBMITTED");
  body.push({ kind: "heading", text: t("doc.report.h_exemplars") });
  if (!exemplars.length) body.push({ kind: "paragraph", text: t("doc.report.none") });
  else {
    const workers = exemplars.filter((n) => n.directWorker).length;
    body.push({ kind: "paragraph", text: t("doc.report.exemplars_count", { count: num(exemplars.length), workers: num(workers) }) });
    for (const n of [...exemplars].sort((a, b) => Number(b.directWorker) - Number(a.directWorker))) body.push({ kind: "paragraph", text: `- ${nominationLine(t, data, n, locale)}` });
  }
  const works = data.records.flatMap((r) => r.works).filter((w) => w.status !== "RETURNED");
  body.push({ kind: "heading", text: t("doc.report.h_works") });
  if (!works.length) body.push({ kind: "paragraph", text: t("doc.report.none") });
  for (const w of works) body.push({ kind: "paragraph", text: t("doc.report.work_line", { name: w.name, unit: data.units.get(w.unitId)?.name ?? "", status: t(undecidedAtClose(data.campaign, w.status) ? "status.UNDECIDED" : `doc.work_status.${w.status}`) }) });
  body.push({ kind: "heading", text: t("doc.report.h_rewards") });
  if (!noms.length) body.push({ kind: "paragraph", text: t("doc.report.none") });
  else
    body.push({
      kind: "table",
      header: [t("doc.col.no"), t("doc.col.nominee"), t("doc.col.unit"), t("doc.col.form_proposed"), t("doc.col.decision")],
      widths: [6, 24, 24, 18, 28],
      rows: noms.map((n, i) => [{ text: String(i + 1), align: "center" }, n.nomineeName + (n.directWorker ? ` ${t("doc.direct_worker_mark")}` : ""), data.units.get(n.unitId)?.name ?? "", formName(data, n.formId, locale), decisionText(t, data, n, locale)]),
      totals: [{ text: "", align: "center" }, t("doc.rewards_total", { count: num(noms.length), granted: num(noms.filter((n) => n.grantedFormId !== null).length) }), "", "", ""],
    });

  // VI. The direction for what comes next.
  body.push({ kind: "heading", text: t(phase && phase.ordinal < campaign.phases.length ? "doc.report.h_next_phase" : "doc.report.h_next_year") });
  for (const line of (opts.direction ?? defaultDirection(data)).split(/\n+/).map((l) => l.trim()).filter(Boolean)) body.push({ kind: "paragraph", text: line });
  body.push({ kind: "paragraph", text: t("doc.report.closing", { unit: data.unit.name }) });

  return { ...frame(t, data, opts, KIND_CODE.report), kind: t("doc.report.kind"), title, body };
}

function targetCells(s: { registered: number; reported: number; reached: number }, num: (n: number) => string): DocCell[] {
  return [
    { text: num(s.registered), align: "right" },
    { text: num(s.reported), align: "right" },
    { text: num(s.reached), align: "right" },
    { text: s.registered ? `${Math.round((100 * s.reached) / s.registered)}%` : "", align: "right" },
  ];
}

/** What the units wrote in their reports (the unit's own first): the officer edits it before the document is made. */
export function defaultDirection(data: MovementData): string {
  const own = data.records[0]!;
  const phases = phasesOf(data);
  const texts = [own, ...data.records.slice(1)].map((r) => phases.map((p) => r.reports.get(p.id)?.narrative ?? "").filter(Boolean).at(-1)).filter((x): x is string => !!x);
  return texts.slice(0, 5).join("\n");
}

/** The reward proposal list (Danh sách đề nghị khen thưởng): one row per nomination sent. */
export function rewardListRows(t: T, data: MovementData, locale: Locale): { header: string[]; rows: { no: number; name: string; position: string; achievement: string; form: string; directWorker: boolean; granted: boolean; decision: string }[] } {
  const noms = data.records.flatMap((r) => r.nominations).filter((n) => n.status !== "RETURNED");
  return {
    header: [t("doc.col.no"), t("doc.col.nominee"), t("doc.col.position_unit"), t("doc.col.achievement"), t("doc.col.form_proposed"), t("doc.col.direct_worker"), t("doc.col.decision")],
    rows: noms.map((n, i) => ({
      no: i + 1,
      name: n.nomineeName,
      position: [n.position, ((u) => (u ? workplaceOf(u) : null))(data.units.get(n.unitId))].filter(Boolean).join(", "),
      achievement: n.achievement,
      form: formName(data, n.formId, locale),
      directWorker: n.directWorker,
      granted: n.grantedFormId !== null,
      decision: decisionText(t, data, n, locale),
    })),
  };
}

export function rewardListDocument(t: T, data: MovementData, opts: DocumentOptions, locale: Locale): OfficialDocument {
  const { campaign, phase } = data;
  const list = rewardListRows(t, data, locale);
  const body: DocBlock[] = [
    {
      kind: "table",
      header: list.header,
      widths: [5, 17, 18, 28, 13, 7, 17],
      rows: list.rows.map((r) => [{ text: String(r.no), align: "center" }, r.name, r.position, r.achievement, r.form, { text: r.directWorker ? "x" : "", align: "center" }, r.decision]),
      totals: [{ text: "", align: "center" }, t("doc.rewards_total", { count: formatNumber(list.rows.length, locale), granted: formatNumber(list.rows.filter((r) => r.granted).length, locale) }), "", "", "", { text: formatNumber(list.rows.filter((r) => r.directWorker).length, locale), align: "center" }, ""],
    },
  ];
  if (!list.rows.length) body.splice(0, 1, { kind: "paragraph", text: t("doc.report.none") });
  // Not a numbered document of its own (Decree 30 has no "DS"): it goes with the Tờ trình
  // that proposes the rewards, whose number the officer gives; the date is written by hand.
  return {
    ...frame(t, data, opts, null),
    kind: t("doc.rewards.kind"),
    title: [phase ? t("doc.rewards.title_phase", { ordinal: phase.ordinal, year: campaign.year }) : t("doc.rewards.title_year", { year: campaign.year }), t("doc.report.title_plan", { number: campaign.number })],
    attachedTo: t("doc.rewards.attached", { number: opts.number?.trim() || "…", kind: KIND_CODE.rewards, abbr: abbreviationOf(data, opts) }),
    body,
    landscape: true,
  };
}

export type DocumentKind = "report" | "rewards" | "rewards_sheet";

/** Make a document of `unit` for the campaign (and phase) and store it as a file the person can download. */
export async function exportDocument(
  env: Env,
  input: { unit: Unit; campaign: Campaign; phase: Phase | null; kind: DocumentKind; options?: DocumentOptions },
  writers: { document: DocumentWriter; spreadsheet: SpreadsheetWriter },
  locale: Locale,
): Promise<{ id: string; name: string; data: Uint8Array }> {
  const data = await gatherMovement(env, input.unit, input.campaign, input.phase);
  const t: T = (key, params) => env.translate(locale, key, params);
  const opts = input.options ?? {};
  let bytes: Uint8Array;
  let ext: string;
  let mime: string;
  if (input.kind === "rewards_sheet") {
    const list = rewardListRows(t, data, locale);
    const [y, m, d] = data.today.split("-");
    const sheet: Sheet = {
      name: t("doc.rewards.sheet"),
      title: [
        input.phase ? t("doc.rewards.sheet_title_phase", { ordinal: input.phase.ordinal, year: input.campaign.year, number: input.campaign.number }) : t("doc.rewards.sheet_title_year", { year: input.campaign.year, number: input.campaign.number }),
        t("export.title.unit", { unit: input.unit.name }),
        t("export.title.made", { date: `${d}/${m}/${y}` }),
      ],
      header: list.header,
      columns: [{ width: 6 }, { wrap: true, width: 24 }, { wrap: true, width: 32 }, { wrap: true, width: 40 }, { wrap: true, width: 28 }, { width: 10 }, { wrap: true, width: 40 }],
      rows: list.rows.map((r) => [r.no, r.name, r.position, r.achievement, r.form, r.directWorker ? "x" : "", r.decision]),
    };
    bytes = await writers.spreadsheet.write([sheet]);
    ({ extension: ext, mime } = writers.spreadsheet);
  } else {
    const doc = input.kind === "report" ? reportDocument(t, data, opts, locale) : rewardListDocument(t, data, opts, locale);
    bytes = await writers.document.write(doc);
    ({ extension: ext, mime } = writers.document);
  }
  const id = randomId(18);
  const stem = input.kind === "report" ? (input.phase ? "doc.file.report_phase" : "doc.file.report_year") : "doc.file.rewards";
  const name = `${t(stem, { code: input.unit.code, year: input.campaign.year, ordinal: input.phase?.ordinal ?? 0 })}.${ext}`;
  await env.tx.saveFile({ id, name, mime, data: bytes, ownerId: actorId(env.actor) });
  await env.tx.audit(env.actor, { action: "document.created", entity: "file", entityId: id, unitId: input.unit.id, data: { campaign: input.campaign.id, phase: input.phase?.id ?? null, kind: input.kind } });
  return { id, name, data: bytes };
}
