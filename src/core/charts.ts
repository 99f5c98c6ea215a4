/**
 * What the /tiendo picture shows, as plain data: the status of the units below (for the
 * registration and for the report of the phase being gathered) and the phase's main figures. The
 * core decides what is drawn and in which words; src/infra/charts.ts only draws it.
 *
 * A picture must stay readable on a phone, so a wide tree is summarised: at most
 * `maxBars` unit bars, the units with most still to do named first and the rest grouped
 * into one bar; past `levelsAbove` direct units, one bar per level instead.
 */
import { formatNumber } from "./format.js";
import type { Campaign, LocalDate, Locale, Phase, SubmissionStatus, Unit, UnitLevel } from "./model.js";
import { LEVEL_ORDER } from "./model.js";
import type { ChildProgress, Progress } from "./ports.js";
import { formatDate } from "./time.js";

/** Where a unit's item stands, as the chart shows it; also the order in which bars stack. */
export type ChartStatus = "accepted" | "waiting" | "returned" | "not_sent";
export const CHART_STATUSES: readonly ChartStatus[] = ["accepted", "waiting", "returned", "not_sent"];

export type StatusCounts = Record<ChartStatus, number>;

/**
 * A stored status in the chart's four words. A draft was never sent. A declined item
 * (the review flow declines only nominations and works, but the type allows it) is a
 * refusal the unit must act on, so it counts with the returned ones, never as accepted.
 */
export function chartStatusOf(status: SubmissionStatus | null | undefined): ChartStatus {
  switch (status) {
    case "APPROVED":
      return "accepted";
    case "SUBMITTED":
      return "waiting";
    case "RETURNED":
    case "DECLINED":
      return "returned";
    default:
      return "not_sent";
  }
}

/** One bar of the status panel: a unit, a group of units, or all units below. */
export interface StatusBar {
  /** "all": every unit below (the whole subtree); "unit": one direct unit; "others": the units not named; "level": direct units of one level. */
  kind: "all" | "unit" | "others" | "level";
  /** The text beside the bar, cut to the chart's label width with an ellipsis. */
  label: string;
  /** The same, uncut (for a caption or alt text). */
  fullLabel: string;
  /** How many units the bar counts. */
  units: number;
  registration: StatusCounts;
  /** The report of the chart's phase; null when no phase has started yet. */
  report: StatusCounts | null;
}

/** One row of the figures panel: a figure's total over the reports sent, and its target when one is known. */
export interface FigureBar {
  key: string;
  label: string;
  value: number;
  /** "1.250 sáng kiến". */
  valueText: string;
  target: number | null;
  /** "1.250 / 2.000 sáng kiến (63%)" when there is a target, else `valueText`. */
  text: string;
  /** value / target (1 = reached; may exceed 1); null without a target. */
  share: number | null;
}

/** A progress chart, ready to draw; every text already translated. */
export interface ChartSpec {
  /** The language of the texts; numbers drawn in the bars are written its way. */
  locale: Locale;
  title: string;
  subtitle: string;
  /** The four statuses in stacking order, with their words (the legend). */
  legend: { status: ChartStatus; label: string }[];
  /** Headings of the two columns of bars; `report` is null when no phase has started. */
  columns: { registration: string; report: string | null };
  /** "units": every direct unit has its bar; "top_units": the ones with most to do, the rest grouped; "levels": one bar per level. */
  grouping: "units" | "top_units" | "levels";
  /** The "all" bar first, then units or groups, top to bottom. */
  bars: StatusBar[];
  /** Says how the bars were summarised; null when every unit has its bar. */
  note: string | null;
  /** The main figures of the chart's phase; null before any report of it was sent (and with no targets). */
  figures: { title: string; bars: FigureBar[]; note: string | null } | null;
  /** The picture in words (alt text, or a caption where the platform has one). */
  alt: string;
}

/** Translates a key of the bot's catalogue (already bound to the reader's language). */
export type ChartTranslate = (key: string, params?: Record<string, unknown>) => string;

export interface ProgressChartInput {
  /** The unit whose units below are shown. */
  unit: Pick<Unit, "name">;
  campaign: Pick<Campaign, "number" | "year" | "phases" | "figureKeys">;
  progress: Progress;
  /** Picks the phase shown: the latest one started on or before this day. */
  today: LocalDate;
  locale: Locale;
  /**
   * Planned totals of the shown phase per figure key (campaign.figureKeys), for the
   * figures-against-targets panel. Progress carries no such totals yet (targets are
   * registered per theme, in words of each unit's own choosing); when a source for them
   * exists, pass it here and the panel draws each figure against its target.
   */
  targets?: Partial<Record<string, number>>;
}

export interface ProgressChartOptions {
  /** Most bars of units (named or grouped) below the "all" bar. Default 12. */
  maxBars?: number;
  /** Past this many direct units, bars show levels instead of units. Default 500. */
  levelsAbove?: number;
  /** Labels longer than this many characters are cut with an ellipsis. Default 40. */
  labelWidth?: number;
}

const DEFAULTS: Required<ProgressChartOptions> = { maxBars: 12, levelsAbove: 500, labelWidth: 40 };

const zero = (): StatusCounts => ({ accepted: 0, waiting: 0, returned: 0, not_sent: 0 });

/**
 * Cut `text` to at most `max` characters (letters with their marks count once), ending
 * with "…" when cut. Text is NFC-normalised first, so a name typed with combining marks
 * is never cut between a letter and its accent.
 */
export function truncateLabel(text: string, max: number): string {
  const one = text.normalize("NFC").replace(/\s+/g, " ").trim();
  const graphemes = [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(one)].map((s) => s.segment);
  if (graphemes.length <= max) return one;
  return `${graphemes.slice(0, Math.max(1, max - 1)).join("").trimEnd()}…`;
}

/**
 * The phase whose reports are being gathered: one that has ended and whose report deadline
 * has not passed (Phase 1 between 01/9 and its deadline 10/9, while Phase 2 has started);
 * otherwise the latest phase started on or before `today`, if any.
 */
export function chartPhase(phases: readonly Phase[], today: LocalDate): Phase | null {
  const started = [...phases].filter((p) => p.startsOn <= today).sort((a, b) => a.ordinal - b.ordinal);
  return started.find((p) => p.endsOn < today && today <= p.reportDeadline) ?? started.at(-1) ?? null;
}

/**
 * Counts over the whole subtree: Progress has counts per stored status; the units not
 * counted as accepted, waiting or returned (no item, or a draft) have sent nothing.
 */
function subtreeCounts(byStatus: Partial<Record<SubmissionStatus, number>>, expected: number): StatusCounts {
  const c = zero();
  for (const [s, n] of Object.entries(byStatus) as [SubmissionStatus, number][]) c[chartStatusOf(s)] += n;
  c.not_sent = Math.max(0, expected - c.accepted - c.waiting - c.returned);
  return c;
}

function add(into: StatusCounts, status: ChartStatus): void {
  into[status] += 1;
}

/** How far behind a unit is: never sent weighs most, then returned, then waiting for review. */
const WEIGHT: Record<ChartStatus, number> = { not_sent: 3, returned: 2, waiting: 1, accepted: 0 };

/**
 * The progress chart of `input.unit`'s units below, or null when nothing is expected
 * below it (a grassroots union sees its own items in the text of /tiendo instead).
 *
 * Bars: first all units below (the whole subtree, as the text's totals count them),
 * then the direct units. When all direct units fit, each has its bar in tree order, so an
 * officer finds a unit where the text lists it. When they do not fit, the bars name the
 * units with most still to do (never sent before returned before waiting; ties in tree
 * order), because those are the ones an officer calls; the rest share one bar. Past
 * `levelsAbove` direct units, naming a handful would pick arbitrarily among hundreds of
 * equally late units, so the bars show one per level instead.
 */
export function progressChart(input: ProgressChartInput, t: ChartTranslate, options: ProgressChartOptions = {}): ChartSpec | null {
  const o = { ...DEFAULTS, ...options };
  const { progress: p, campaign, locale } = input;
  if (p.expected <= 0) return null;
  const phase = chartPhase(campaign.phases, input.today);
  const phaseTotals = phase ? p.reports.find((r) => r.phaseId === phase.id) : undefined;
  const cut = (s: string) => truncateLabel(s, o.labelWidth);
  const n = (x: number) => formatNumber(x, locale);

  const reportOf = (c: ChildProgress): ChartStatus => chartStatusOf(phase ? c.reports[phase.id]?.status : null);
  const bar = (kind: StatusBar["kind"], fullLabel: string, units: ChildProgress[]): StatusBar => {
    const registration = zero();
    const report = zero();
    for (const c of units) {
      add(registration, chartStatusOf(c.registration));
      add(report, reportOf(c));
    }
    return { kind, label: kind === "unit" ? cut(fullLabel) : fullLabel, fullLabel, units: units.length, registration, report: phase ? report : null };
  };

  const all: StatusBar = {
    kind: "all",
    label: t("chart.all", { units: n(p.expected) }),
    fullLabel: t("chart.all", { units: n(p.expected) }),
    units: p.expected,
    registration: subtreeCounts(p.registrations, p.expected),
    report: phase ? subtreeCounts(phaseTotals?.byStatus ?? {}, p.expected) : null,
  };

  const children = p.children;
  let grouping: ChartSpec["grouping"];
  let rest: StatusBar[];
  let note: string | null = null;
  if (children.length <= o.maxBars) {
    grouping = "units";
    rest = children.map((c) => bar("unit", c.unit.name, [c]));
  } else if (children.length <= o.levelsAbove) {
    grouping = "top_units";
    const weight = (c: ChildProgress) => WEIGHT[chartStatusOf(c.registration)] + (phase ? WEIGHT[reportOf(c)] : 0);
    const ranked = children.map((c, i) => ({ c, i, w: weight(c) })).sort((a, b) => b.w - a.w || a.i - b.i);
    const shown = ranked.slice(0, o.maxBars - 1).map((r) => r.c);
    const others = ranked.slice(o.maxBars - 1).map((r) => r.c);
    rest = [...shown.map((c) => bar("unit", c.unit.name, [c])), bar("others", t("chart.others", { units: n(others.length) }), others)];
    note = t("chart.note.top_units", { shown: n(shown.length), rest: n(others.length) });
  } else {
    grouping = "levels";
    const byLevel = new Map<UnitLevel, ChildProgress[]>();
    for (const c of children) byLevel.set(c.unit.level, [...(byLevel.get(c.unit.level) ?? []), c]);
    rest = LEVEL_ORDER.filter((l) => byLevel.has(l)).map((l) => bar("level", t(`chart.level.${l}`, { units: n(byLevel.get(l)!.length) }), byLevel.get(l)!));
    note = t("chart.note.levels", { children: n(children.length) });
  }
  // With a single direct unit and nothing deeper, its bar would repeat the "all" bar.
  const bars = p.expected === 1 && rest.length === 1 ? [all] : [all, ...rest];

  const figures = phase ? figuresPanel(input, phase, phaseTotals?.totals ?? {}, sent(all.report!), t) : null;
  const campaignLabel = t("campaign.label", { number: campaign.number, year: campaign.year });
  const spec: ChartSpec = {
    locale,
    title: t("chart.title", { campaign: campaignLabel }),
    subtitle: t("chart.subtitle", { unit: truncateLabel(input.unit.name, 2 * o.labelWidth), expected: n(p.expected), date: formatDate(input.today) }),
    legend: CHART_STATUSES.map((status) => ({ status, label: t(`chart.status.${status}`) })),
    columns: { registration: t("chart.registration"), report: phase ? t("chart.report", { ordinal: phase.ordinal }) : null },
    grouping,
    bars,
    note,
    figures,
    alt: "",
  };
  spec.alt = altText(spec, t);
  return spec;
}

const sent = (c: StatusCounts) => c.accepted + c.waiting;

function figuresPanel(input: ProgressChartInput, phase: Phase, totals: Record<string, bigint>, reportsSent: number, t: ChartTranslate): ChartSpec["figures"] {
  const targets = input.targets ?? {};
  const withTarget = input.campaign.figureKeys.filter((k) => (targets[k] ?? 0) > 0);
  if (!reportsSent && !withTarget.length) return null;
  const n = (v: number | bigint) => formatNumber(v, input.locale);
  const bars = input.campaign.figureKeys.map((key): FigureBar => {
    const value = Number(totals[key] ?? 0n);
    const unit = t(`figures.${key}.unit`);
    const planned = targets[key];
    const target = planned !== undefined && planned > 0 ? planned : null;
    const share = target === null ? null : value / target;
    // "21.112 lượt người", but "442" where the label already names what is counted.
    const valueText = t(`figures.${key}.amount`, { value: n(value) });
    return {
      key,
      label: t(`figures.${key}.label`),
      value,
      valueText,
      target,
      text: target === null ? valueText : t("chart.figures.of_target", { value: n(value), target: n(target), unit, share: Math.round(share! * 100) }),
      share,
    };
  });
  return {
    title: t("chart.figures.title", { ordinal: phase.ordinal, sent: reportsSent }),
    bars,
    // The units' own targets are worded by each unit and cannot be summed: what the chart can
    // say against them is how many were reached, as /tiendo does.
    note: withTarget.length ? null : input.progress.targets?.registered ? t("progress.targets", input.progress.targets) : t("chart.figures.no_targets"),
  };
}

function altText(spec: ChartSpec, t: ChartTranslate): string {
  const all = spec.bars[0]!;
  const counts = (c: StatusCounts) => CHART_STATUSES.map((s) => t("chart.alt.count", { status: t(`chart.status.${s}`), n: c[s] })).join("; ");
  const lines = [spec.title, spec.subtitle, t("chart.alt.line", { column: spec.columns.registration, counts: counts(all.registration) })];
  if (all.report && spec.columns.report) lines.push(t("chart.alt.line", { column: spec.columns.report, counts: counts(all.report) }));
  if (spec.note) lines.push(spec.note);
  return lines.join("\n");
}
