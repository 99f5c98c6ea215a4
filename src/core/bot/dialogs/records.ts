/**
 * /hoso: what a unit has sent up this year — its registration, reports, proposals for
 * rewards and works — each with where it waits now and its whole path (each level's
 * decision, who, when, and note), so the sender never has to ask the level above.
 */
import { z } from "zod";
import { excerpt } from "../../format.js";
import type { Campaign, SubjectType } from "../../model.js";
import type { Ctx } from "../context.js";
import type { DialogDef } from "../dialog.js";
import { isStrictAncestor } from "../../permissions.js";
import { campaignLabel, holderOf, itemStatusLabel, withHolder } from "../views.js";
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

/**
 * What /hoso lists: everything the unit has sent up in the campaign (drafts stay out); for
 * a unit above the campaign's issuing union (Tổng Liên đoàn reading the sector union's
 * plan), which sends nothing up under it, what the units below sent on to it.
 */
async function listed(ctx: Ctx, data: Data): Promise<{ items: Sent[]; total: number; received: boolean }> {
  const campaign = (await ctx.tx.getCampaign(data.campaignId))!;
  const unit = await loadUnit(ctx, data.unitId);
  const issuer = await loadUnit(ctx, campaign.issuingUnitId);
  if (!isStrictAncestor(unit, issuer)) {
    const items = await sentItems(ctx, data);
    return { items, total: items.length, received: false };
  }
  const reached = await ctx.tx.itemsReaching(unit.id, campaign.id, MAX_ITEMS);
  const items: Sent[] = [];
  for (const it of reached.items) items.push({ ...it, label: await receivedLabel(ctx, it.type, it.id, campaign) });
  return { items, total: reached.total, received: true };
}

/** "Đăng ký thi đua – Công đoàn … (2 nội dung) – đã chấp nhận": an item that reached this unit, with its sender. */
async function receivedLabel(ctx: Ctx, type: SubjectType, id: number, campaign: Campaign): Promise<string> {
  const sender = async (unitId: number) => excerpt((await loadUnit(ctx, unitId)).name, 50);
  if (type === "REGISTRATION") {
    const r = (await ctx.tx.getRegistrationById(id))!;
    return ctx.t("records.received.item.REGISTRATION", { unit: await sender(r.unitId), count: r.themes.length, status: itemStatusLabel(ctx, r.status, undefined, campaign) });
  }
  if (type === "REPORT") {
    const r = (await ctx.tx.getReportById(id))!;
    return ctx.t("records.received.item.REPORT", { unit: await sender(r.unitId), ordinal: (await ctx.tx.getPhase(r.phaseId))?.ordinal ?? "", status: itemStatusLabel(ctx, r.status, undefined, campaign) });
  }
  if (type === "NOMINATION") {
    const n = (await ctx.tx.getNomination(id))!;
    return ctx.t("records.received.item.NOMINATION", { unit: await sender(n.unitId), name: excerpt(n.nomineeName, 40), status: itemStatusLabel(ctx, n.status, type, campaign) });
  }
  const w = (await ctx.tx.getWork(id))!;
  return ctx.t("records.received.item.WORK", { unit: await sender(w.unitId), name: excerpt(w.name, 40), status: itemStatusLabel(ctx, w.status, type, campaign) });
}

/** Everything the unit has sent up in the campaign (drafts stay out). */
async function sentItems(ctx: Ctx, data: Data): Promise<Sent[]> {
  const campaign = (await ctx.tx.getCampaign(data.campaignId))!;
  const items: Sent[] = [];
  const reg = await ctx.tx.getRegistration(data.unitId, data.campaignId);
  if (reg && reg.status !== "DRAFT") {
    items.push({ type: "REGISTRATION", id: reg.id, atUnitId: reg.atUnitId, label: ctx.t("records.item.REGISTRATION", { count: reg.themes.length, status: itemStatusLabel(ctx, reg.status, undefined, campaign) }) });
  }
  for (const phase of campaign.phases) {
    const r = await ctx.tx.getReport(data.unitId, phase.id);
    if (r && r.status !== "DRAFT") items.push({ type: "REPORT", id: r.id, atUnitId: r.atUnitId, label: ctx.t("records.item.REPORT", { ordinal: phase.ordinal, status: itemStatusLabel(ctx, r.status, undefined, campaign) }) });
  }
  const noms = (await ctx.tx.nominationsOf(data.unitId, data.campaignId)).filter((n) => n.status !== "DRAFT").reverse();
  for (const n of noms) {
    items.push({ type: "NOMINATION", id: n.id, atUnitId: n.atUnitId, label: ctx.t("records.item.NOMINATION", { name: excerpt(n.nomineeName, 40), status: itemStatusLabel(ctx, n.status, "NOMINATION", campaign) }) });
  }
  const works = (await ctx.tx.worksOf(data.unitId, data.campaignId)).reverse();
  for (const w of works) items.push({ type: "WORK", id: w.id, atUnitId: w.atUnitId, label: ctx.t("records.item.WORK", { name: excerpt(w.name, 40), status: itemStatusLabel(ctx, w.status, "WORK", campaign) }) });
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
        const { items, total, received } = await listed(ctx, data);
        const campaign = campaignLabel(ctx, (await ctx.tx.getCampaign(data.campaignId))!);
        const texts = received ? "records.received" : "records";
        if (!items.length) return { text: ctx.t(`${texts}.empty`, { unit: unit.name, campaign }), choices: [{ value: CLOSE, label: ctx.t("common.close") }] };
        const shown = items.slice(0, MAX_ITEMS);
        return {
          text: [ctx.t(`${texts}.head`, { unit: unit.name, count: total, campaign }), total > shown.length ? ctx.t("records.more", { shown: shown.length }) : null].filter(Boolean).join("\n"),
          choices: [...shown.map((i) => ({ value: `${i.type}:${i.id}`, label: i.label })), { value: CLOSE, label: ctx.t("common.close") }],
        };
      },
      async choose(ctx, data, value) {
        if (value === CLOSE) return { end: [{ text: ctx.t("common.closed") }] };
        const item = (await listed(ctx, data)).items.find((i) => `${i.type}:${i.id}` === value);
        if (!item) return { retry: ctx.t("errors.stale_state") };
        return { next: "item", data: { unitId: data.unitId, campaignId: data.campaignId, type: item.type, id: item.id } };
      },
    },
    item: {
      async prompt(ctx, data) {
        const item = (await listed(ctx, data)).items.find((i) => i.type === data.type && i.id === data.id);
        if (!item) return { text: ctx.t("errors.stale_state"), choices: [{ value: BACK, label: ctx.t("common.back") }] };
        const forms = await ctx.tx.commendationForms();
        const campaign = (await ctx.tx.getCampaign(data.campaignId))!;
        const holder = await holderOf(ctx, item.atUnitId);
        // Still held somewhere when the plan closed: it will not be decided any more, and is not said to wait.
        const where = !holder
          ? null
          : campaign.status === "CLOSED"
            ? ctx.t("records.closed_waiting", { unit: holder.unit.name })
            : withHolder(ctx, ctx.t("records.waiting", { holder: holder.unit.name }), holder);
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
