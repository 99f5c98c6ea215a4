/** "Which unit?" / "Which campaign?" — asked when an officer's command could mean several. */
import { z } from "zod";
import type { DialogDef } from "../dialog.js";
import { campaignLabel } from "../views.js";

const schema = z.object({
  command: z.string(),
  args: z.string(),
  what: z.enum(["unit", "campaign"]),
  options: z.array(z.number().int()),
  unitId: z.number().int().nullable(),
});
type Data = z.infer<typeof schema>;

export const pickDialog: DialogDef<Data> = {
  name: "pick",
  schema,
  steps: {
    choose: {
      async prompt(ctx, data) {
        if (data.what === "unit") {
          const units = await ctx.tx.getUnits(data.options);
          return { text: ctx.t("pick.unit"), choices: units.map((u) => ({ value: String(u.id), label: u.name })) };
        }
        const campaigns = [];
        for (const id of data.options) {
          const c = await ctx.tx.getCampaign(id);
          if (c) campaigns.push(c);
        }
        return { text: ctx.t("pick.campaign"), choices: campaigns.map((c) => ({ value: String(c.id), label: `${campaignLabel(ctx, c)} – ${c.title}`.slice(0, 120) })) };
      },
      async choose(ctx, data, value) {
        const id = Number(value);
        if (!data.options.includes(id)) return { retry: ctx.t("dialog.pick_one", { max: data.options.length }) };
        await ctx.tx.deleteDialog(`${ctx.chat.key}|${ctx.inbound.userId}`);
        const scope = data.what === "unit" ? { unitId: id } : { unitId: data.unitId ?? undefined, campaignId: id };
        return { handover: await ctx.svc.proceed(ctx, data.command, data.args, scope) };
      },
    },
  },
};
