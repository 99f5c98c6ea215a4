/**
 * /hoso: what a unit has sent up this year — its registration, reports, proposals for
 * rewards and works — each with where it waits now and its whole path (each level's
 * decision, who, when, and note), so the sender never has to ask the level above.
 */
import { z } from "zod";
import { excerpt } from "../../format.js";
import type { SubjectType } from "../../model.js";
import type { Ctx } from "../context.js";
import type { DialogDef } from "../dialog.js";
import { holderOf, statusLabel, withHolder } from "../views.js";
import { actsForUnit, BACK, loadUnit } from "./common.js";
import { details, pathView } from "./review.js";

const schema = z.object({
  unitId: z.number().int(),
  campaignId: z.number().int(),
  type: z.enum(["REGISTRATION", "REPORT", "NOMINATION", "WORK"]).optional(),
  id: z.number().int().optional(),
});
type Data = z.infer<typeof schema>;

const CLOSE = "close";
/** Items offered at once; the newest first. */
const MAX_ITEMS = 20;

interface Sent {
  type: SubjectType;
  id: number;
  label: string;
  atUnitId: number | null;
}

/** Everything the unit has sent up in the campaign (drafts stay out). */
async function sentItems(ctx: Ctx, data: Data): Promise<Sent[]> {
  const campaign = (await ctx.tx.getCampaign(data.campaignId))!;
  const items: Sent[] = [];
  const reg = await ctx.tx.getRegistration(data.unitId, data.campaignId);
  if (reg && reg.status !== "DRAFT") {
    items.push({ type: "REGISTRATION", id: reg.id, atUnitId: reg.atUnitId, label: ctx.t("records.item.REGISTRATION", { count: reg.themes.length, status: statusLabel(ctx, reg.status) }) });
  }
  for (const phase of campaign.phases) {
    const r = await ctx.tx.getReport(data.unitId, phase.id);
    if (r && r.status !== "DRAFT") items.push({ type: "REPORT", id: r.id, atUnitId: r.atUnitId, label: ctx.t("records.item.REPORT", { ordinal: phase.ordinal, status: statusLabel(ctx, r.status) }) });
  }
  const noms = (await ctx.tx.nominationsOf(data.unitId, data.campaignId)).filter((n) => n.status !== "DRAFT").reverse();
  for (const n of noms) {
    items.push({ type: "NOMINATION", id: n.id, atUnitId: n.atUnitId, label: ctx.t("records.item.NOMINATION", { name: excerpt(n.nomineeName, 40), status: statusLabel(ctx, n.status, "NOMINATION") }) });
  }
  const works = (await ctx.tx.worksOf(data.unitId, data.campaignId)).reverse();
  for (const w of works) items.push({ type: "WORK", id: w.id, atUnitId: w.atUnitId, label: ctx.t("records.item.WORK", { name: excerpt(w.name, 40), status: statusLabel(ctx, w.status, "WORK") }) });
  return items;
}

export const recordsDialog: DialogDef<Data> = {
  name: "records",
  schema,
  guard: actsForUnit,
  steps: {
    list: {
      async prompt(ctx, data) {
        const unit = await loadUnit(ctx, data.unitId);
        const items = await sentItems(ctx, data);
        if (!items.length) return { text: ctx.t("records.empty", { unit: unit.name }), choices: [{ value: CLOSE, label: ctx.t("common.close") }] };
        const shown = items.slice(0, MAX_ITEMS);
        return {
          text: [ctx.t("records.head", { unit: unit.name, count: items.length }), items.length > shown.length ? ctx.t("records.more", { shown: shown.length }) : null].filter(Boolean).join("\n"),
          choices: [...shown.map((i) => ({ value: `${i.type}:${i.id}`, label: i.label })), { value: CLOSE, label: ctx.t("common.close") }],
        };
      },
      async choose(ctx, data, value) {
        if (value === CLOSE) return { end: [{ text: ctx.t("common.closed") }] };
        const item = (await sentItems(ctx, data)).find((i) => `${i.type}:${i.id}` === value);
        if (!item) return { retry: ctx.t("errors.stale_state") };
        return { next: "item", data: { unitId: data.unitId, campaignId: data.campaignId, type: item.type, id: item.id } };
      },
    },
    item: {
      async prompt(ctx, data) {
        const item = (await sentItems(ctx, data)).find((i) => i.type === data.type && i.id === data.id);
        if (!item) return { text: ctx.t("errors.stale_state"), choices: [{ value: BACK, label: ctx.t("common.back") }] };
        const forms = await ctx.tx.commendationForms();
        const holder = await holderOf(ctx, item.atUnitId);
        const where = holder ? withHolder(ctx, ctx.t("records.waiting", { holder: holder.unit.name }), holder) : null;
        return {
          text: [await details(ctx, item.type, item.id), pathView(ctx, item.type, await ctx.tx.pathOf(item.type, item.id), forms), where].filter(Boolean).join("\n\n"),
          choices: [
            { value: BACK, label: ctx.t("common.back") },
            { value: CLOSE, label: ctx.t("common.close") },
          ],
        };
      },
      async choose(ctx, data, value) {
        if (value === CLOSE) return { end: [{ text: ctx.t("common.closed") }] };
        return { next: "list", data: { unitId: data.unitId, campaignId: data.campaignId } };
      },
    },
  },
};
