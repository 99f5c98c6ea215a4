/**
 * /thongbao: an officer chooses who it is for — the members of their unit and every unit
 * below, or (a directive) the officers of the direct child units or of the whole subtree,
 * or officers and members alike — writes it, sees a preview with the audience and how
 * many chats it will reach, and confirms. The messages go to the outbox in the same
 * transaction, one per chat, never twice.
 */
import { z } from "zod";
import { formatNumber } from "../../format.js";
import { BROADCAST_AUDIENCES } from "../../ports.js";
import { broadcast, broadcastReach, broadcastStatus } from "../../usecases/announce.js";
import type { DialogDef } from "../dialog.js";
import { envOf } from "../env-of.js";
import { actsForUnit, loadUnit, readText } from "./common.js";

/** Zalo's limit; Telegram's is larger, so one message fits every platform. */
export const ANNOUNCEMENT_MAX = 2000;

const schema = z.object({
  unitId: z.number().int(),
  audience: z.enum(BROADCAST_AUDIENCES as [string, ...string[]]).optional(),
  text: z.string().nullable(),
  broadcastId: z.number().int().optional(),
});
type Data = z.infer<typeof schema>;
type To = (typeof BROADCAST_AUDIENCES)[number];

const audienceOf = (data: Data): To => (data.audience as To | undefined) ?? "members";

export const announceDialog: DialogDef<Data> = {
  name: "announce",
  schema,
  guard: actsForUnit,
  steps: {
    audience: {
      async prompt(ctx, data) {
        const unit = await loadUnit(ctx, data.unitId);
        return {
          text: ctx.t("announce.ask_audience", { unit: unit.name }),
          choices: [...BROADCAST_AUDIENCES.map((a) => ({ value: a, label: ctx.t(`announce.audience.${a}`) })), { value: "cancel", label: ctx.t("common.cancel") }],
        };
      },
      choose(ctx, data, value) {
        if (!(BROADCAST_AUDIENCES as readonly string[]).includes(value)) return { end: [{ text: ctx.t("cancel.done") }] };
        return { next: "text", data: { ...data, audience: value } };
      },
    },
    text: {
      async prompt(ctx, data) {
        const unit = await loadUnit(ctx, data.unitId);
        return { text: ctx.t("announce.ask", { unit: unit.name, max: formatNumber(ANNOUNCEMENT_MAX, ctx.locale), audience: ctx.t(`announce.audience.${audienceOf(data)}`) }) };
      },
      text(ctx, data, text) {
        const r = readText<Data>(ctx, text, { min: 5, max: ANNOUNCEMENT_MAX });
        return r.ok ? { next: "confirm", data: { ...data, text: r.value } } : r.outcome;
      },
    },
    confirm: {
      async prompt(ctx, data) {
        const unit = await loadUnit(ctx, data.unitId);
        const reach = await broadcastReach(envOf(ctx), unit, audienceOf(data));
        return {
          text: ctx.t("announce.preview", {
            text: ctx.t("announce.from", { unit: unit.name, text: data.text }),
            unit: unit.name,
            chats: reach.chats,
            units: reach.units,
            audience: ctx.t(`announce.audience.${audienceOf(data)}`),
          }),
          choices: [
            { value: "send", label: ctx.t("announce.action.send") },
            { value: "edit", label: ctx.t("announce.action.edit") },
            { value: "cancel", label: ctx.t("common.cancel") },
          ],
        };
      },
      async choose(ctx, data, value) {
        if (value === "edit") return { next: "text", data: { ...data, text: null } };
        if (value !== "send") return { end: [{ text: ctx.t("cancel.done") }] };
        const unit = await loadUnit(ctx, data.unitId);
        const { id, queued } = await broadcast(envOf(ctx), unit, data.text!, ctx.chat.key, audienceOf(data));
        if (!queued) return { end: [{ text: ctx.t(audienceOf(data) === "members" ? "announce.nobody" : "announce.nobody_officers") }] };
        return { next: "progress", data: { ...data, broadcastId: id }, notes: [ctx.t("announce.queued", { count: queued })] };
      },
    },
    /** Sent / failed / remaining, as often as the officer asks; a last word comes when it is done. */
    progress: {
      async prompt(ctx, data) {
        const p = await broadcastStatus(envOf(ctx), data.broadcastId!);
        return {
          text: ctx.t("announce.progress", { sent: p?.sent ?? 0, failed: p?.failed ?? 0, pending: p?.pending ?? 0, total: p?.total ?? 0 }),
          choices: [
            { value: "refresh", label: ctx.t("announce.action.refresh") },
            { value: "close", label: ctx.t("common.close") },
          ],
        };
      },
      choose: (ctx, data, value) => (value === "refresh" ? { next: "progress", data } : { end: [{ text: ctx.t("common.closed") }] }),
    },
  },
};
