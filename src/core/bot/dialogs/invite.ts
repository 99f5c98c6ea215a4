/**
 * /moi: an officer creates an invite code — to link their officers' or members' group, to
 * make another officer, or for members to follow the unit — for their unit or a unit
 * below (typed by code, or picked among the direct children).
 */
import { z } from "zod";
import { AppError } from "../../errors.js";
import type { UnitInviteKind } from "../../model.js";
import { isStrictAncestor } from "../../permissions.js";
import { createInvite } from "../../usecases/invites.js";
import { formatInstant } from "../../time.js";
import type { DialogDef } from "../dialog.js";
import { envOf } from "../env-of.js";
import { loadUnit } from "./common.js";

const KINDS: UnitInviteKind[] = ["GROUP_OFFICERS", "GROUP_MEMBERS", "OFFICER", "MEMBER"];
const MAX_CHILD_CHOICES = 20;

const schema = z.object({ unitId: z.number().int(), kind: z.enum(["OFFICER", "MEMBER", "GROUP_OFFICERS", "GROUP_MEMBERS"]).nullable() });
type Data = z.infer<typeof schema>;

export const inviteDialog: DialogDef<Data> = {
  name: "invite",
  schema,
  steps: {
    kind: {
      prompt: (ctx) => ({ text: ctx.t("invite.ask_kind"), choices: KINDS.map((k) => ({ value: k, label: ctx.t(`invite.kind.${k}`) })) }),
      choose: (_ctx, data, value) => ({ next: "target", data: { ...data, kind: value as UnitInviteKind } }),
    },
    target: {
      async prompt(ctx, data) {
        const unit = await loadUnit(ctx, data.unitId);
        const children = (await ctx.tx.childrenOf(unit.id)).slice(0, MAX_CHILD_CHOICES);
        return {
          text: ctx.t("invite.ask_target", { unit: unit.name }),
          choices: [unit, ...children].map((u) => ({ value: String(u.id), label: u.name })),
        };
      },
      async choose(ctx, data, value) {
        return issue(ctx, data, Number(value));
      },
      async text(ctx, data, text) {
        const base = await loadUnit(ctx, data.unitId);
        const target = await ctx.tx.getUnitByCode(text.trim());
        if (!target || (target.id !== base.id && !isStrictAncestor(base, target))) return { retry: ctx.t("invite.unknown_unit", { code: text.trim().slice(0, 64) }) };
        return issue(ctx, data, target.id);
      },
    },
  },
};

async function issue(ctx: Parameters<typeof loadUnit>[0], data: Data, unitId: number) {
  const base = await loadUnit(ctx, data.unitId);
  const target = await loadUnit(ctx, unitId);
  if (target.id !== base.id && !isStrictAncestor(base, target)) throw new AppError("stale_state");
  const inv = await createInvite(envOf(ctx), target, data.kind!);
  return {
    end: [
      { text: ctx.t(`invite.created.${inv.kind}`, { unit: target.name, until: formatInstant(inv.expiresAt, ctx.deps.timeZone), uses: inv.maxUses }) },
      // The code alone in its own message, easy to copy and forward.
      { text: ctx.t(`invite.how.${inv.kind}`, { code: inv.code }) },
    ],
  };
}
