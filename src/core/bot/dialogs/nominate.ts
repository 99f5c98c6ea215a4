/**
 * /tonvinh: nominate an exemplary person or collective — who, their position and
 * workplace, whether the person works directly in production (the plan gives them
 * priority), for which phase, the achievement and the proposed commendation form. A
 * returned nomination is amended here in full: the same questions, prefilled, reached from
 * a menu that shows the reason and the nomination as it will go up again.
 */
import { z } from "zod";
import { excerpt } from "../../format.js";
import { LIMITS } from "../../limits.js";
import type { Nomination, NomineeKind, Phase, Unit } from "../../model.js";
import { nominate, resubmitNomination } from "../../usecases/awards.js";
import { proposableForms } from "../../usecases/review.js";
import type { Ctx } from "../context.js";
import type { DialogDef, Outcome } from "../dialog.js";
import { envOf } from "../env-of.js";
import { holderOf, nominationView, phaseLabel, withHolder } from "../views.js";
import { actsForUnit, loadScope, readText, YES, yesNo } from "./common.js";

const schema = z.object({
  unitId: z.number().int(),
  campaignId: z.number().int(),
  kind: z.enum(["PERSON", "COLLECTIVE"]).optional(),
  name: z.string().optional(),
  position: z.string().nullable().optional(),
  directWorker: z.boolean().optional(),
  phaseId: z.number().int().nullable().optional(),
  achievement: z.string().optional(),
  formId: z.number().int().optional(),
  /** Set while amending a returned nomination: every answer goes back to the amend menu. */
  nominationId: z.number().int().optional(),
});
type Data = z.infer<typeof schema>;

const WHOLE_YEAR = "year";
const SKIP = "skip";
const CANCEL = "cancel";
const RESEND = "resend";
const FIELDS = ["kind", "name", "position", "worker", "phase", "achievement", "form"] as const;

async function returned(ctx: Ctx, data: Pick<Data, "unitId" | "campaignId">) {
  return (await ctx.tx.nominationsOf(data.unitId, data.campaignId)).filter((n) => n.status === "RETURNED");
}

async function formsFor(ctx: Ctx, unit: Unit, kind: NomineeKind) {
  return proposableForms(envOf(ctx), unit, kind);
}

/** Amending: back to the menu; a new nomination: on to the next question. */
const onwards = (data: Data, next: string): Outcome<Data> => ({ next: data.nominationId ? "amend" : next, data });

/** "Now: …" under a question asked again while amending. */
function withCurrent(ctx: Ctx, data: Data, question: string, value: string | null | undefined): string {
  return data.nominationId && value ? `${question}\n${ctx.t("nominate.current", { value })}` : question;
}

/** The nomination as the answers so far describe it, for the preview. */
async function preview(ctx: Ctx, data: Data, unit: Unit): Promise<string> {
  const form = (await ctx.tx.commendationForms()).find((f) => f.id === data.formId);
  const phase = data.phaseId ? await ctx.tx.getPhase(data.phaseId) : null;
  const draft: Nomination = {
    id: data.nominationId ?? 0,
    unitId: unit.id,
    campaignId: data.campaignId,
    phaseId: data.phaseId ?? null,
    nomineeKind: data.kind!,
    nomineeName: data.name!,
    position: data.kind === "PERSON" ? (data.position ?? null) : null,
    achievement: data.achievement!,
    directWorker: data.kind === "PERSON" && (data.directWorker ?? false),
    formId: data.formId!,
    status: "DRAFT",
    submittedById: null,
    submittedAt: ctx.now,
    decidedAt: null,
    returnReason: null,
    atUnitId: null,
    grantedFormId: null,
    grantedByUnitId: null,
    decisionNumber: null,
    decisionDate: null,
  };
  return nominationView(ctx, unit, draft, form, phase);
}

function inputOf(data: Data, phase: Phase | null) {
  return {
    nomineeKind: data.kind!,
    nomineeName: data.name!,
    position: data.kind === "PERSON" ? (data.position ?? null) : null,
    achievement: data.achievement!,
    directWorker: data.kind === "PERSON" && (data.directWorker ?? false),
    phase,
    formId: data.formId!,
  };
}

export const nominateDialog: DialogDef<Data> = {
  name: "nominate",
  schema,
  guard: actsForUnit,
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
        return {
          next: "amend",
          data: {
            unitId: data.unitId,
            campaignId: data.campaignId,
            nominationId: n.id,
            kind: n.nomineeKind,
            name: n.nomineeName,
            position: n.position,
            directWorker: n.directWorker,
            phaseId: n.phaseId,
            achievement: n.achievement,
            formId: n.formId,
          },
        };
      },
    },
    amend: {
      async prompt(ctx, data) {
        const { unit } = await loadScope(ctx, data);
        const n = await ctx.tx.getNomination(data.nominationId!);
        const person = data.kind === "PERSON";
        return {
          text: [ctx.t("nominate.amend_menu", { name: n?.nomineeName ?? data.name ?? "", reason: n?.returnReason ?? "" }), await preview(ctx, data, unit)].join("\n"),
          choices: [
            ...FIELDS.filter((f) => person || (f !== "position" && f !== "worker")).map((f) => ({ value: f, label: ctx.t(`nominate.edit.${f}`) })),
            { value: RESEND, label: ctx.t("nominate.action.resend") },
            { value: CANCEL, label: ctx.t("common.cancel") },
          ],
        };
      },
      async choose(ctx, data, value) {
        if (value === CANCEL) return { end: [{ text: ctx.t("cancel.done") }] };
        if (value !== RESEND) return { next: value, data };
        const { unit, campaign } = await loadScope(ctx, data);
        // The form may no longer be one the unit can propose (the tree changed): choose again.
        if (!(await formsFor(ctx, unit, data.kind!)).some((f) => f.id === data.formId)) return { next: "form", data };
        const phase = data.phaseId ? (campaign.phases.find((p) => p.id === data.phaseId) ?? null) : null;
        const n = await resubmitNomination(envOf(ctx), unit, campaign, data.nominationId!, inputOf(data, phase));
        const holder = await holderOf(ctx, n.atUnitId);
        return { end: [{ text: withHolder(ctx, ctx.t("nominate.resubmitted", { name: n.nomineeName, holder: holder?.unit.name ?? "—" }), holder) }] };
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
      async choose(ctx, data, value) {
        const kind = value as NomineeKind;
        if (!data.nominationId) return { next: "name", data: { ...data, kind } };
        // Amending: a collective has no position and is no production worker; its forms differ.
        const next: Data = { ...data, kind, ...(kind === "COLLECTIVE" && { position: null, directWorker: false }) };
        const { unit } = await loadScope(ctx, data);
        const fits = (await formsFor(ctx, unit, kind)).some((f) => f.id === data.formId);
        return { next: fits ? "amend" : "form", data: next };
      },
    },
    name: {
      prompt: (ctx, data) => ({ text: withCurrent(ctx, data, ctx.t(`nominate.ask_name_${data.kind}`, { max: LIMITS.nomineeName.max }), data.name) }),
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.nomineeName);
        if (!r.ok) return r.outcome;
        if (data.nominationId) return { next: "amend", data: { ...data, name: r.value } };
        return { next: data.kind === "PERSON" ? "position" : "phase", data: { ...data, name: r.value, position: null, directWorker: false } };
      },
    },
    position: {
      prompt: (ctx, data) => ({
        text: withCurrent(ctx, data, ctx.t("nominate.ask_position", { max: LIMITS.position.max }), data.position),
        choices: [{ value: SKIP, label: ctx.t("nominate.action.skip") }],
      }),
      choose: (_ctx, data) => onwards({ ...data, position: null }, "worker"),
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.position);
        if (!r.ok) return r.outcome;
        return onwards({ ...data, position: r.value }, "worker");
      },
    },
    worker: {
      prompt: (ctx) => ({ text: ctx.t("nominate.ask_worker"), choices: yesNo(ctx) }),
      choose: (_ctx, data, value) => onwards({ ...data, directWorker: value === YES }, "phase"),
    },
    phase: {
      async prompt(ctx, data) {
        const { campaign } = await loadScope(ctx, data);
        return {
          text: ctx.t("nominate.ask_phase"),
          choices: [...campaign.phases.map((p) => ({ value: String(p.id), label: phaseLabel(ctx, p) })), { value: WHOLE_YEAR, label: ctx.t("nominate.whole_year") }],
        };
      },
      choose: (_ctx, data, value) => onwards({ ...data, phaseId: value === WHOLE_YEAR ? null : Number(value) }, "achievement"),
    },
    achievement: {
      prompt: (ctx, data) => ({
        text: withCurrent(ctx, data, ctx.t("nominate.ask_achievement", { min: LIMITS.achievement.min, max: LIMITS.achievement.max }), data.achievement && excerpt(data.achievement, 300)),
      }),
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, LIMITS.achievement);
        if (!r.ok) return r.outcome;
        return onwards({ ...data, achievement: r.value }, "form");
      },
    },
    form: {
      async prompt(ctx, data) {
        const { unit } = await loadScope(ctx, data);
        const forms = await formsFor(ctx, unit, data.kind!);
        if (!forms.length) return { text: ctx.t("nominate.no_forms"), choices: [{ value: CANCEL, label: ctx.t("common.cancel") }] };
        return { text: ctx.t("nominate.ask_form"), choices: forms.map((f) => ({ value: String(f.id), label: ctx.locale === "vi" ? f.nameVi : f.nameEn })) };
      },
      choose(ctx, data, value) {
        if (value === CANCEL) return { end: [{ text: ctx.t("cancel.done") }] };
        return onwards({ ...data, formId: Number(value) }, "confirm");
      },
    },
    confirm: {
      async prompt(ctx, data) {
        const { unit } = await loadScope(ctx, data);
        return { text: `${ctx.t("nominate.confirm")}\n${await preview(ctx, data, unit)}`, choices: yesNo(ctx, "nominate.action.send", "common.cancel") };
      },
      async choose(ctx, data, value) {
        if (value !== YES) return { end: [{ text: ctx.t("cancel.done") }] };
        const { unit, campaign } = await loadScope(ctx, data);
        const phase = data.phaseId ? (campaign.phases.find((p) => p.id === data.phaseId) ?? null) : null;
        const n = await nominate(envOf(ctx), unit, campaign, inputOf(data, phase));
        const holder = await holderOf(ctx, n.atUnitId);
        return { end: [{ text: withHolder(ctx, ctx.t("nominate.submitted", { name: n.nomineeName, unit: unit.name, holder: holder?.unit.name ?? "—" }), holder) }] };
      },
    },
  },
};

/** Start at the menu only when something was returned; otherwise go straight to a new nomination. */
export async function nominateStep(ctx: Ctx, unitId: number, campaignId: number): Promise<string> {
  return (await returned(ctx, { unitId, campaignId })).length ? "menu" : "kind";
}
