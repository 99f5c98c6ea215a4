/**
 * /congtrinh: register a work or product to be plaqued in honour of the congress, see the
 * unit's works and their state, amend a returned one.
 */
import { z } from "zod";
import { excerpt } from "../../format.js";
import { LIMITS } from "../../limits.js";
import { occasionsFor, registerWork, resubmitWork } from "../../usecases/awards.js";
import type { Unit } from "../../model.js";
import type { Ctx } from "../context.js";
import { formatDate } from "../../time.js";
import type { DialogDef } from "../dialog.js";
import { envOf } from "../env-of.js";
import { holderOf, statusLabel, withHolder } from "../views.js";
import { actsForUnit, loadScope, readDate, readText, YES, yesNo } from "./common.js";

const schema = z.object({
  unitId: z.number().int(),
  campaignId: z.number().int(),
  name: z.string().optional(),
  description: z.string().optional(),
  completionOn: z.string().nullable().optional(),
  occasionLevel: z.enum(["CONFEDERATION", "SECTOR", "UPPER_GRASSROOTS", "GRASSROOTS", "SECTION"]).optional(),
  occasion: z.string().nullable().optional(),
  workId: z.number().int().optional(),
});
type Data = z.infer<typeof schema>;

const SKIP = "skip";

/** "Đại hội Công đoàn Tổng công ty …", or the Vietnam Trade Union congress for TLĐ. */
function occasionName(ctx: Ctx, u: Unit): string {
  return u.level === "CONFEDERATION" ? ctx.t("works.occasion.CONFEDERATION") : ctx.t("works.occasion_of", { unit: u.name });
}

export const worksDialog: DialogDef<Data> = {
  name: "works",
  schema,
  guard: actsForUnit,
  steps: {
    menu: {
      async prompt(ctx, data) {
        const { unit } = await loadScope(ctx, data);
        const works = await ctx.tx.worksOf(data.unitId, data.campaignId);
        const list = works.map((w, i) => ctx.t("works.line", { n: i + 1, name: w.name, status: statusLabel(ctx, w.status) }));
        return {
          text: [ctx.t("works.menu", { unit: unit.name, count: works.length }), ...list].join("\n"),
          choices: [
            { value: "new", label: ctx.t("works.action.new") },
            ...works.filter((w) => w.status === "RETURNED").map((w) => ({ value: String(w.id), label: ctx.t("works.action.amend", { name: excerpt(w.name, 40) }) })),
            { value: "close", label: ctx.t("common.close") },
          ],
        };
      },
      async choose(ctx, data, value) {
        if (value === "new") return { next: "name", data };
        if (value === "close") return { end: [{ text: ctx.t("common.closed") }] };
        const w = await ctx.tx.getWork(Number(value));
        if (!w || w.unitId !== data.unitId || w.status !== "RETURNED") return { retry: ctx.t("errors.stale_state") };
        return { next: "amend", data: { ...data, workId: w.id } };
      },
    },
    amend: {
      async prompt(ctx, data) {
        const w = await ctx.tx.getWork(data.workId!);
        return { text: ctx.t("works.ask_amend", { name: w?.name ?? "", reason: w?.returnReason ?? "", max: LIMITS.workDescription.max }) };
      },
      async text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.workDescription);
        if (!r.ok) return r.outcome;
        const { unit } = await loadScope(ctx, data);
        const w = await resubmitWork(envOf(ctx), unit, data.workId!, r.value);
        const holder = await holderOf(ctx, w.atUnitId);
        return { end: [{ text: withHolder(ctx, ctx.t("works.resubmitted", { name: w.name, holder: holder?.unit.name ?? "—" }), holder) }] };
      },
    },
    name: {
      prompt: (ctx) => ({ text: ctx.t("works.ask_name", { max: LIMITS.workName.max }) }),
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.workName);
        return r.ok ? { next: "description", data: { ...data, name: r.value } } : r.outcome;
      },
    },
    description: {
      prompt: (ctx) => ({ text: ctx.t("works.ask_description", { min: LIMITS.workDescription.min, max: LIMITS.workDescription.max }) }),
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.workDescription);
        return r.ok ? { next: "occasion", data: { ...data, description: r.value } } : r.outcome;
      },
    },
    occasion: {
      async prompt(ctx, data) {
        const { unit } = await loadScope(ctx, data);
        const above = await occasionsFor(envOf(ctx), unit);
        return { text: ctx.t("works.ask_occasion"), choices: above.map((u) => ({ value: u.level, label: occasionName(ctx, u) })) };
      },
      async choose(ctx, data, value) {
        const { unit } = await loadScope(ctx, data);
        const u = (await occasionsFor(envOf(ctx), unit)).find((x) => x.level === value);
        if (!u) return { retry: ctx.t("errors.stale_state") };
        return { next: "completion", data: { ...data, occasionLevel: u.level, occasion: occasionName(ctx, u) } };
      },
    },
    completion: {
      prompt: (ctx) => ({ text: ctx.t("works.ask_completion"), choices: [{ value: SKIP, label: ctx.t("works.no_date") }] }),
      choose: (_ctx, data) => ({ next: "confirm", data: { ...data, completionOn: null } }),
      text(ctx, data, text) {
        const date = readDate<Data>(ctx, text);
        if (!date.ok) return date.outcome;
        return { next: "confirm", data: { ...data, completionOn: date.value } };
      },
    },
    confirm: {
      async prompt(ctx, data) {
        const { unit } = await loadScope(ctx, data);
        return {
          text: ctx.t("works.confirm", {
            name: data.name,
            unit: unit.name,
            description: data.description,
            completion: data.completionOn ? formatDate(data.completionOn) : ctx.t("works.no_date"),
            occasion: data.occasion ?? "",
          }),
          choices: yesNo(ctx, "works.action.send", "common.cancel"),
        };
      },
      async choose(ctx, data, value) {
        if (value !== YES) return { end: [{ text: ctx.t("cancel.done") }] };
        const { unit, campaign } = await loadScope(ctx, data);
        const w = await registerWork(envOf(ctx), unit, campaign, {
          name: data.name!,
          description: data.description!,
          completionOn: data.completionOn ?? null,
          occasionLevel: data.occasionLevel ?? "UPPER_GRASSROOTS",
          occasion: data.occasion ?? null,
        });
        const holder = await holderOf(ctx, w.atUnitId);
        return { end: [{ text: withHolder(ctx, ctx.t("works.submitted", { name: w.name, unit: unit.name, occasion: w.occasion ?? "", holder: holder?.unit.name ?? "—" }), holder) }] };
      },
    },
  },
};
