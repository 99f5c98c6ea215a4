/**
 * First contact: what is stored and why (Law 91/2025/QH15), and an explicit yes. The
 * command that triggered it is kept and runs once the person agrees.
 */
import { z } from "zod";
import { giveConsent, NOTICE_VERSION } from "../../usecases/people.js";
import type { DialogDef } from "../dialog.js";
import { envOf } from "../env-of.js";
import { NO, YES } from "./common.js";

const schema = z.object({ pending: z.string().nullable() });
type Data = z.infer<typeof schema>;

export const consentDialog: DialogDef<Data> = {
  name: "consent",
  schema,
  steps: {
    ask: {
      prompt: (ctx) => ({
        text: ctx.t("consent.notice", { name: ctx.person.displayName, version: NOTICE_VERSION }),
        choices: [
          { value: YES, label: ctx.t("consent.agree") },
          { value: NO, label: ctx.t("consent.decline") },
        ],
      }),
      async choose(ctx, data, value) {
        if (value !== YES) return { end: [{ text: ctx.t("consent.declined") }] };
        await giveConsent(envOf(ctx), ctx.chat.key);
        await ctx.tx.deleteDialog(`${ctx.chat.key}|${ctx.inbound.userId}`);
        // The kept command may be refused (a wrong code): that must not undo the consent.
        const next = await ctx.svc.attempt(ctx, () => ctx.svc.dispatch(ctx, data.pending ?? "/help"));
        return { handover: [{ text: ctx.t("consent.thanks") }, ...next] };
      },
    },
  },
};
