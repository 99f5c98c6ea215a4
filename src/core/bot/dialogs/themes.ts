/**
 * /dangky: a unit registers its own emulation themes under the campaign's content areas —
 * at least two before it can send them up. Each change is saved at once (a draft), so
 * nothing is lost if the officer stops half-way; a returned registration is edited here
 * and sent again.
 */
import { z } from "zod";
import { excerpt } from "../../format.js";
import { LIMITS } from "../../limits.js";
import { addTheme, registrationOf, removeTheme, renameTheme, submitRegistration } from "../../usecases/submissions.js";
import type { Ctx } from "../context.js";
import type { DialogDef, Outcome } from "../dialog.js";
import { envOf } from "../env-of.js";
import { registrationView, statusLabel } from "../views.js";
import { BACK, loadScope, readText, YES, yesNo } from "./common.js";

const schema = z.object({
  unitId: z.number().int(),
  campaignId: z.number().int(),
  areaId: z.number().int().optional(),
  themeId: z.number().int().optional(),
});
type Data = z.infer<typeof schema>;

async function current(ctx: Ctx, data: Data) {
  const { unit, campaign } = await loadScope(ctx, data);
  const reg = await registrationOf(envOf(ctx), unit, campaign);
  return { unit, campaign, reg };
}

async function themeChoices(ctx: Ctx, data: Data) {
  const { reg } = await current(ctx, data);
  return [...reg.themes.map((th) => ({ value: String(th.id), label: excerpt(th.title, 60) })), { value: BACK, label: ctx.t("common.back") }];
}

const toMenu = (data: Data, notes: string[] = []): Outcome<Data> => ({ next: "menu", data: { unitId: data.unitId, campaignId: data.campaignId }, notes });

export const themesDialog: DialogDef<Data> = {
  name: "themes",
  schema,
  steps: {
    menu: {
      async prompt(ctx, data) {
        const { unit, campaign, reg } = await current(ctx, data);
        const head = ctx.t("themes.menu", { unit: unit.name, year: campaign.year, status: statusLabel(ctx, reg.status), count: reg.themes.length, min: LIMITS.minThemes });
        const reason = reg.status === "RETURNED" && reg.returnReason ? ctx.t("themes.returned_reason", { reason: reg.returnReason }) : null;
        const choices = [];
        if (reg.themes.length < LIMITS.maxThemes) choices.push({ value: "add", label: ctx.t("themes.action.add") });
        if (reg.themes.length) {
          choices.push({ value: "edit", label: ctx.t("themes.action.edit") });
          choices.push({ value: "remove", label: ctx.t("themes.action.remove") });
        }
        choices.push({ value: "submit", label: ctx.t("themes.action.submit") });
        choices.push({ value: "later", label: ctx.t("themes.action.later") });
        return { text: [head, reason, registrationView(ctx, reg, campaign)].filter(Boolean).join("\n"), choices };
      },
      async choose(ctx, data, value) {
        const { reg, campaign } = await current(ctx, data);
        switch (value) {
          case "add":
            return { next: "area", data };
          case "edit":
            return { next: "pick_edit", data };
          case "remove":
            return { next: "pick_remove", data };
          case "submit":
            if (reg.themes.length < LIMITS.minThemes) return { retry: ctx.t("errors.min_themes", { min: LIMITS.minThemes, count: reg.themes.length }) };
            return { next: "confirm", data };
          default:
            return { end: [{ text: ctx.t("themes.saved_draft", { count: reg.themes.length, year: campaign.year }) }] };
        }
      },
    },
    area: {
      async prompt(ctx, data) {
        const { campaign } = await loadScope(ctx, data);
        const list = campaign.areas.map((a) => ctx.t("themes.area_line", { n: a.ordinal, title: a.title })).join("\n");
        return {
          text: `${ctx.t("themes.ask_area")}\n${list}`,
          choices: [...campaign.areas.map((a) => ({ value: String(a.id), label: excerpt(a.title, 60) })), { value: BACK, label: ctx.t("common.back") }],
        };
      },
      choose(_ctx, data, value) {
        if (value === BACK) return toMenu(data);
        return { next: "title", data: { ...data, areaId: Number(value) } };
      },
    },
    title: {
      async prompt(ctx, data) {
        const { campaign } = await loadScope(ctx, data);
        const area = campaign.areas.find((a) => a.id === data.areaId);
        return { text: ctx.t("themes.ask_title", { area: area?.title ?? "", min: LIMITS.themeTitle.min, max: LIMITS.themeTitle.max }) };
      },
      async text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.themeTitle);
        if (!r.ok) return r.outcome;
        const { unit, campaign } = await loadScope(ctx, data);
        const reg = await addTheme(envOf(ctx), unit, campaign, data.areaId!, r.value);
        return toMenu(data, [ctx.t("themes.added", { count: reg.themes.length })]);
      },
    },
    pick_edit: {
      prompt: async (ctx, data) => ({ text: ctx.t("themes.ask_which_edit"), choices: await themeChoices(ctx, data) }),
      choose: (_ctx, data, value) => (value === BACK ? toMenu(data) : { next: "retitle", data: { ...data, themeId: Number(value) } }),
    },
    retitle: {
      async prompt(ctx, data) {
        const { reg } = await current(ctx, data);
        const theme = reg.themes.find((th) => th.id === data.themeId);
        return { text: ctx.t("themes.ask_retitle", { title: theme?.title ?? "", max: LIMITS.themeTitle.max }) };
      },
      async text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.themeTitle);
        if (!r.ok) return r.outcome;
        const { unit, campaign } = await loadScope(ctx, data);
        await renameTheme(envOf(ctx), unit, campaign, data.themeId!, r.value);
        return toMenu(data, [ctx.t("themes.renamed")]);
      },
    },
    pick_remove: {
      prompt: async (ctx, data) => ({ text: ctx.t("themes.ask_which_remove"), choices: await themeChoices(ctx, data) }),
      async choose(ctx, data, value) {
        if (value === BACK) return toMenu(data);
        const { unit, campaign } = await loadScope(ctx, data);
        const reg = await removeTheme(envOf(ctx), unit, campaign, Number(value));
        return toMenu(data, [ctx.t("themes.removed", { count: reg.themes.length })]);
      },
    },
    confirm: {
      async prompt(ctx, data) {
        const { unit, reg } = await current(ctx, data);
        const parent = unit.parentId ? await ctx.tx.getUnit(unit.parentId) : null;
        return { text: ctx.t("themes.confirm", { count: reg.themes.length, parent: parent?.name ?? "—" }), choices: yesNo(ctx, "themes.action.send", "common.back") };
      },
      async choose(ctx, data, value) {
        if (value !== YES) return toMenu(data);
        const { unit, campaign } = await loadScope(ctx, data);
        const reg = await submitRegistration(envOf(ctx), unit, campaign);
        const parent = unit.parentId ? await ctx.tx.getUnit(unit.parentId) : null;
        return { end: [{ text: ctx.t("themes.submitted", { count: reg.themes.length, unit: unit.name, parent: parent?.name ?? "—" }) }] };
      },
    },
  },
};
