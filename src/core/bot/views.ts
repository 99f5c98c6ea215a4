/**
 * Texts shown in several places (a registration, a report, progress, the calendar), built
 * from locale keys only. Plain text: adapters send it without markup, so names with
 * "<", "*" or "_" appear as typed.
 */
import { deadlineText, type Occurrence } from "../calendar.js";
import { excerpt, figureText, formatDecimal, percentOf } from "../format.js";
import type { Campaign, CommendationForm, Nomination, Phase, PhaseReport, PlaqueWork, Registration, SubjectType, Target, TargetReached, Theme, Unit } from "../model.js";
import { undecidedAtClose } from "../model.js";
import type { Progress } from "../ports.js";
import type { OwnItem, OwnStatus, UnitProgress } from "../usecases/progress.js";
import { formatDate, formatInstant } from "../time.js";
import type { Ctx } from "./context.js";

/** What rendering needs: the language and the time zone (the CLI renders too). */
export type ViewCtx = Pick<Ctx, "t" | "locale"> & { deps: Pick<Ctx["deps"], "timeZone"> };

/** A status in words; `type` picks a wording of its own where one exists (a nomination "approved" is rewarded). */
export function statusLabel(ctx: ViewCtx, status: string | null | undefined, type?: string): string {
  return ctx.t(`status.${status ?? "NONE"}`, { context: type });
}

/**
 * An item's status in words, as of its campaign: once the plan is closed, an item still
 * waiting for a decision will never get one, and says so rather than "đang chờ xem xét".
 */
export function itemStatusLabel(ctx: ViewCtx, status: string | null | undefined, type: string | undefined, campaign: Pick<Campaign, "status">): string {
  if (undecidedAtClose(campaign, status)) return ctx.t("status.UNDECIDED");
  return statusLabel(ctx, status, type);
}

/** "2 đăng ký thi đua, 1 đề nghị khen thưởng": items still waiting for a decision, by kind (the kinds with none left out). */
export function pendingList(ctx: ViewCtx, pending: Partial<Record<SubjectType, number>>): string {
  return (["REGISTRATION", "REPORT", "NOMINATION", "WORK"] as const)
    .filter((k) => pending[k])
    .map((k) => ctx.t(`plan.pending.${k}`, { count: pending[k] }))
    .join(", ");
}

/** Where a sent item waits, and whether anyone there uses the bot yet. */
export interface Holder {
  unit: Unit;
  staffed: boolean;
}

export async function holderOf(ctx: { tx: Pick<Ctx["tx"], "getUnit" | "hasOfficers"> }, atUnitId: number | null): Promise<Holder | null> {
  if (atUnitId === null) return null;
  const unit = await ctx.tx.getUnit(atUnitId);
  return unit ? { unit, staffed: await ctx.tx.hasOfficers(unit.id) } : null;
}

/**
 * When nobody at the holder uses the bot yet, a sentence of its own saying so and what
 * happens (the item waits until an officer joins, or an administrator lets that unit's
 * items go straight to the next level; at the root, the level below records its answer).
 */
export function unstaffedText(ctx: Pick<ViewCtx, "t">, holder: Holder | null): string | null {
  if (!holder || holder.staffed) return null;
  return ctx.t("holder.unstaffed", { unit: holder.unit.name, context: holder.unit.parentId === null ? "root" : undefined });
}

/** A line that names the holder, then (on its own line) the sentence about an unstaffed holder. */
export function withHolder(ctx: Pick<ViewCtx, "t">, line: string, holder: Holder | null): string {
  return [line, unstaffedText(ctx, holder)].filter(Boolean).join("\n");
}

export function phaseLabel(ctx: ViewCtx, p: Phase): string {
  return ctx.t("phase.label", { ordinal: p.ordinal, from: formatDate(p.startsOn), to: formatDate(p.endsOn) });
}

export function campaignLabel(ctx: ViewCtx, c: Campaign): string {
  return ctx.t("campaign.label", { number: c.number, year: c.year });
}

/** "Chỉ tiêu: Sáng kiến được công nhận — 20 sáng kiến". */
export function targetLine(ctx: ViewCtx, t: Target): string {
  return ctx.t("themes.target_line", { indicator: t.indicator, planned: formatDecimal(t.planned, ctx.locale), measure: t.measure });
}

/** What a theme says beyond its title: key task, who is responsible, targets (older themes may have none). */
export function themeDetails(ctx: ViewCtx, th: Theme): string[] {
  return [
    th.keyTask ? ctx.t("themes.key_task_line", { text: th.keyTask }) : null,
    th.responsible ? ctx.t("themes.responsible_line", { text: th.responsible }) : null,
    ...th.targets.map((t) => targetLine(ctx, t)),
  ].filter((l): l is string => l !== null);
}

/** One theme on its own (while it is being written or edited). */
export function themeView(ctx: ViewCtx, th: Theme): string {
  return [th.title, ...themeDetails(ctx, th)].join("\n");
}

export function registrationView(ctx: ViewCtx, reg: Registration, campaign: Campaign): string {
  const lines = reg.themes.flatMap((th, i) => {
    const area = campaign.areas.find((a) => a.id === th.contentAreaId);
    return [ctx.t("themes.line", { n: i + 1, area: area?.ordinal ?? "?", title: th.title }), ...themeDetails(ctx, th)];
  });
  return lines.length ? lines.join("\n") : ctx.t("themes.none");
}

/** "Sáng kiến được công nhận: kế hoạch 20, thực hiện 12 sáng kiến (60%)", one line per target. */
export function targetsReachedView(ctx: ViewCtx, reached: TargetReached[]): string | null {
  if (!reached.length) return null;
  const lines = reached.map(({ target: t, value }) => {
    const percent = percentOf(value, t.planned);
    return ctx.t("report.view.target", {
      indicator: t.indicator,
      planned: formatDecimal(t.planned, ctx.locale),
      reached: formatDecimal(value, ctx.locale),
      measure: t.measure,
      percent,
      context: percent === null ? "unplanned" : undefined,
    });
  });
  return [ctx.t("report.view.targets"), ...lines].join("\n");
}

export function figuresView(ctx: ViewCtx, campaign: Campaign, figures: Record<string, bigint>): string {
  return campaign.figureKeys
    .map((k) => ctx.t("figures.line", figureText(ctx.t, ctx.locale, k, figures[k] ?? 0n)))
    .join("\n");
}

export function reportView(ctx: ViewCtx, unit: Unit, campaign: Campaign, phase: Phase, r: PhaseReport): string {
  return [
    ctx.t("report.view.head", { ordinal: phase.ordinal, unit: unit.name, status: itemStatusLabel(ctx, r.status, undefined, campaign), date: formatInstant(r.submittedAt, ctx.deps.timeZone), context: r.late ? "late" : undefined }),
    figuresView(ctx, campaign, r.figures),
    targetsReachedView(ctx, r.reached),
    ctx.t("report.view.narrative", { text: excerpt(r.narrative, 1500) }),
  ]
    .filter((l): l is string => l !== null)
    .join("\n");
}

export function nominationView(ctx: ViewCtx, unit: Unit, n: Nomination, form: CommendationForm | undefined, phase: Phase | null): string {
  return ctx.t("nominate.view", {
    kind: ctx.t(`nominate.kind.${n.nomineeKind}`),
    name: n.nomineeName,
    position: n.position ?? "",
    context: n.position ? "position" : undefined,
    unit: unit.name,
    worker: ctx.t(n.nomineeKind === "PERSON" ? (n.directWorker ? "common.yes" : "common.no") : "common.not_applicable"),
    phase: phase ? ctx.t("phase.short", { ordinal: phase.ordinal }) : ctx.t("nominate.whole_year"),
    form: form ? (ctx.locale === "vi" ? form.nameVi : form.nameEn) : "?",
    achievement: excerpt(n.achievement, 1500),
  });
}

export function workView(ctx: ViewCtx, unit: Unit, w: PlaqueWork, campaign?: Pick<Campaign, "status"> | null): string {
  return ctx.t("works.view", {
    name: w.name,
    unit: unit.name,
    description: excerpt(w.description, 1500),
    completion: w.completionOn ? formatDate(w.completionOn) : ctx.t("works.no_date"),
    occasion: w.occasion ?? ctx.t(`works.occasion.${w.occasionLevel}`),
    status: campaign ? itemStatusLabel(ctx, w.status, "WORK", campaign) : statusLabel(ctx, w.status, "WORK"),
  });
}

/** "1 đã được khen thưởng; 2 đang đề nghị khen thưởng": each status in the words of its kind of item (statuses worded alike counted together). */
function counts(ctx: ViewCtx, byStatus: Partial<Record<string, number>>, type: "NOMINATION" | "WORK", campaign: Campaign): string {
  const byLabel = new Map<string, number>();
  for (const [s, n] of Object.entries(byStatus)) {
    if (!n) continue;
    const label = itemStatusLabel(ctx, s, type, campaign);
    byLabel.set(label, (byLabel.get(label) ?? 0) + n);
  }
  const parts = [...byLabel].map(([status, n]) => ctx.t("progress.count", { count: n, status }));
  return parts.length ? parts.join("; ") : ctx.t("progress.nothing");
}

const MAX_CHILD_LINES = 30;

/** A unit's own registration and reports, where each waits, and what is still due. */
function ownView(ctx: ViewCtx, unit: Unit, campaign: Campaign, own: OwnStatus, today: string): string[] {
  // "đã gửi, đang chờ Công đoàn … xem xét" names the holder in place of the bare status.
  const status = (item: OwnItem) =>
    item.waitingAt && item.status === "SUBMITTED" && campaign.status !== "CLOSED" ? ctx.t("progress.own.waiting", { unit: item.waitingAt.name }) : itemStatusLabel(ctx, item.status, undefined, campaign);
  const where = (item: OwnItem) => (item.late ? ctx.t("progress.own.late") : "");
  const lines = [
    ctx.t("progress.own.head", { unit: unit.name, campaign: campaignLabel(ctx, campaign) }),
    ctx.t("progress.own.registration", { themes: own.registration.themes, deadline: deadlineText(ctx.t, own.registration.deadline, campaign), status: status(own.registration), where: where(own.registration) }),
    ...own.reports.map((r) =>
      ctx.t("progress.own.report", {
        ordinal: r.phase.ordinal,
        deadline: deadlineText(ctx.t, r.phase.reportDeadline, campaign),
        status: r.phase.startsOn > today && !r.status ? ctx.t("progress.own.not_open", { date: formatDate(r.phase.startsOn) }) : status(r),
        where: where(r),
      }),
    ),
  ];
  // Each holder nobody there uses the bot yet, said once, in a sentence of its own.
  const unstaffed = new Map<number, Unit>();
  for (const item of [own.registration, ...own.reports]) if (item.waitingAt && item.status === "SUBMITTED" && !item.staffed) unstaffed.set(item.waitingAt.id, item.waitingAt);
  for (const holder of unstaffed.values()) lines.push(unstaffedText(ctx, { unit: holder, staffed: false })!);
  if (campaign.status === "CLOSED") return lines;
  if (!own.due.length) return [...lines, ctx.t("progress.own.nothing_due")];
  return [
    ...lines,
    ctx.t("progress.own.due_head"),
    ...own.due.map((d) =>
      ctx.t(`progress.own.due_${d.what}`, { ordinal: d.phase?.ordinal, deadline: deadlineText(ctx.t, d.deadline, campaign), context: d.overdue ? "overdue" : undefined }),
    ),
  ];
}

/**
 * /tiendo: a grassroots union sees its own items (where each waits, what is still due); a
 * level with units below sees their totals, accepted apart from sent but not yet accepted,
 * and each direct child's status.
 */
export function progressView(ctx: ViewCtx, unit: Unit, campaign: Campaign, p: Progress & Partial<Pick<UnitProgress, "own" | "over" | "reached">>, today = "9999-12-31"): string {
  const lines: string[] = [];
  if (campaign.status === "CLOSED") lines.push(ctx.t("progress.closed", { campaign: campaignLabel(ctx, campaign) }));
  if (p.own) lines.push(...ownView(ctx, unit, campaign, p.own, today));
  if (p.over) {
    // A level above the issuing union reads the plan's progress where it is carried out, and what reached it.
    lines.push(ctx.t("progress.above", { campaign: campaignLabel(ctx, campaign), issuer: p.over.name }));
    if (p.reached) lines.push(ctx.t("progress.reached", { unit: unit.name, total: p.reached.total, waiting: p.reached.waiting }), "");
    unit = p.over;
  }
  if (!p.expected && p.own) return lines.join("\n");
  if (p.own) lines.push("");
  const sent = (by: Partial<Record<string, number>>) => (by.SUBMITTED ?? 0) + (by.APPROVED ?? 0);
  lines.push(
    ctx.t("progress.head", { unit: unit.name, campaign: campaignLabel(ctx, campaign) }),
    ctx.t("progress.expected", { count: p.expected, context: campaign.includeSections ? undefined : "no_sections" }),
    ctx.t("progress.registrations", { sent: sent(p.registrations), accepted: p.registrations.APPROVED ?? 0, waiting: p.registrations.SUBMITTED ?? 0, expected: p.expected }),
  );
  for (const r of p.reports) {
    const phase = campaign.phases.find((ph) => ph.id === r.phaseId)!;
    lines.push(
      ctx.t("progress.reports", {
        ordinal: phase.ordinal,
        deadline: deadlineText(ctx.t, phase.reportDeadline, campaign),
        sent: sent(r.byStatus),
        accepted: r.byStatus.APPROVED ?? 0,
        waiting: r.byStatus.SUBMITTED ?? 0,
        expected: p.expected,
        late: r.late,
      }),
    );
    if (sent(r.byStatus)) {
      for (const k of campaign.figureKeys) {
        lines.push(ctx.t("progress.total", figureText(ctx.t, ctx.locale, k, r.totals[k] ?? 0n)));
      }
    }
  }
  if (p.targets.registered) lines.push(ctx.t("progress.targets", p.targets));
  lines.push(ctx.t("progress.nominations", { summary: counts(ctx, p.nominations, "NOMINATION", campaign), workers: p.directWorkersApproved }));
  if (p.nominationsSent) {
    lines.push(ctx.t("progress.workers_share", { workers: p.directWorkersProposed, total: p.nominationsSent, share: Math.round((p.directWorkersProposed * 100) / p.nominationsSent) }));
  }
  lines.push(ctx.t("progress.works", { summary: counts(ctx, p.works, "WORK", campaign) }));
  if (p.children.length) {
    lines.push("", ctx.t("progress.children"));
    for (const c of p.children.slice(0, MAX_CHILD_LINES)) {
      const reps = campaign.phases
        .map((ph) => {
          const r = c.reports[ph.id];
          return ctx.t("progress.child_phase", { ordinal: ph.ordinal, status: itemStatusLabel(ctx, r?.status, undefined, campaign), context: r?.late ? "late" : undefined });
        })
        .join("; ");
      lines.push(ctx.t("progress.child", { unit: c.unit.name, registration: itemStatusLabel(ctx, c.registration, undefined, campaign), themes: c.themes, reports: reps }));
    }
    if (p.children.length > MAX_CHILD_LINES) lines.push(ctx.t("progress.more", { count: p.children.length - MAX_CHILD_LINES }));
  }
  return lines.join("\n");
}

/** The plan as /kehoach shows it: number, year, status, and the deadlines (marked while they are defaults). */
export function planView(ctx: ViewCtx, issuer: Unit, campaign: Campaign): string {
  const mark = campaign.deadlinesDefault ? ctx.t("plan.default_mark") : "";
  return [
    ctx.t("plan.head", { label: campaignLabel(ctx, campaign), unit: issuer.name, title: campaign.title }),
    ctx.t(`plan.status.${campaign.status}`, { date: campaign.closedAt ? formatInstant(campaign.closedAt, ctx.deps.timeZone) : "" }),
    ctx.t("plan.registration", { date: formatDate(campaign.registrationDeadline), mark }),
    ...campaign.phases.map((p) => ctx.t("plan.phase", { ordinal: p.ordinal, from: formatDate(p.startsOn), to: formatDate(p.endsOn), date: formatDate(p.reportDeadline), mark })),
  ].join("\n");
}

export function calendarView(ctx: ViewCtx, items: Occurrence[]): string {
  if (!items.length) return ctx.t("calendar.empty");
  return [
    ctx.t("calendar.head"),
    ...items.map((o) => ctx.t("calendar.line", { date: formatDate(o.date), title: o.title, context: o.round ?? undefined })),
  ].join("\n");
}
