/**
 * /tonvinh: nominate an exemplary person or collective — who, whether the person works
 * directly in production (the plan gives them priority), for which phase, the achievement
 * and the proposed commendation form. Returned nominations are amended here.
 */
import { z } from "zod";
import { excerpt } from "../../format.js";
import { LIMITS } from "../../limits.js";
import type { NomineeKind } from "../../model.js";
import { nominate, resubmitNomination } from "../../usecases/awards.js";
import type { Ctx } from "../context.js";
import type { DialogDef } from "../dialog.js";
import { envOf } from "../env-of.js";
import { nominationView, phaseLabel } from "../views.js";
import { loadScope, readText, YES, yesNo } from "./common.js";

const schema = z.object({
  unitId: z.number().int(),
  campaignId: z.number().int(),
  kind: z.enum(["PERSON", "COLLECTIVE"]).optional(),
  name: z.string().optional(),
  directWorker: z.boolean().optional(),
  phaseId: z.number().int().nullable().optional(),
  achievement: z.string().optional(),
  formId: z.number().int().optional(),
  nominationId: z.number().int().optional(),
});
type Data = z.infer<typeof schema>;

const WHOLE_YEAR = "year";

async function returned(ctx: Ctx, data: Data) {
  return (await ctx.tx.nominationsOf(data.unitId, data.campaignId)).filter((n) => n.status === "RETURNED");
}

async function formsFor(ctx: Ctx, kind: NomineeKind) {
  return (await ctx.tx.commendationForms()).filter((f) => (kind === "PERSON" ? f.forPerson : f.forCollective));
}

export const nominateDialog: DialogDef<Data> = {
  name: "nominate",
  schema,
  steps: {
    menu: {
      async prompt(ctx, data) {
        const back = await returned(ctx, data);
        const { unit } = await loadScope(ctx, data);
        return {
          text: ctx.t("nominate.menu", { unit: unit.name, returned: back.length }),
          choices: [
            { value: "new", label: ctx.t("nominate.action.new") },
            ...back.map((n) => ({ value: String(n.id), label: ctx.t("nominate.action.amend", { name: excerpt(n.nomineeName, 40) }) })),
          ],
        };
      },
      async choose(ctx, data, value) {
        if (value === "new") return { next: "kind", data };
        const n = (await returned(ctx, data)).find((x) => String(x.id) === value);
        if (!n) return { retry: ctx.t("errors.stale_state") };
        return { next: "amend", data: { ...data, nominationId: n.id } };
      },
    },
    amend: {
      async prompt(ctx, data) {
        const n = await ctx.tx.getNomination(data.nominationId!);
        return { text: ctx.t("nominate.ask_amend", { name: n?.nomineeName ?? "", reason: n?.returnReason ?? "", max: LIMITS.achievement.max }) };
      },
      async text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.achievement);
        if (!r.ok) return r.outcome;
        const { unit } = await loadScope(ctx, data);
        const n = await resubmitNomination(envOf(ctx), unit, data.nominationId!, r.value);
        return { end: [{ text: ctx.t("nominate.resubmitted", { name: n.nomineeName }) }] };
      },
    },
    kind: {
      prompt: (ctx) => ({
        text: ctx.t("nominate.ask_kind"),
        choices: [
          { value: "PERSON", label: ctx.t("nominate.kind.PERSON") },
          { value: "COLLECTIVE", label: ctx.t("nominate.kind.COLLECTIVE") },
        ],
      }),
      choose: (_ctx, data, value) => ({ next: "name", data: { ...data, kind: value as NomineeKind } }),
    },
    name: {
      prompt: (ctx, data) => ({ text: ctx.t(`nominate.ask_name_${data.kind}`, { max: LIMITS.nomineeName.max }) }),
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.nomineeName);
        if (!r.ok) return r.outcome;
        return { next: data.kind === "PERSON" ? "worker" : "phase", data: { ...data, name: r.value, directWorker: false } };
      },
    },
    worker: {
      prompt: (ctx) => ({ text: ctx.t("nominate.ask_worker"), choices: yesNo(ctx) }),
      choose: (_ctx, data, value) => ({ next: "phase", data: { ...data, directWorker: value === YES } }),
    },
    phase: {
      async prompt(ctx, data) {
        const { campaign } = await loadScope(ctx, data);
        return {
          text: ctx.t("nominate.ask_phase"),
          choices: [...campaign.phases.map((p) => ({ value: String(p.id), label: phaseLabel(ctx, p) })), { value: WHOLE_YEAR, label: ctx.t("nominate.whole_year") }],
        };
      },
      choose: (_ctx, data, value) => ({ next: "achievement", data: { ...data, phaseId: value === WHOLE_YEAR ? null : Number(value) } }),
    },
    achievement: {
      prompt: (ctx) => ({ text: ctx.t("nominate.ask_achievement", { min: LIMITS.achievement.min, max: LIMITS.achievement.max }) }),
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.achievement);
        if (!r.ok) return r.outcome;
        return { next: "form", data: { ...data, achievement: r.value } };
      },
    },
    form: {
      async prompt(ctx, data) {
        const forms = await formsFor(ctx, data.kind!);
        return { text: ctx.t("nominate.ask_form"), choices: forms.map((f) => ({ value: String(f.id), label: ctx.locale === "vi" ? f.nameVi : f.nameEn })) };
      },
      choose: (_ctx, data, value) => ({ next: "confirm", data: { ...data, formId: Number(value) } }),
    },
    confirm: {
      async prompt(ctx, data) {
        const { unit } = await loadScope(ctx, data);
        const form = (await ctx.tx.commendationForms()).find((f) => f.id === data.formId);
        const phase = data.phaseId ? await ctx.tx.getPhase(data.phaseId) : null;
        const preview = nominationView(
          ctx,
          unit,
          {
            id: 0,
            unitId: unit.id,
            campaignId: data.campaignId,
            phaseId: data.phaseId ?? null,
            nomineeKind: data.kind!,
            nomineeName: data.name!,
            achievement: data.achievement!,
            directWorker: data.directWorker ?? false,
            formId: data.formId!,
            status: "DRAFT",
            submittedById: null,
            submittedAt: ctx.now,
            decidedAt: null,
            returnReason: null,
            position: null,
            atUnitId: null,
            grantedFormId: null,
            grantedByUnitId: null,
            decisionNumber: null,
            decisionDate: null,
          },
          form,
          phase,
        );
        return { text: `${ctx.t("nominate.confirm")}\n${preview}`, choices: yesNo(ctx, "nominate.action.send", "common.cancel") };
      },
      async choose(ctx, data, value) {
        if (value !== YES) return { end: [{ text: ctx.t("cancel.done") }] };
        const { unit, campaign } = await loadScope(ctx, data);
        const phase = data.phaseId ? campaign.phases.find((p) => p.id === data.phaseId) ?? null : null;
        const n = await nominate(envOf(ctx), unit, campaign, {
          nomineeKind: data.kind!,
          nomineeName: data.name!,
          achievement: data.achievement!,
          directWorker: data.directWorker ?? false,
          phase,
          formId: data.formId!,
        });
        return { end: [{ text: ctx.t("nominate.submitted", { name: n.nomineeName, unit: unit.name }) }] };
      },
    },
  },
};

/** Start at the menu only when something was returned; otherwise go straight to a new nomination. */
export async function nominateStep(ctx: Ctx, unitId: number, campaignId: number): Promise<string> {
  return (await returned(ctx, { unitId, campaignId })).length ? "menu" : "kind";
}
