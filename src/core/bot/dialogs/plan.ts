/**
 * /kehoach: the issuing union's officers look at their plan — number, year, deadlines
 * (marked while they are the bot's defaults) — and set the deadlines, close the plan at
 * the end of the year, or open next year's plan with its own document number. Rights are
 * checked again before every answer.
 */
import { z } from "zod";
import { AppError } from "../../errors.js";
import type { Campaign } from "../../model.js";
import { assertIssuer, closeCampaign, hasNextYear, openNextYear, pendingDecisions, setDeadlines } from "../../usecases/campaigns.js";
import { formatDate } from "../../time.js";
import type { Ctx } from "../context.js";
import type { DialogDef, Outcome } from "../dialog.js";
import { envOf } from "../env-of.js";
import { campaignLabel, pendingList, planView } from "../views.js";
import { loadUnit, readDate as readTypedDate, readText } from "./common.js";

const schema = z.object({
  unitId: z.number().int(),
  campaignId: z.number().int(),
  /** Deadlines typed so far (ISO dates), before they are saved. */
  registration: z.string().optional(),
  reports: z.record(z.string(), z.string()).optional(),
  /** Index of the phase whose report deadline is asked. */
  index: z.number().int().min(0).optional(),
});
type Data = z.infer<typeof schema>;

const KEEP = "keep";
const NUMBER_LIMIT = { min: 3, max: 40 };

async function loadCampaign(ctx: Ctx, data: Data): Promise<Campaign> {
  const c = await ctx.tx.getCampaign(data.campaignId);
  if (!c) throw new AppError("stale_state");
  return c;
}

/** A typed deadline, or "keep" (the current one). */
function readDate<D>(ctx: Ctx, year: number, text: string): { ok: true; value: string } | { ok: false; outcome: Outcome<D> } {
  return readTypedDate<D>(ctx, text, { key: "plan.bad_date", params: { year } });
}

/** "Giữ nguyên" or stop, beside a date to type. */
function keepOrCancel(ctx: Ctx) {
  return [
    { value: KEEP, label: ctx.t("plan.action.keep") },
    { value: "cancel", label: ctx.t("common.cancel") },
  ];
}

export const planDialog: DialogDef<Data> = {
  name: "plan",
  schema,
  async guard(ctx, data) {
    await assertIssuer(envOf(ctx), await loadCampaign(ctx, data));
  },
  steps: {
    menu: {
      async prompt(ctx, data) {
        const campaign = await loadCampaign(ctx, data);
        const issuer = await loadUnit(ctx, campaign.issuingUnitId);
        const choices = [];
        if (campaign.status === "ACTIVE") {
          choices.push({ value: "deadlines", label: ctx.t("plan.action.deadlines") }, { value: "close", label: ctx.t("plan.action.close") });
        }
        if (!(await hasNextYear(envOf(ctx), campaign))) choices.push({ value: "next", label: ctx.t("plan.action.next") });
        choices.push({ value: "done", label: ctx.t("common.close") });
        return { text: [planView(ctx, issuer, campaign), "", ctx.t("plan.ask")].join("\n"), choices };
      },
      async choose(ctx, data, value) {
        if (value === "deadlines") return { next: "registration", data: { ...data, registration: undefined, reports: {}, index: 0 } };
        if (value === "close") return { next: "close", data };
        if (value === "next") return { next: "number", data };
        return { end: [{ text: ctx.t("common.closed") }] };
      },
    },
    registration: {
      async prompt(ctx, data) {
        const campaign = await loadCampaign(ctx, data);
        return {
          text: ctx.t("plan.ask_registration", { year: campaign.year, current: formatDate(campaign.registrationDeadline) }),
          choices: keepOrCancel(ctx),
        };
      },
      async choose(ctx, data, value) {
        if (value !== KEEP) return { end: [{ text: ctx.t("cancel.done") }] };
        const campaign = await loadCampaign(ctx, data);
        return { next: "report", data: { ...data, registration: campaign.registrationDeadline, index: 0 } };
      },
      async text(ctx, data, text) {
        const campaign = await loadCampaign(ctx, data);
        const r = readDate<Data>(ctx, campaign.year, text);
        return r.ok ? { next: "report", data: { ...data, registration: r.value, index: 0 } } : r.outcome;
      },
    },
    report: {
      async prompt(ctx, data) {
        const campaign = await loadCampaign(ctx, data);
        const phase = campaign.phases[data.index ?? 0]!;
        return {
          text: ctx.t("plan.ask_report", { ordinal: phase.ordinal, end: formatDate(phase.endsOn), current: formatDate(phase.reportDeadline) }),
          choices: keepOrCancel(ctx),
        };
      },
      async choose(ctx, data, value) {
        if (value !== KEEP) return { end: [{ text: ctx.t("cancel.done") }] };
        const campaign = await loadCampaign(ctx, data);
        const phase = campaign.phases[data.index ?? 0]!;
        return nextPhase(campaign, data, phase.ordinal, phase.reportDeadline);
      },
      async text(ctx, data, text) {
        const campaign = await loadCampaign(ctx, data);
        const r = readDate<Data>(ctx, campaign.year, text);
        if (!r.ok) return r.outcome;
        return nextPhase(campaign, data, campaign.phases[data.index ?? 0]!.ordinal, r.value);
      },
    },
    confirm: {
      async prompt(ctx, data) {
        const campaign = await loadCampaign(ctx, data);
        return {
          text: ctx.t("plan.preview", {
            label: campaignLabel(ctx, campaign),
            registration: formatDate(data.registration!),
            reports: Object.entries(data.reports ?? {})
              .map(([ordinal, date]) => ctx.t("plan.preview_report", { ordinal, date: formatDate(date) }))
              .join("\n"),
          }),
          choices: [
            { value: "save", label: ctx.t("plan.action.save") },
            { value: "cancel", label: ctx.t("common.cancel") },
          ],
        };
      },
      async choose(ctx, data, value) {
        if (value !== "save") return { end: [{ text: ctx.t("cancel.done") }] };
        const reports = Object.fromEntries(Object.entries(data.reports ?? {}).map(([k, v]) => [Number(k), v]));
        const campaign = await setDeadlines(envOf(ctx), await loadCampaign(ctx, data), { registration: data.registration!, reports });
        return { next: "menu", data: { unitId: data.unitId, campaignId: data.campaignId }, notes: [ctx.t("plan.saved", { label: campaignLabel(ctx, campaign) })] };
      },
    },
    close: {
      async prompt(ctx, data) {
        const campaign = await loadCampaign(ctx, data);
        // What is still waiting for a decision is told before the officer confirms: it will not be decided after.
        const pending = await pendingDecisions(envOf(ctx), campaign);
        const count = Object.values(pending).reduce((a, n) => a + n, 0);
        return {
          text: [ctx.t("plan.close_confirm", { label: campaignLabel(ctx, campaign) }), count ? ctx.t("plan.close_pending", { count, list: pendingList(ctx, pending) }) : ctx.t("plan.close_none")].join("\n"),
          choices: [
            { value: "close", label: ctx.t("plan.close_yes") },
            { value: "cancel", label: ctx.t("common.cancel") },
          ],
        };
      },
      async choose(ctx, data, value) {
        if (value !== "close") return { end: [{ text: ctx.t("cancel.done") }] };
        const campaign = await closeCampaign(envOf(ctx), await loadCampaign(ctx, data));
        return { end: [{ text: ctx.t("plan.closed", { label: campaignLabel(ctx, campaign) }) }] };
      },
    },
    number: {
      async prompt(ctx, data) {
        const campaign = await loadCampaign(ctx, data);
        return { text: ctx.t("plan.ask_number", { year: campaign.year + 1 }), choices: [{ value: "cancel", label: ctx.t("common.cancel") }] };
      },
      choose: (ctx) => ({ end: [{ text: ctx.t("cancel.done") }] }),
      async text(ctx, data, text) {
        if (!text.trim()) return { retry: ctx.t("plan.number_empty") };
        const r = readText<Data>(ctx, text, NUMBER_LIMIT);
        if (!r.ok) return r.outcome;
        const campaign = await loadCampaign(ctx, data);
        const template = campaign.templateKey ? (ctx.deps.templates?.(campaign.templateKey) ?? null) : null;
        const opened = await openNextYear(envOf(ctx), campaign, template, r.value);
        return { end: [{ text: ctx.t("plan.opened", { label: campaignLabel(ctx, opened) }) }] };
      },
    },
  },
};

/** Record one phase's report deadline and ask the next, or show the preview after the last. */
function nextPhase(campaign: Campaign, data: Data, ordinal: number, date: string): Outcome<Data> {
  const reports = { ...data.reports, [String(ordinal)]: date };
  const index = (data.index ?? 0) + 1;
  if (index < campaign.phases.length) return { next: "report", data: { ...data, reports, index } };
  return { next: "confirm", data: { ...data, reports, index: index - 1 } };
}
