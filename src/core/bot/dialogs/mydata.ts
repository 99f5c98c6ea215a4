/**
 * /dulieu: what the bot stores about this person, and erasure on request (Law
 * 91/2025/QH15: see, correct, erase). Names can be corrected on the platform itself; the
 * bot picks up the new name on the next message.
 */
import { z } from "zod";
import { eraseMe, myData } from "../../usecases/people.js";
import { formatInstant } from "../../time.js";
import type { DialogDef } from "../dialog.js";
import { envOf } from "../env-of.js";
import { YES } from "./common.js";

const schema = z.object({});

export const mydataDialog: DialogDef<z.infer<typeof schema>> = {
  name: "mydata",
  schema,
  steps: {
    show: {
      async prompt(ctx) {
        const d = await myData(envOf(ctx));
        const tz = ctx.deps.timeZone;
        const lines = [
          ctx.t("mydata.head"),
          ctx.t("mydata.name", { name: d.person.displayName }),
          ctx.t("mydata.language", { language: ctx.t(`language.name_${d.person.locale ?? ctx.deps.defaultLocale}`) }),
          ctx.t("mydata.identities", { list: d.identities.map((i) => ctx.t(`platform.${i.platform}`)).join(", ") || "—" }),
          ctx.t("mydata.roles", { list: d.roles.map((r) => `${ctx.t(`role.${r.kind}`)} – ${r.unit.name}`).join("; ") || "—" }),
          ctx.t("mydata.consents", {
            list: d.consents.map((c) => ctx.t("mydata.consent_line", { date: formatInstant(c.givenAt, tz), version: c.noticeVersion, context: c.withdrawnAt ? "withdrawn" : undefined })).join("; ") || "—",
          }),
          ctx.t("mydata.actions", { count: d.actions }),
          ctx.t("mydata.footer"),
        ];
        return {
          text: lines.join("\n"),
          choices: [
            { value: "erase", label: ctx.t("mydata.action.erase") },
            { value: "close", label: ctx.t("common.close") },
          ],
        };
      },
      choose: (ctx, data, value) => (value === "erase" ? { next: "confirm", data } : { end: [{ text: ctx.t("common.closed") }] }),
    },
    confirm: {
      prompt: (ctx) => ({
        text: ctx.t("mydata.confirm_erase"),
        choices: [
          { value: YES, label: ctx.t("mydata.action.erase_confirm") },
          { value: "no", label: ctx.t("common.cancel") },
        ],
      }),
      async choose(ctx, _data, value) {
        if (value !== YES) return { end: [{ text: ctx.t("cancel.done") }] };
        await eraseMe(envOf(ctx), ctx.t("mydata.erased_name", { id: ctx.person.id }));
        return { end: [{ text: ctx.t("mydata.erased") }] };
      },
    },
  },
};
