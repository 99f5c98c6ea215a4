/**
 * /dangky: a unit registers its own implementation plan under the campaign's content
 * areas — at least two themes, each with the key task or key work it serves, who is
 * responsible and one or more concrete targets — before it can send them up. Each answer
 * is saved at once (a draft), so nothing is lost if the officer stops half-way; a theme
 * left incomplete is finished from "edit", and a returned registration is edited here and
 * sent again.
 */
import { z } from "zod";
import { lateContext } from "../../calendar.js";
import { AppError } from "../../errors.js";
import { excerpt, formatDecimal, parseDecimal } from "../../format.js";
import { LIMITS, type TextLimit } from "../../limits.js";
import type { Theme } from "../../model.js";
import { addTarget, addTheme, firstIncomplete, isComplete, registrationOf, removeTarget, removeTheme, submitRegistration, updateTheme } from "../../usecases/submissions.js";
import type { Ctx } from "../context.js";
import type { DialogDef, Outcome, Step } from "../dialog.js";
import { envOf } from "../env-of.js";
import { destinationOf } from "../../usecases/route.js";
import { holderOf, registrationView, statusLabel, themeView, withHolder } from "../views.js";
import { actsForUnit, BACK, DONE, loadScope, readText, YES, yesNo } from "./common.js";

const schema = z.object({
  unitId: z.number().int(),
  campaignId: z.number().int(),
  areaId: z.number().int().optional(),
  themeId: z.number().int().optional(),
  /** Editing an existing theme from its menu (answers go back there), not adding a new one. */
  editing: z.boolean().optional(),
  /** The target being written: its indicator, then its unit of measure. */
  indicator: z.string().optional(),
  measure: z.string().optional(),
});
type Data = z.infer<typeof schema>;

const MORE = "more";

async function current(ctx: Ctx, data: Data) {
  const { unit, campaign } = await loadScope(ctx, data);
  const reg = await registrationOf(envOf(ctx), unit, campaign);
  return { unit, campaign, reg };
}

/** The theme the dialog is about; stale_state when it was removed meanwhile. */
async function themeOf(ctx: Ctx, data: Data): Promise<Theme> {
  const { reg } = await current(ctx, data);
  const theme = reg.themes.find((th) => th.id === data.themeId);
  if (!theme) throw new AppError("stale_state");
  return theme;
}

async function themeChoices(ctx: Ctx, data: Data) {
  const { reg } = await current(ctx, data);
  return [...reg.themes.map((th) => ({ value: String(th.id), label: excerpt(th.title, 60) })), { value: BACK, label: ctx.t("common.back") }];
}

const toMenu = (data: Data, notes: string[] = []): Outcome<Data> => ({ next: "menu", data: { unitId: data.unitId, campaignId: data.campaignId }, notes });
const toTheme = (data: Data, notes: string[] = []): Outcome<Data> => ({
  next: "edit_theme",
  data: { unitId: data.unitId, campaignId: data.campaignId, themeId: data.themeId, editing: true },
  notes,
});

/** "Current: …" under a question asked again while editing. */
function withCurrent(ctx: Ctx, question: string, value: string | null | undefined, data: Data): string {
  return data.editing && value ? `${question}\n${ctx.t("themes.current", { text: value })}` : question;
}

/**
 * A question whose typed answer is saved on the theme at once; adding goes on to `next`,
 * editing goes back to the theme's menu.
 */
function themeField(field: "keyTask" | "responsible", limit: TextLimit, askKey: string, savedKey: string, next: string): Step<Data> {
  return {
    async prompt(ctx, data) {
      const theme = await themeOf(ctx, data);
      return { text: withCurrent(ctx, ctx.t(askKey, { title: theme.title, min: limit.min, max: limit.max }), theme[field], data) };
    },
    async text(ctx, data, text) {
      const r = readText<Data>(ctx, text, limit);
      if (!r.ok) return r.outcome;
      const { unit, campaign } = await loadScope(ctx, data);
      await updateTheme(envOf(ctx), unit, campaign, data.themeId!, { [field]: r.value });
      return data.editing ? toTheme(data, [ctx.t(savedKey)]) : { next, data };
    },
  };
}

export const themesDialog: DialogDef<Data> = {
  name: "themes",
  schema,
  guard: actsForUnit,
  steps: {
    menu: {
      async prompt(ctx, data) {
        const { unit, campaign, reg } = await current(ctx, data);
        const head = ctx.t("themes.menu", { unit: unit.name, year: campaign.year, status: statusLabel(ctx, reg.status), count: reg.themes.length, min: LIMITS.minThemes });
        const reason = reg.status === "RETURNED" && reg.returnReason ? ctx.t("themes.returned_reason", { reason: reg.returnReason }) : null;
        const incomplete = reg.themes.filter((th) => !isComplete(th));
        const hint = incomplete.length ? ctx.t("themes.incomplete_hint", { titles: incomplete.map((th) => `“${excerpt(th.title, 60)}”`).join(", ") }) : null;
        const choices = [];
        if (reg.themes.length < LIMITS.maxThemes) choices.push({ value: "add", label: ctx.t("themes.action.add") });
        if (reg.themes.length) {
          choices.push({ value: "edit", label: ctx.t("themes.action.edit") });
          choices.push({ value: "remove", label: ctx.t("themes.action.remove") });
        }
        choices.push({ value: "submit", label: ctx.t("themes.action.submit") });
        choices.push({ value: "later", label: ctx.t("themes.action.later") });
        return { text: [head, reason, registrationView(ctx, reg, campaign), hint].filter(Boolean).join("\n"), choices };
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
          case "submit": {
            if (reg.themes.length < LIMITS.minThemes) return { retry: ctx.t("errors.min_themes", { min: LIMITS.minThemes, count: reg.themes.length }) };
            const incomplete = firstIncomplete(reg);
            if (incomplete) return { retry: ctx.t("errors.theme_incomplete", { title: incomplete.title }) };
            return { next: "confirm", data };
          }
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
        const theme = reg.themes.at(-1)!;
        return { next: "key_task", data: { unitId: data.unitId, campaignId: data.campaignId, themeId: theme.id }, notes: [ctx.t("themes.added", { count: reg.themes.length })] };
      },
    },
    key_task: themeField("keyTask", LIMITS.keyTask, "themes.ask_key_task", "themes.renamed", "responsible"),
    responsible: themeField("responsible", LIMITS.responsible, "themes.ask_responsible", "themes.renamed", "indicator"),
    indicator: {
      async prompt(ctx, data) {
        const theme = await themeOf(ctx, data);
        return { text: ctx.t("themes.ask_indicator", { n: theme.targets.length + 1, title: theme.title, min: LIMITS.indicator.min, max: LIMITS.indicator.max }) };
      },
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.indicator);
        if (!r.ok) return r.outcome;
        return { next: "measure", data: { ...data, indicator: r.value } };
      },
    },
    measure: {
      prompt: (ctx, data) => ({ text: ctx.t("themes.ask_measure", { indicator: data.indicator ?? "", max: LIMITS.measure.max }) }),
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.measure);
        if (!r.ok) return r.outcome;
        return { next: "planned", data: { ...data, measure: r.value } };
      },
    },
    planned: {
      prompt: (ctx, data) => ({ text: ctx.t("themes.ask_planned", { indicator: data.indicator ?? "", measure: data.measure ?? "", example: formatDecimal(1250.5, ctx.locale) }) }),
      async text(ctx, data, text) {
        const parsed = parseDecimal(text, ctx.locale);
        if (!parsed.ok) return { retry: ctx.t(`input.decimal_${parsed.reason}`, { example: formatDecimal(5.5, ctx.locale), example2: formatDecimal(1250, ctx.locale) }) };
        const { unit, campaign } = await loadScope(ctx, data);
        const reg = await addTarget(envOf(ctx), unit, campaign, data.themeId!, { indicator: data.indicator!, measure: data.measure!, planned: parsed.value });
        const count = reg.themes.find((th) => th.id === data.themeId)?.targets.length ?? 0;
        return { next: "more", data: { ...data, indicator: undefined, measure: undefined }, notes: [ctx.t("themes.target_added", { count })] };
      },
    },
    more: {
      async prompt(ctx, data) {
        const theme = await themeOf(ctx, data);
        const choices = [];
        if (theme.targets.length < LIMITS.maxTargets) choices.push({ value: MORE, label: ctx.t("themes.action.more_target") });
        choices.push({ value: DONE, label: ctx.t("themes.action.done") });
        return { text: `${ctx.t("themes.ask_more_targets")}\n${themeView(ctx, theme)}`, choices };
      },
      choose(_ctx, data, value) {
        if (value === MORE) return { next: "indicator", data };
        return data.editing ? toTheme(data) : toMenu(data);
      },
    },
    pick_edit: {
      prompt: async (ctx, data) => ({ text: ctx.t("themes.ask_which_edit"), choices: await themeChoices(ctx, data) }),
      choose: (_ctx, data, value) => (value === BACK ? toMenu(data) : toTheme({ ...data, themeId: Number(value) })),
    },
    edit_theme: {
      async prompt(ctx, data) {
        const theme = await themeOf(ctx, data);
        const choices = [
          { value: "title", label: ctx.t("themes.action.edit_title") },
          { value: "key_task", label: ctx.t("themes.action.edit_key_task") },
          { value: "responsible", label: ctx.t("themes.action.edit_responsible") },
        ];
        if (theme.targets.length < LIMITS.maxTargets) choices.push({ value: "add_target", label: ctx.t("themes.action.add_target") });
        if (theme.targets.length) choices.push({ value: "remove_target", label: ctx.t("themes.action.remove_target") });
        choices.push({ value: DONE, label: ctx.t("themes.action.done") });
        return { text: `${ctx.t("themes.edit_menu")}\n${themeView(ctx, theme)}`, choices };
      },
      choose(_ctx, data, value) {
        switch (value) {
          case "title":
            return { next: "retitle", data };
          case "key_task":
          case "responsible":
            return { next: value, data };
          case "add_target":
            return { next: "indicator", data };
          case "remove_target":
            return { next: "pick_target_remove", data };
          default:
            return toMenu(data);
        }
      },
    },
    retitle: {
      async prompt(ctx, data) {
        const theme = await themeOf(ctx, data);
        return { text: ctx.t("themes.ask_retitle", { title: theme.title, max: LIMITS.themeTitle.max }) };
      },
      async text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.themeTitle);
        if (!r.ok) return r.outcome;
        const { unit, campaign } = await loadScope(ctx, data);
        await updateTheme(envOf(ctx), unit, campaign, data.themeId!, { title: r.value });
        return toTheme(data, [ctx.t("themes.renamed")]);
      },
    },
    pick_target_remove: {
      async prompt(ctx, data) {
        const theme = await themeOf(ctx, data);
        return {
          text: ctx.t("themes.ask_which_target_remove"),
          choices: [
            ...theme.targets.map((tg) => ({ value: String(tg.id), label: excerpt(`${tg.indicator} — ${formatDecimal(tg.planned, ctx.locale)} ${tg.measure}`, 60) })),
            { value: BACK, label: ctx.t("common.back") },
          ],
        };
      },
      async choose(ctx, data, value) {
        if (value === BACK) return toTheme(data);
        const { unit, campaign } = await loadScope(ctx, data);
        const reg = await removeTarget(envOf(ctx), unit, campaign, data.themeId!, Number(value));
        const count = reg.themes.find((th) => th.id === data.themeId)?.targets.length ?? 0;
        return toTheme(data, [ctx.t("themes.target_removed", { count })]);
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
        // Where it will wait: the upper unit, or the next one when the upper unit lets items pass.
        const to = await destinationOf(envOf(ctx), unit);
        return { text: ctx.t("themes.confirm", { count: reg.themes.length, holder: to?.name ?? "—" }), choices: yesNo(ctx, "themes.action.send", "common.back") };
      },
      async choose(ctx, data, value) {
        if (value !== YES) return toMenu(data);
        const { unit, campaign } = await loadScope(ctx, data);
        const reg = await submitRegistration(envOf(ctx), unit, campaign);
        const holder = await holderOf(ctx, reg.atUnitId);
        const sent = ctx.t("themes.submitted", { count: reg.themes.length, unit: unit.name, holder: holder?.unit.name ?? "—", context: lateContext(reg.late, campaign) });
        return { end: [{ text: withHolder(ctx, sent, holder) }] };
      },
    },
  },
};
