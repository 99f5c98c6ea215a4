/** Switch the language the bot speaks to this person. */
import { z } from "zod";
import { LOCALES, type Locale } from "../../model.js";
import { setLocale } from "../../usecases/people.js";
import type { DialogDef } from "../dialog.js";
import { envOf } from "../env-of.js";

const schema = z.object({});

export const languageDialog: DialogDef<z.infer<typeof schema>> = {
  name: "language",
  schema,
  steps: {
    choose: {
      prompt: (ctx) => ({ text: ctx.t("language.ask"), choices: LOCALES.map((l) => ({ value: l, label: ctx.t(`language.name_${l}`) })) }),
      async choose(ctx, _data, value) {
        await setLocale(envOf(ctx), value as Locale);
        ctx.locale = value as Locale;
        return { end: [{ text: ctx.t("language.done") }] };
      },
    },
  },
};
