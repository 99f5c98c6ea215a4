/**
 * /duyet: what waits at this level — registrations, reports, proposals for rewards (direct
 * production workers first) and works. An officer opens an item, reads it with its path so
 * far (each level's decision and note), and decides what is this level's to decide:
 * approve, approve and forward with an opinion, grant a reward (with the decision's number
 * and date), plaque a work, return with a reason, or decline.
 */
import { z } from "zod";
import { lateContext } from "../../calendar.js";
import { excerpt, formatNumber } from "../../format.js";
import { LIMITS } from "../../limits.js";
import type { CommendationForm, PathStep, SubjectType } from "../../model.js";
import { awardPhrase, decide, decisionText, GRANTS, loadSubject, NEEDS_REASON, optionsFor, ownForms, PAGE_SIZE, reviewQueue, type Action, type Subject } from "../../usecases/review.js";
import { assertOpen } from "../../usecases/campaigns.js";
import { destinationOf } from "../../usecases/route.js";
import { formatDate, formatInstant } from "../../time.js";
import type { Ctx } from "../context.js";
import type { DialogDef, Outcome } from "../dialog.js";
import { envOf } from "../env-of.js";
import { holderOf, nominationView, registrationView, reportView, statusLabel, withHolder, workView } from "../views.js";
import { actsForUnit, BACK, loadUnit, readDate, readText } from "./common.js";

const ACTIONS = ["FORWARD", "APPROVE", "GRANT", "GRANT_OWN", "PLAQUE", "FILE", "RETURN", "DECLINE", "FILE_OUTSIDE", "RECORD_GRANT", "RECORD_PLAQUE", "RECORD_DECLINE"] as const;

const schema = z.object({
  unitId: z.number().int(),
  page: z.number().int().min(0),
  type: z.enum(["REGISTRATION", "REPORT", "NOMINATION", "WORK"]).optional(),
  id: z.number().int().optional(),
  action: z.enum(ACTIONS).optional(),
  note: z.string().nullable().optional(),
  formId: z.number().int().optional(),
  number: z.string().nullable().optional(),
});
type Data = z.infer<typeof schema>;

const NEXT_PAGE = "next";
const FIRST_PAGE = "first";
const CLOSE = "close";
const SKIP = "skip";
const TODAY = "today";

export async function details(ctx: Ctx, type: SubjectType, id: number): Promise<string> {
  if (type === "REGISTRATION") {
    const reg = (await ctx.tx.getRegistrationById(id))!;
    const unit = (await ctx.tx.getUnit(reg.unitId))!;
    const campaign = (await ctx.tx.getCampaign(reg.campaignId))!;
    return [
      ctx.t("review.head.REGISTRATION", { unit: unit.name, year: campaign.year, date: formatInstant(reg.submittedAt ?? ctx.now, ctx.deps.timeZone), context: lateContext(reg.late, campaign) }),
      registrationView(ctx, reg, campaign),
    ].join("\n");
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
  return workView(ctx, (await ctx.tx.getUnit(w.unitId))!, w, await ctx.tx.getCampaign(w.campaignId));
}

/** Which wording of a step's decision: TLĐ's answer recorded, a registration marked sent outside, a proposal. */
function pathContext(s: PathStep, form: CommendationForm | undefined, proposal: boolean): string | undefined {
  if (s.decision === "FILE" && s.toUnit) return "outside";
  if (s.decision === "RECORD") return form ? "grant" : s.note ? "decline" : "plaque";
  if (s.decision === "FORWARD" && proposal) return "propose";
  return undefined;
}

/**
 * The path so far, one line per step, in the words of the buttons that took each step: a
 * registration or report is "chấp nhận, chuyển lên", a nomination or work "đồng ý, đề nghị lên".
 */
export function pathView(ctx: Ctx, type: SubjectType, steps: PathStep[], forms: CommendationForm[]): string {
  if (!steps.length) return "";
  const proposal = type === "NOMINATION" || type === "WORK";
  const lines = steps.map((s) => {
    const form = s.formId !== null ? forms.find((f) => f.id === s.formId) : undefined;
    const context = pathContext(s, form, proposal);
    return ctx.t(`review.path.${s.decision}`, {
      context,
      date: formatInstant(s.at, ctx.deps.timeZone),
      unit: s.unit.name,
      to: s.toUnit?.name ?? "",
      person: s.personName ? ctx.t("review.path.by", { name: s.personName }) : "",
      note: s.note ? ctx.t("review.path.note", { note: excerpt(s.note, 300) }) : "",
      award: form ? awardPhrase(envOf(ctx), ctx.locale, form) : "",
      decision: decisionText(envOf(ctx), ctx.locale, s.decisionNumber, s.decisionDate),
    });
  });
  return [ctx.t("review.path.head"), ...lines].join("\n");
}

/** The label of an action on this item ("Chấp nhận và chuyển lên Công đoàn …"). */
async function actionLabel(ctx: Ctx, s: Subject, action: Action, reviewerParent: string): Promise<string> {
  return ctx.t(`review.action.${s.type}.${action}`, {
    parent: reviewerParent,
    form: s.form ? (ctx.locale === "vi" ? s.form.nameVi : s.form.nameEn) : "",
  });
}

/** After a decision: back to the list, or the end when nothing is left. */
async function afterDecision(ctx: Ctx, data: Data, note: string): Promise<Outcome<Data>> {
  const reviewer = await loadUnit(ctx, data.unitId);
  const { total } = await reviewQueue(envOf(ctx), reviewer, 0);
  if (!total) return { end: [{ text: note }, { text: ctx.t("review.all_done", { unit: reviewer.name }) }] };
  return { next: "list", data: { unitId: data.unitId, page: 0 }, notes: [note] };
}

async function apply(ctx: Ctx, data: Data, date: string | null): Promise<Outcome<Data>> {
  const reviewer = await loadUnit(ctx, data.unitId);
  const env = envOf(ctx);
  await decide(env, reviewer, data.type!, data.id!, data.action!, { note: data.note ?? null, formId: data.formId, decisionNumber: data.number ?? null, decisionDate: date });
  if (data.action !== "FORWARD") return afterDecision(ctx, data, ctx.t(`review.done.${data.action!}`));
  // Forwarded: where it waits now (past units that let items pass), and whether anyone there uses the bot.
  const holder = await holderOf(ctx, (await loadSubject(env, data.type!, data.id!)).atUnitId);
  return afterDecision(ctx, data, withHolder(ctx, ctx.t("review.done.FORWARD", { holder: holder?.unit.name ?? "—" }), holder));
}

/** What comes after picking an action: a note, a form, the decision's number — or nothing. */
function afterAction(data: Data): string | null {
  if (data.action === "FORWARD" || NEEDS_REASON.includes(data.action!)) return data.note === undefined ? "note" : null;
  if (data.action === "GRANT_OWN" && data.formId === undefined) return "form";
  if (GRANTS.includes(data.action!)) return data.number === undefined ? "number" : "date";
  return null;
}

async function proceed(ctx: Ctx, data: Data): Promise<Outcome<Data>> {
  const next = afterAction(data);
  if (!next) return apply(ctx, data, null);
  // A plan closed since the item was opened: refused now, not after a note or a number is typed.
  const s = await loadSubject(envOf(ctx), data.type!, data.id!);
  const campaign = await ctx.tx.getCampaign(s.campaignId);
  if (campaign) assertOpen(campaign);
  return { next, data };
}

export const reviewDialog: DialogDef<Data> = {
  name: "review",
  schema,
  guard: actsForUnit,
  steps: {
    list: {
      async prompt(ctx, data) {
        const reviewer = await loadUnit(ctx, data.unitId);
        const q = await reviewQueue(envOf(ctx), reviewer, data.page);
        const pages = Math.max(1, Math.ceil(q.total / PAGE_SIZE));
        const choices = q.items.map((it) => ({
          value: `${it.type}:${it.id}`,
          label: excerpt(
            ctx.t(`review.item.${it.type}`, {
              unit: it.unit.name,
              label: it.label,
              status: statusLabel(ctx, it.status),
              context: it.atUnitId !== reviewer.id ? "outside" : it.directWorker ? "worker" : it.late ? "late" : undefined,
            }),
            90,
          ),
        }));
        if ((data.page + 1) * PAGE_SIZE < q.total) choices.push({ value: NEXT_PAGE, label: ctx.t("review.next_page") });
        else if (data.page > 0) choices.push({ value: FIRST_PAGE, label: ctx.t("review.first_page") });
        choices.push({ value: CLOSE, label: ctx.t("common.close") });
        const share = q.nominations
          ? ctx.t("review.workers_share", { count: q.nominations, workers: q.directWorkers, percent: formatNumber(Math.round((100 * q.directWorkers) / q.nominations), ctx.locale) })
          : null;
        return { text: [ctx.t("review.list", { unit: reviewer.name, total: q.total, page: Math.min(data.page + 1, pages), pages }), share].filter(Boolean).join("\n"), choices };
      },
      choose(ctx, data, value) {
        if (value === CLOSE) return { end: [{ text: ctx.t("common.closed") }] };
        if (value === NEXT_PAGE) return { next: "list", data: { ...data, page: data.page + 1 } };
        if (value === FIRST_PAGE) return { next: "list", data: { ...data, page: 0 } };
        const [type, id] = value.split(":");
        return { next: "item", data: { unitId: data.unitId, page: data.page, type: type as SubjectType, id: Number(id) } };
      },
    },
    item: {
      async prompt(ctx, data) {
        const reviewer = await loadUnit(ctx, data.unitId);
        const env = envOf(ctx);
        const s = await loadSubject(env, data.type!, data.id!);
        const opts = await optionsFor(env, reviewer, s);
        // The unit a forward reaches: the upper unit, or past it when it lets items pass.
        const parent = (await destinationOf(env, reviewer))?.name ?? "";
        const forms = await ctx.tx.commendationForms();
        const why = opts.actions.length
          ? null
          : ctx.t(`review.cannot.${opts.why === "elsewhere" && !opts.holder ? "done" : (opts.why ?? "done")}`, { unit: opts.whyUnit?.name ?? s.unit.name, holder: opts.holder?.name ?? "" });
        const choices = [];
        for (const a of opts.actions) choices.push({ value: a, label: await actionLabel(ctx, s, a, parent) });
        choices.push({ value: BACK, label: ctx.t("common.back") });
        return {
          text: [await details(ctx, s.type, s.id), pathView(ctx, s.type, await ctx.tx.pathOf(s.type, s.id), forms), why].filter(Boolean).join("\n\n"),
          choices,
        };
      },
      async choose(ctx, data, value) {
        if (value === BACK) return { next: "list", data: { unitId: data.unitId, page: data.page } };
        return proceed(ctx, { unitId: data.unitId, page: data.page, type: data.type, id: data.id, action: value as Action });
      },
    },
    note: {
      prompt(ctx, data) {
        const optional = data.action === "FORWARD";
        return {
          text: ctx.t(optional ? "review.ask_note" : `review.ask_reason_${data.action}`, { max: LIMITS.reason.max }),
          choices: [...(optional ? [{ value: SKIP, label: ctx.t("review.no_note") }] : []), { value: BACK, label: ctx.t("common.back") }],
        };
      },
      choose(ctx, data, value) {
        if (value === SKIP) return proceed(ctx, { ...data, note: null });
        return { next: "item", data: { unitId: data.unitId, page: data.page, type: data.type, id: data.id } };
      },
      async text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.reason);
        if (!r.ok) return r.outcome;
        return proceed(ctx, { ...data, note: r.value });
      },
    },
    form: {
      async prompt(ctx, data) {
        const reviewer = await loadUnit(ctx, data.unitId);
        const s = await loadSubject(envOf(ctx), data.type!, data.id!);
        const forms = ownForms(await ctx.tx.commendationForms(), reviewer.level, s.nomineeKind ?? "PERSON");
        return {
          text: ctx.t("review.ask_own_form", { unit: reviewer.name }),
          choices: [...forms.map((f) => ({ value: String(f.id), label: ctx.locale === "vi" ? f.nameVi : f.nameEn })), { value: BACK, label: ctx.t("common.back") }],
        };
      },
      choose(ctx, data, value) {
        if (value === BACK) return { next: "item", data: { unitId: data.unitId, page: data.page, type: data.type, id: data.id } };
        return proceed(ctx, { ...data, formId: Number(value) });
      },
    },
    number: {
      prompt: (ctx) => ({ text: ctx.t("review.ask_decision_number"), choices: [{ value: SKIP, label: ctx.t("review.no_number") }] }),
      choose: (ctx, data) => proceed(ctx, { ...data, number: null }),
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, { min: 1, max: 40 });
        if (!r.ok) return r.outcome;
        return proceed(ctx, { ...data, number: r.value });
      },
    },
    date: {
      prompt: (ctx) => ({ text: ctx.t("review.ask_decision_date", { today: formatDate(ctx.today) }), choices: [{ value: TODAY, label: ctx.t("review.today") }] }),
      choose: (ctx, data) => apply(ctx, data, ctx.today),
      text(ctx, data, text) {
        const date = readDate<Data>(ctx, text);
        if (!date.ok) return date.outcome;
        if (date.value > ctx.today) return { retry: ctx.t("input.bad_date") };
        return apply(ctx, data, date.value);
      },
    },
  },
};
