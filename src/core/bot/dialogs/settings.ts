/**
 * /caidat in a group: which of the bot's own posts this group receives (anniversaries,
 * deadline reminders, phase summaries, commendations, announcements). Officers of the
 * group's unit switch each kind on or off; the defaults follow the group's purpose.
 */
import { z } from "zod";
import { AppError } from "../../errors.js";
import { NOTICE_KINDS, type NoticeKind } from "../../model.js";
import { receives } from "../../notices.js";
import type { DialogDef } from "../dialog.js";
import { actsForUnit } from "./common.js";

const schema = z.object({});
const DONE = "done";

export const settingsDialog: DialogDef<z.infer<typeof schema>> = {
  name: "settings",
  schema,
  // The group's unit as it is now, and the person's rights now: a toggle pressed after the
  // role was revoked, or after the group was unlinked, changes nothing.
  async guard(ctx) {
    const chat = await ctx.tx.getChat(ctx.chat.key);
    if (!chat?.unitId) throw new AppError("group_not_linked");
    await actsForUnit(ctx, { unitId: chat.unitId });
  },
  steps: {
    toggle: {
      async prompt(ctx) {
        const chat = (await ctx.tx.getChat(ctx.chat.key))!;
        const unit = chat.unitId ? await ctx.tx.getUnit(chat.unitId) : null;
        const lines = NOTICE_KINDS.map((k) => ctx.t("settings.line", { kind: ctx.t(`settings.kind.${k}`), context: receives(chat, k) ? "on" : "off" }));
        return {
          text: [ctx.t("settings.head", { unit: unit?.name ?? "", purpose: ctx.t(`settings.purpose.${chat.purpose}`) }), ...lines].join("\n"),
          choices: [
            ...NOTICE_KINDS.map((k) => ({ value: k, label: ctx.t(receives(chat, k) ? "settings.turn_off" : "settings.turn_on", { kind: ctx.t(`settings.kind.${k}`) }) })),
            { value: DONE, label: ctx.t("common.close") },
          ],
        };
      },
      async choose(ctx, data, value) {
        if (value === DONE) return { end: [{ text: ctx.t("settings.saved") }] };
        const kind = value as NoticeKind;
        const chat = (await ctx.tx.getChat(ctx.chat.key))!;
        const on = !receives(chat, kind);
        await ctx.tx.setChatPrefs(chat.id, { ...chat.prefs, [kind]: on });
        await ctx.tx.audit(ctx.actor, { action: "chat.notices", entity: "chat", entityId: chat.id, unitId: chat.unitId, data: { kind, on } });
        return { next: "toggle", data };
      },
    },
  },
};
