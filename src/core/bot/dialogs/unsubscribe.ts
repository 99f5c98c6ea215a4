/** /huytheodoi (and /huy with nothing in progress): stop receiving a unit's announcements here. */
import { z } from "zod";
import { revokeRole } from "../../usecases/invites.js";
import type { DialogDef } from "../dialog.js";
import { envOf } from "../env-of.js";
import { loadUnit } from "./common.js";

const schema = z.object({ unitIds: z.array(z.number().int()) });
type Data = z.infer<typeof schema>;

const KEEP = "keep";

export const unsubscribeDialog: DialogDef<Data> = {
  name: "unsubscribe",
  schema,
  steps: {
    choose: {
      async prompt(ctx, data) {
        const units = await ctx.tx.getUnits(data.unitIds);
        return {
          text: ctx.t("unsubscribe.ask"),
          choices: [...units.map((u) => ({ value: String(u.id), label: u.name })), { value: KEEP, label: ctx.t("unsubscribe.keep") }],
        };
      },
      async choose(ctx, data, value) {
        if (value === KEEP) return { end: [{ text: ctx.t("common.closed") }] };
        const unit = await loadUnit(ctx, Number(value));
        if (!data.unitIds.includes(unit.id)) return { retry: ctx.t("errors.stale_state") };
        await revokeRole(envOf(ctx), ctx.person, unit, "MEMBER");
        return { end: [{ text: ctx.t("unsubscribe.done", { unit: unit.name }) }] };
      },
    },
  },
};
