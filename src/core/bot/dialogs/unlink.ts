/**
 * /goketnoi: undo an account link. The person's first account (or any account linked
 * before) picks one of the accounts joined after it; that account becomes a stranger to
 * the person again — no roles, no announcements of theirs.
 */
import { z } from "zod";
import { unlinkable, unlinkAccount } from "../../usecases/invites.js";
import { formatInstant } from "../../time.js";
import type { DialogDef } from "../dialog.js";
import { envOf } from "../env-of.js";

const schema = z.object({});
const CLOSE = "close";

export const unlinkDialog: DialogDef<z.infer<typeof schema>> = {
  name: "unlink",
  schema,
  steps: {
    pick: {
      async prompt(ctx) {
        const accounts = await unlinkable(envOf(ctx), ctx.inbound.userId);
        return {
          text: ctx.t("unlink.ask"),
          choices: [
            ...accounts.map((a) => ({ value: a.key, label: ctx.t("unlink.account", { platform: ctx.t(`platform.${a.platform}`), date: formatInstant(a.linkedAt, ctx.deps.timeZone) }) })),
            { value: CLOSE, label: ctx.t("common.close") },
          ],
        };
      },
      async choose(ctx, _data, value) {
        if (value === CLOSE) return { end: [{ text: ctx.t("common.closed") }] };
        const account = (await unlinkable(envOf(ctx), ctx.inbound.userId)).find((a) => a.key === value);
        await unlinkAccount(envOf(ctx), ctx.inbound.userId, value, ctx.chat.key);
        return { end: [{ text: ctx.t("unlink.done", { platform: ctx.t(`platform.${account?.platform ?? ""}`) }) }] };
      },
    },
  },
};
