/**
 * /xuat: the documents of the acting unit for the campaign, offered as choices — the
 * spreadsheet, each started phase's report (sơ kết), the year report (tổng kết), the reward
 * proposal list as .docx or .xlsx. For a report the officer gives the document's number and
 * the signer ("…" leaves them to fill by hand) and may rewrite the direction for what comes
 * next (drawn from the units' narratives) before the file is made.
 */
import { z } from "zod";
import { exportDocument, gatherMovement, defaultDirection, type DocumentKind } from "../../usecases/documents.js";
import { exportReports } from "../../usecases/progress.js";
import type { DialogDef } from "../dialog.js";
import { envOf } from "../env-of.js";
import type { Ctx } from "../context.js";
import { loadScope, readText } from "./common.js";

const schema = z.object({
  unitId: z.number().int(),
  campaignId: z.number().int(),
  /** "report" with a phase ordinal, or the year (0). */
  phase: z.number().int().nullable().optional(),
  number: z.string().optional(),
  signer: z.string().optional(),
  direction: z.string().optional(),
});
type Data = z.infer<typeof schema>;

const KEEP = "keep";
const BLANK = "blank";

async function make(ctx: Ctx, data: Data, kind: DocumentKind) {
  const { unit, campaign } = await loadScope(ctx, data);
  const phase = data.phase ? (campaign.phases.find((p) => p.ordinal === data.phase) ?? null) : null;
  const file = await exportDocument(envOf(ctx), { unit, campaign, phase, kind, options: { number: data.number, signer: data.signer, direction: data.direction } }, { document: ctx.deps.documents, spreadsheet: ctx.deps.spreadsheet }, ctx.locale);
  return { end: [{ text: ctx.t(`doc.ready.${kind}`, { unit: unit.name, year: campaign.year, ordinal: phase?.ordinal ?? "" }), file: { id: file.id, name: file.name } }] };
}

export const exportDialog: DialogDef<Data> = {
  name: "export",
  schema,
  steps: {
    what: {
      async prompt(ctx, data) {
        const { unit, campaign } = await loadScope(ctx, data);
        const started = campaign.phases.filter((p) => p.startsOn <= ctx.today);
        return {
          text: ctx.t("doc.ask_what", { unit: unit.name, year: campaign.year }),
          choices: [
            { value: "sheet", label: ctx.t("doc.choice.sheet") },
            ...started.map((p) => ({ value: `report:${p.ordinal}`, label: ctx.t("doc.choice.report_phase", { ordinal: p.ordinal }) })),
            { value: "report:0", label: ctx.t("doc.choice.report_year", { year: campaign.year }) },
            { value: "rewards", label: ctx.t("doc.choice.rewards") },
            { value: "rewards_sheet", label: ctx.t("doc.choice.rewards_sheet") },
            { value: "cancel", label: ctx.t("common.cancel") },
          ],
        };
      },
      async choose(ctx, data, value) {
        if (value === "sheet") {
          const { unit, campaign } = await loadScope(ctx, data);
          const file = await exportReports(envOf(ctx), unit, campaign, ctx.deps.spreadsheet, ctx.locale);
          return { end: [{ text: ctx.t("export.ready", { unit: unit.name, year: campaign.year }), file: { id: file.id, name: file.name } }] };
        }
        if (value === "rewards" || value === "rewards_sheet") return make(ctx, { ...data, phase: null }, value);
        if (value.startsWith("report:")) return { next: "number", data: { ...data, phase: Number(value.slice(7)) } };
        return { end: [{ text: ctx.t("cancel.done") }] };
      },
    },
    number: {
      prompt: (ctx) => ({ text: ctx.t("doc.ask_number"), choices: [{ value: BLANK, label: ctx.t("doc.choice.blank") }] }),
      choose: (_ctx, data) => ({ next: "signer", data: { ...data, number: "…" } }),
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, { min: 1, max: 20 });
        return r.ok ? { next: "signer", data: { ...data, number: r.value } } : r.outcome;
      },
    },
    signer: {
      prompt: (ctx) => ({ text: ctx.t("doc.ask_signer"), choices: [{ value: BLANK, label: ctx.t("doc.choice.blank") }] }),
      choose: (_ctx, data) => ({ next: "direction", data: { ...data, signer: "…" } }),
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, { min: 2, max: 100 });
        return r.ok ? { next: "direction", data: { ...data, signer: r.value } } : r.outcome;
      },
    },
    direction: {
      async prompt(ctx, data) {
        const { unit, campaign } = await loadScope(ctx, data);
        const phase = data.phase ? (campaign.phases.find((p) => p.ordinal === data.phase) ?? null) : null;
        const text = data.direction ?? defaultDirection(await gatherMovement(envOf(ctx), unit, campaign, phase));
        return { text: ctx.t("doc.ask_direction", { text: text || ctx.t("doc.report.none") }), choices: [{ value: KEEP, label: ctx.t("doc.choice.keep") }, { value: "cancel", label: ctx.t("common.cancel") }] };
      },
      choose: (ctx, data, value) => (value === KEEP ? make(ctx, data, "report") : { end: [{ text: ctx.t("cancel.done") }] }),
      async text(ctx, data, text) {
        const r = readText<Data>(ctx, text, { min: 5, max: 3000 });
        return r.ok ? make(ctx, { ...data, direction: r.value }, "report") : r.outcome;
      },
    },
  },
};
