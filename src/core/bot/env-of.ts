import type { Env } from "../usecases/env.js";
import type { Ctx } from "./context.js";

/** The use-case environment of a chat update. */
export function envOf(ctx: Ctx): Env {
  return {
    tx: ctx.tx,
    actor: ctx.actor,
    now: ctx.now,
    today: ctx.today,
    translate: ctx.deps.translate,
    defaultLocale: ctx.deps.defaultLocale,
    timeZone: ctx.deps.timeZone,
    roles: () => ctx.roles(),
    chatAdmins: ctx.deps.chatAdmins,
  };
}
