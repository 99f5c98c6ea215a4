/**
 * /xuat: the documents of the acting unit for the campaign, offered as choices — the
 * spreadsheet, each started phase's report (sơ kết), the year report (tổng kết), and the
 * reward proposal list of each started phase or of the year, as .docx (attached to a Tờ
 * trình) or .xlsx. For a .docx the officer gives the number (the report's own, or the Tờ
 * trình's: shown as it will print, "…/BC-CĐHC"; a full "12/BC-CĐHC" also sets the unit's
 * abbreviation), the place (the unit's, offered as a button; one typed is the unit's from
 * then on) and the signer ("…" leaves number and signer to fill by hand); for a report the
 * officer may also rewrite the direction for what comes next (drawn from the units'
 * narratives) before the file is made.
 */
import { z } from "zod";
import { documentDateParts, exportDocument, gatherMovement, defaultDirection, KIND_CODE, unitAbbreviation, type DocumentKind } from "../../usecases/documents.js";
import { readAbbreviation, readPlace, setUnitDetails } from "../../usecases/units.js";
import { exportReports } from "../../usecases/progress.js";
import type { Campaign } from "../../model.js";
import type { DialogDef, Outcome } from "../dialog.js";
import { envOf } from "../env-of.js";
import type { Ctx } from "../context.js";
import { actsForUnit, loadScope, readText } from "./common.js";

const schema = z.object({
  unitId: z.number().int(),
  campaignId: z.number().int(),
  /** The paper: the report, or the reward list (.docx). Absent in dialogs begun before the list had a period: the report. */
  kind: z.enum(["report", "rewards"]).optional(),
  /** A phase ordinal, or the year (0). */
  phase: z.number().int().nullable().optional(),
  number: z.string().optional(),
  /** Typed for this document; also remembered as the unit's. */
  place: z.string().optional(),
  signer: z.string().optional(),
  direction: z.string().optional(),
});
type Data = z.infer<typeof schema>;

const KEEP = "keep";
const BLANK = "blank";
const DOCX = "docx";
const XLSX = "xlsx";
const CANCEL = "cancel";

/** What a typed number may be: "12", "12a", "05.1"; not a whole "12/BC-…" (read apart). */
const NUMBER = /^[\p{L}\p{N}][\p{L}\p{N}.]{0,9}$/u;

const phaseOf = (campaign: Campaign, data: Data) => (data.phase ? (campaign.phases.find((p) => p.ordinal === data.phase) ?? null) : null);

/** "Đợt 1 năm 2026" or "năm 2026". */
function periodName(ctx: Ctx, campaign: Campaign, data: Data): string {
  return data.phase ? ctx.t("doc.period_name_phase", { ordinal: data.phase, year: campaign.year }) : ctx.t("doc.period_name_year", { year: campaign.year });
}

async function make(ctx: Ctx, data: Data, kind: DocumentKind): Promise<Outcome<Data>> {
  const { unit, campaign } = await loadScope(ctx, data);
  const phase = phaseOf(campaign, data);
  const file = await exportDocument(envOf(ctx), { unit, campaign, phase, kind, options: { number: data.number, place: data.place, signer: data.signer, direction: data.direction } }, { document: ctx.deps.documents, spreadsheet: ctx.deps.spreadsheet }, ctx.locale);
  return { end: [{ text: ctx.t(`doc.ready.${kind}`, { unit: unit.name, period: periodName(ctx, campaign, data) }), file: { id: file.id, name: file.name } }] };
}

/** After the signer: the report asks for its direction; the reward list is made. */
const afterSigner = (ctx: Ctx, data: Data): Promise<Outcome<Data>> | Outcome<Data> => (data.kind === "rewards" ? make(ctx, data, "rewards") : { next: "direction", data });

export const exportDialog: DialogDef<Data> = {
  name: "export",
  schema,
  guard: actsForUnit,
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
            ...started.map((p) => ({ value: `rewards:${p.ordinal}`, label: ctx.t("doc.choice.rewards_phase", { ordinal: p.ordinal }) })),
            { value: "rewards:0", label: ctx.t("doc.choice.rewards_year", { year: campaign.year }) },
            { value: CANCEL, label: ctx.t("common.cancel") },
          ],
        };
      },
      async choose(ctx, data, value) {
        if (value === "sheet") {
          const { unit, campaign } = await loadScope(ctx, data);
          const file = await exportReports(envOf(ctx), unit, campaign, ctx.deps.spreadsheet, ctx.locale);
          return { end: [{ text: ctx.t("export.ready", { unit: unit.name, year: campaign.year }), file: { id: file.id, name: file.name } }] };
        }
        const m = /^(report|rewards):(\d+)$/.exec(value);
        if (m) return { next: m[1] === "report" ? "number" : "format", data: { ...data, kind: m[1] as "report" | "rewards", phase: Number(m[2]) } };
        return { end: [{ text: ctx.t("cancel.done") }] };
      },
    },
    format: {
      async prompt(ctx, data) {
        const { campaign } = await loadScope(ctx, data);
        return {
          text: ctx.t("doc.ask_format", { period: periodName(ctx, campaign, data) }),
          choices: [
            { value: DOCX, label: ctx.t("doc.choice.rewards") },
            { value: XLSX, label: ctx.t("doc.choice.rewards_sheet") },
            { value: CANCEL, label: ctx.t("common.cancel") },
          ],
        };
      },
      choose(ctx, data, value) {
        if (value === DOCX) return { next: "number", data };
        if (value === XLSX) return make(ctx, data, "rewards_sheet");
        return { end: [{ text: ctx.t("cancel.done") }] };
      },
    },
    number: {
      async prompt(ctx, data) {
        const { unit } = await loadScope(ctx, data);
        const kind = KIND_CODE[data.kind ?? "report"];
        return { text: ctx.t(data.kind === "rewards" ? "doc.ask_number_rewards" : "doc.ask_number", { form: `…/${kind}-${unitAbbreviation(unit)}`, kind }), choices: [{ value: BLANK, label: ctx.t("doc.choice.blank") }] };
      },
      choose: (_ctx, data) => ({ next: "place", data: { ...data, number: "…" } }),
      // "12", or "12/BC-CĐHC": a whole number with another abbreviation is the unit's from now on.
      async text(ctx, data, text) {
        const kind = KIND_CODE[data.kind ?? "report"];
        const m = /^\s*([^/\s]+)\s*(?:\/\s*([^-\s]+)\s*-\s*(\S+)\s*)?$/u.exec(text);
        const abbreviation = m?.[3] ? readAbbreviation(m[3]) : null;
        if (!m || !NUMBER.test(m[1]!) || (m[2] !== undefined && (m[2].toLowerCase() !== kind.toLowerCase() || !abbreviation))) return { retry: ctx.t("doc.bad_number", { kind }) };
        if (abbreviation) await setUnitDetails(envOf(ctx), (await loadScope(ctx, data)).unit, { abbreviation });
        return { next: "place", data: { ...data, number: m[1]! } };
      },
    },
    place: {
      async prompt(ctx, data) {
        const { unit } = await loadScope(ctx, data);
        const place = unit.place ?? ctx.t("doc.place_default");
        return { text: ctx.t("doc.ask_place", { line: ctx.t("doc.date_line", { place, ...documentDateParts(ctx.today) }) }), choices: [{ value: KEEP, label: place }] };
      },
      choose: (_ctx, data) => ({ next: "signer", data }),
      async text(ctx, data, text) {
        const place = readPlace(text);
        if (!place) return { retry: ctx.t("doc.bad_place") };
        await setUnitDetails(envOf(ctx), (await loadScope(ctx, data)).unit, { place });
        return { next: "signer", data: { ...data, place } };
      },
    },
    signer: {
      prompt: (ctx) => ({ text: ctx.t("doc.ask_signer"), choices: [{ value: BLANK, label: ctx.t("doc.choice.blank") }] }),
      choose: (ctx, data) => afterSigner(ctx, { ...data, signer: "…" }),
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, { min: 2, max: 100 });
        return r.ok ? afterSigner(ctx, { ...data, signer: r.value }) : r.outcome;
      },
    },
    direction: {
      async prompt(ctx, data) {
        const { unit, campaign } = await loadScope(ctx, data);
        const text = data.direction ?? defaultDirection(await gatherMovement(envOf(ctx), unit, campaign, phaseOf(campaign, data)));
        return { text: ctx.t("doc.ask_direction", { text: text || ctx.t("doc.report.none") }), choices: [{ value: KEEP, label: ctx.t("doc.choice.keep") }, { value: CANCEL, label: ctx.t("common.cancel") }] };
      },
      choose: (ctx, data, value) => (value === KEEP ? make(ctx, data, "report") : { end: [{ text: ctx.t("cancel.done") }] }),
      async text(ctx, data, text) {
        const r = readText<Data>(ctx, text, { min: 5, max: 3000 });
        return r.ok ? make(ctx, { ...data, direction: r.value }, "report") : r.outcome;
      },
    },
  },
};
