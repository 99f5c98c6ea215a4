/**
 * /baocao: a unit's report for one phase — pick the phase, answer each figure, write the
 * narrative, check the summary, send. A report sent after the deadline is accepted and
 * marked late; a returned report is answered again and resubmitted.
 */
import { z } from "zod";
import { formatNumber, parseCount } from "../../format.js";
import { LIMITS } from "../../limits.js";
import type { Campaign, Phase } from "../../model.js";
import { isLate, submitReport } from "../../usecases/submissions.js";
import { formatDate, formatInstant } from "../../time.js";
import type { Ctx } from "../context.js";
import type { DialogDef } from "../dialog.js";
import { envOf } from "../env-of.js";
import { figuresView, phaseLabel, statusLabel } from "../views.js";
import { loadScope, readText } from "./common.js";

const schema = z.object({
  unitId: z.number().int(),
  campaignId: z.number().int(),
  phaseId: z.number().int().optional(),
  /** Figures answered so far, as decimal strings (JSON has no bigint). */
  figures: z.record(z.string(), z.string().regex(/^\d+$/)).optional(),
  /** Index of the figure being asked. */
  index: z.number().int().min(0).optional(),
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

export const reportDialog: DialogDef<Data> = {
  name: "report",
  schema,
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
        const notes = [ctx.t("report.intro", { ordinal: phase.ordinal, deadline: formatDate(phase.reportDeadline), count: campaign.figureKeys.length })];
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
        return { next: "narrative", data: { ...data, figures, index } };
      },
    },
    narrative: {
      prompt: (ctx) => ({ text: ctx.t("report.ask_narrative", { min: LIMITS.narrative.min, max: formatNumber(LIMITS.narrative.max, ctx.locale) }) }),
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
            ctx.t("report.view.narrative", { text: data.narrative ?? "" }),
            late ? ctx.t("report.late_warning", { deadline: formatDate(phase.reportDeadline) }) : null,
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
        if (value === "redo") return { next: "figure", data: { ...data, figures: {}, index: 0, narrative: undefined } };
        if (value !== "send") return { end: [{ text: ctx.t("cancel.done") }] };
        const { unit, campaign } = await loadScope(ctx, data);
        const phase = phaseOf(campaign, data);
        const report = await submitReport(envOf(ctx), unit, campaign, phase, { figures: figuresOf(data), narrative: data.narrative ?? "" });
        const parent = unit.parentId ? await ctx.tx.getUnit(unit.parentId) : null;
        return { end: [{ text: ctx.t("report.submitted", { ordinal: phase.ordinal, unit: unit.name, parent: parent?.name ?? "—", context: report.late ? "late" : undefined }) }] };
      },
    },
  },
};
