/**
 * /baocao: a unit's report for one phase — pick the phase, answer each figure, then what
 * was reached so far this year on each target the unit registered, write the narrative,
 * check the summary, send. A report sent after the deadline is accepted and
 * marked late; a returned report is answered again and resubmitted.
 */
import { z } from "zod";
import { AppError } from "../../errors.js";
import { formatDecimal, formatNumber, parseCount, parseDecimal } from "../../format.js";
import { LIMITS } from "../../limits.js";
import type { Campaign, Phase, Target } from "../../model.js";
import { isLate, submitReport, targetsToReport } from "../../usecases/submissions.js";
import { deadlineText } from "../../calendar.js";
import { formatDate, formatInstant } from "../../time.js";
import type { Ctx } from "../context.js";
import type { DialogDef, Outcome } from "../dialog.js";
import { envOf } from "../env-of.js";
import { figuresView, holderOf, phaseLabel, statusLabel, targetsReachedView, withHolder } from "../views.js";
import { actsForUnit, loadScope, readText } from "./common.js";

const schema = z.object({
  unitId: z.number().int(),
  campaignId: z.number().int(),
  phaseId: z.number().int().optional(),
  /** Figures answered so far, as decimal strings (JSON has no bigint). */
  figures: z.record(z.string(), z.string().regex(/^\d+$/)).optional(),
  /** Index of the figure being asked. */
  index: z.number().int().min(0).optional(),
  /** Values reached per target id (cumulative for the year), answered so far. */
  reached: z.record(z.string(), z.number().nonnegative()).optional(),
  /** Index of the target being asked. */
  targetIndex: z.number().int().min(0).optional(),
  narrative: z.string().optional(),
});
type Data = z.infer<typeof schema>;

function phaseOf(campaign: Campaign, data: Data): Phase {
  const phase = campaign.phases.find((p) => p.id === data.phaseId);
  if (!phase) throw new Error("report dialog without a phase");
  return phase;
}

function figuresOf(data: Data): Record<string, bigint> {
  return Object.fromEntries(Object.entries(data.figures ?? {}).map(([k, v]) => [k, BigInt(v)]));
}

async function previous(ctx: Ctx, data: Data) {
  return data.phaseId ? ctx.tx.getReport(data.unitId, data.phaseId) : null;
}

/** The registered targets this report asks about, in order. */
async function targetsOf(ctx: Ctx, data: Data): Promise<Target[]> {
  const { unit, campaign } = await loadScope(ctx, data);
  return ctx.memo(`targets:${unit.id}:${campaign.id}`, () => targetsToReport(ctx, unit, campaign));
}

function reachedOf(data: Data): Record<number, number> {
  return Object.fromEntries(Object.entries(data.reached ?? {}).map(([k, v]) => [Number(k), v]));
}

/** After the figures: the first target, or the narrative when the unit registered none. */
async function afterFigures(ctx: Ctx, data: Data): Promise<Outcome<Data>> {
  const targets = await targetsOf(ctx, data);
  if (targets.length) return { next: "target", data: { ...data, reached: {}, targetIndex: 0 } };
  return { next: "narrative", data: { ...data, reached: {} } };
}

export const reportDialog: DialogDef<Data> = {
  name: "report",
  schema,
  guard: actsForUnit,
  steps: {
    phase: {
      async prompt(ctx, data) {
        const { unit, campaign } = await loadScope(ctx, data);
        const choices = [];
        for (const p of campaign.phases) {
          const r = await ctx.tx.getReport(unit.id, p.id);
          const state = p.startsOn > ctx.today ? ctx.t("report.not_open", { date: formatDate(p.startsOn) }) : statusLabel(ctx, r?.status);
          choices.push({ value: String(p.id), label: `${phaseLabel(ctx, p)} – ${state}` });
        }
        return { text: ctx.t("report.ask_phase", { unit: unit.name, year: campaign.year }), choices };
      },
      async choose(ctx, data, value) {
        const { unit, campaign } = await loadScope(ctx, data);
        const phase = campaign.phases.find((p) => String(p.id) === value);
        if (!phase) return { retry: ctx.t("dialog.pick_one", { max: campaign.phases.length }) };
        if (phase.startsOn > ctx.today) return { retry: ctx.t("errors.phase_not_started", { ordinal: phase.ordinal }) };
        const r = await ctx.tx.getReport(unit.id, phase.id);
        if (r && r.status !== "RETURNED") {
          return { end: [{ text: ctx.t("report.exists", { ordinal: phase.ordinal, status: statusLabel(ctx, r.status), date: formatInstant(r.submittedAt, ctx.deps.timeZone) }) }] };
        }
        const notes = [ctx.t("report.intro", { ordinal: phase.ordinal, deadline: deadlineText(ctx.t, phase.reportDeadline, campaign), count: campaign.figureKeys.length })];
        const targets = await targetsOf(ctx, data);
        if (targets.length) notes.push(ctx.t("report.intro_targets", { count: targets.length }));
        if (r?.status === "RETURNED") notes.unshift(ctx.t("report.returned_reason", { reason: r.returnReason ?? "" }));
        return { next: "figure", data: { ...data, phaseId: phase.id, figures: {}, index: 0 }, notes };
      },
    },
    figure: {
      async prompt(ctx, data) {
        const { campaign } = await loadScope(ctx, data);
        const key = campaign.figureKeys[data.index ?? 0]!;
        const before = (await previous(ctx, data))?.figures[key];
        return {
          text: [
            ctx.t("report.ask_figure", { n: (data.index ?? 0) + 1, total: campaign.figureKeys.length, question: ctx.t(`figures.${key}.ask`), unit: ctx.t(`figures.${key}.unit`) }),
            before !== undefined ? ctx.t("report.previous_value", { value: formatNumber(before, ctx.locale) }) : null,
          ]
            .filter(Boolean)
            .join("\n"),
        };
      },
      async text(ctx, data, text) {
        const parsed = parseCount(text);
        if (!parsed.ok) return { retry: ctx.t(`input.number_${parsed.reason}`, { example: formatNumber(1250, ctx.locale) }) };
        const { campaign } = await loadScope(ctx, data);
        const index = data.index ?? 0;
        const figures = { ...data.figures, [campaign.figureKeys[index]!]: parsed.value.toString() };
        if (index + 1 < campaign.figureKeys.length) return { next: "figure", data: { ...data, figures, index: index + 1 } };
        return afterFigures(ctx, { ...data, figures, index });
      },
    },
    target: {
      async prompt(ctx, data) {
        const targets = await targetsOf(ctx, data);
        const n = data.targetIndex ?? 0;
        const t = targets[n];
        if (!t) throw new AppError("stale_state");
        const before = (await previous(ctx, data))?.targets[t.id];
        return {
          text: [
            ctx.t("report.ask_target", { n: n + 1, total: targets.length, indicator: t.indicator, planned: formatDecimal(t.planned, ctx.locale), measure: t.measure }),
            before !== undefined ? ctx.t("report.previous_value", { value: formatDecimal(before, ctx.locale) }) : null,
          ]
            .filter(Boolean)
            .join("\n"),
        };
      },
      async text(ctx, data, text) {
        const parsed = parseDecimal(text, ctx.locale);
        if (!parsed.ok) return { retry: ctx.t(`input.decimal_${parsed.reason}`, { example: formatDecimal(5.5, ctx.locale), example2: formatDecimal(1250, ctx.locale) }) };
        const targets = await targetsOf(ctx, data);
        const n = data.targetIndex ?? 0;
        const t = targets[n];
        if (!t) throw new AppError("stale_state");
        const reached = { ...data.reached, [String(t.id)]: parsed.value };
        if (n + 1 < targets.length) return { next: "target", data: { ...data, reached, targetIndex: n + 1 } };
        return { next: "narrative", data: { ...data, reached } };
      },
    },
    narrative: {
      prompt: (ctx) => ({ text: ctx.t("report.ask_narrative", { min: LIMITS.narrative.min, max: LIMITS.narrative.max }) }),
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.narrative);
        if (!r.ok) return r.outcome;
        return { next: "confirm", data: { ...data, narrative: r.value } };
      },
    },
    confirm: {
      async prompt(ctx, data) {
        const { unit, campaign } = await loadScope(ctx, data);
        const phase = phaseOf(campaign, data);
        const late = isLate(ctx, phase);
        return {
          text: [
            ctx.t("report.summary", { ordinal: phase.ordinal, unit: unit.name }),
            figuresView(ctx, campaign, figuresOf(data)),
            targetsReachedView(
              ctx,
              (await targetsOf(ctx, data)).map((target) => ({ target, value: reachedOf(data)[target.id] ?? 0 })),
            ),
            ctx.t("report.view.narrative", { text: data.narrative ?? "" }),
            late ? ctx.t("report.late_warning", { deadline: deadlineText(ctx.t, phase.reportDeadline, campaign) }) : null,
          ]
            .filter(Boolean)
            .join("\n"),
          choices: [
            { value: "send", label: ctx.t("report.action.send") },
            { value: "redo", label: ctx.t("report.action.redo") },
            { value: "cancel", label: ctx.t("common.cancel") },
          ],
        };
      },
      async choose(ctx, data, value) {
        if (value === "redo") return { next: "figure", data: { ...data, figures: {}, index: 0, reached: {}, targetIndex: undefined, narrative: undefined } };
        if (value !== "send") return { end: [{ text: ctx.t("cancel.done") }] };
        const { unit, campaign } = await loadScope(ctx, data);
        const phase = phaseOf(campaign, data);
        const report = await submitReport(envOf(ctx), unit, campaign, phase, { figures: figuresOf(data), targets: reachedOf(data), narrative: data.narrative ?? "" });
        const holder = await holderOf(ctx, report.atUnitId);
        const sent = ctx.t("report.submitted", { ordinal: phase.ordinal, unit: unit.name, holder: holder?.unit.name ?? "—", context: report.late ? "late" : undefined });
        return { end: [{ text: withHolder(ctx, sent, holder) }] };
      },
    },
  },
};
