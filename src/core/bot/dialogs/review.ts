/**
 * /duyet: the review queue of a level — what the units below sent up, nearest first. An
 * officer opens an item, reads it, and approves, returns (with a reason) or declines it;
 * the unit below is told. Works can further be proposed to TLĐ or plaqued.
 */
import { z } from "zod";
import { excerpt } from "../../format.js";
import { LIMITS } from "../../limits.js";
import type { Decision, SubjectType } from "../../model.js";
import { allowedDecisions, decide, loadSubject, PAGE_SIZE, reviewQueue } from "../../usecases/review.js";
import { formatInstant } from "../../time.js";
import type { Ctx } from "../context.js";
import type { DialogDef, Outcome } from "../dialog.js";
import { envOf } from "../env-of.js";
import { nominationView, registrationView, reportView, statusLabel, workView } from "../views.js";
import { BACK, loadUnit, readText } from "./common.js";

const schema = z.object({
  unitId: z.number().int(),
  page: z.number().int().min(0),
  type: z.enum(["REGISTRATION", "REPORT", "NOMINATION", "WORK"]).optional(),
  id: z.number().int().optional(),
  decision: z.enum(["RETURN", "DECLINE"]).optional(),
});
type Data = z.infer<typeof schema>;

const NEXT_PAGE = "next";
const FIRST_PAGE = "first";
const CLOSE = "close";

async function details(ctx: Ctx, type: SubjectType, id: number): Promise<string> {
  if (type === "REGISTRATION") {
    const reg = (await ctx.tx.getRegistrationById(id))!;
    const unit = (await ctx.tx.getUnit(reg.unitId))!;
    const campaign = (await ctx.tx.getCampaign(reg.campaignId))!;
    return [ctx.t("review.head.REGISTRATION", { unit: unit.name, year: campaign.year, date: formatInstant(reg.submittedAt ?? ctx.now, ctx.deps.timeZone) }), registrationView(ctx, reg, campaign)].join("\n");
  }
  if (type === "REPORT") {
    const r = (await ctx.tx.getReportById(id))!;
    const unit = (await ctx.tx.getUnit(r.unitId))!;
    const phase = (await ctx.tx.getPhase(r.phaseId))!;
    const campaign = (await ctx.tx.getCampaign(phase.campaignId))!;
    return reportView(ctx, unit, campaign, phase, r);
  }
  if (type === "NOMINATION") {
    const n = (await ctx.tx.getNomination(id))!;
    const unit = (await ctx.tx.getUnit(n.unitId))!;
    const form = (await ctx.tx.commendationForms()).find((f) => f.id === n.formId);
    return nominationView(ctx, unit, n, form, n.phaseId ? await ctx.tx.getPhase(n.phaseId) : null);
  }
  const w = (await ctx.tx.getWork(id))!;
  return workView(ctx, (await ctx.tx.getUnit(w.unitId))!, w);
}

/** After a decision: back to the list, or the end when nothing is left. */
async function afterDecision(ctx: Ctx, data: Data, note: string): Promise<Outcome<Data>> {
  const reviewer = await loadUnit(ctx, data.unitId);
  const { total } = await reviewQueue(envOf(ctx), reviewer, 0);
  if (!total) return { end: [{ text: note }, { text: ctx.t("review.all_done", { unit: reviewer.name }) }] };
  return { next: "list", data: { unitId: data.unitId, page: 0 }, notes: [note] };
}

export const reviewDialog: DialogDef<Data> = {
  name: "review",
  schema,
  steps: {
    list: {
      async prompt(ctx, data) {
        const reviewer = await loadUnit(ctx, data.unitId);
        const { items, total } = await reviewQueue(envOf(ctx), reviewer, data.page);
        const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
        const choices = items.map((it) => ({
          value: `${it.type}:${it.id}`,
          label: excerpt(ctx.t(`review.item.${it.type}`, { unit: it.unit.name, label: it.label, status: statusLabel(ctx, it.status), context: it.late ? "late" : undefined }), 90),
        }));
        if ((data.page + 1) * PAGE_SIZE < total) choices.push({ value: NEXT_PAGE, label: ctx.t("review.next_page") });
        else if (data.page > 0) choices.push({ value: FIRST_PAGE, label: ctx.t("review.first_page") });
        choices.push({ value: CLOSE, label: ctx.t("common.close") });
        return { text: ctx.t("review.list", { unit: reviewer.name, total, page: Math.min(data.page + 1, pages), pages }), choices };
      },
      choose(ctx, data, value) {
        if (value === CLOSE) return { end: [{ text: ctx.t("common.closed") }] };
        if (value === NEXT_PAGE) return { next: "list", data: { ...data, page: data.page + 1 } };
        if (value === FIRST_PAGE) return { next: "list", data: { ...data, page: 0 } };
        const [type, id] = value.split(":");
        return { next: "item", data: { ...data, type: type as SubjectType, id: Number(id) } };
      },
    },
    item: {
      async prompt(ctx, data) {
        const reviewer = await loadUnit(ctx, data.unitId);
        const subject = await loadSubject(envOf(ctx), data.type!, data.id!);
        const decisions = allowedDecisions(subject.type, subject.status, reviewer);
        return {
          text: await details(ctx, subject.type, subject.id),
          choices: [...decisions.map((d) => ({ value: d, label: ctx.t(`review.decision.${subject.type}.${d}`) })), { value: BACK, label: ctx.t("common.back") }],
        };
      },
      async choose(ctx, data, value) {
        if (value === BACK) return { next: "list", data: { unitId: data.unitId, page: data.page } };
        if (value === "RETURN" || value === "DECLINE") return { next: "reason", data: { ...data, decision: value } };
        const reviewer = await loadUnit(ctx, data.unitId);
        await decide(envOf(ctx), reviewer, data.type!, data.id!, value as Decision, null);
        return afterDecision(ctx, data, ctx.t(`review.done.${value}`));
      },
    },
    reason: {
      prompt: (ctx, data) => ({ text: ctx.t(`review.ask_reason_${data.decision}`, { max: LIMITS.reason.max }), choices: [{ value: BACK, label: ctx.t("common.back") }] }),
      choose: (_ctx, data) => ({ next: "item", data: { ...data, decision: undefined } }),
      async text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.reason);
        if (!r.ok) return r.outcome;
        const reviewer = await loadUnit(ctx, data.unitId);
        await decide(envOf(ctx), reviewer, data.type!, data.id!, data.decision!, r.value);
        return afterDecision(ctx, data, ctx.t(`review.done.${data.decision}`));
      },
    },
  },
};
