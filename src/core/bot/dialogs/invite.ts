/**
 * /moi: an officer creates an invite code — to link their officers' or members' group, to
 * make another officer, or for members to follow the unit — for their unit or a unit
 * below (typed by code, or picked among the direct children). The officer's codes still
 * alive are listed too, each of which can be revoked.
 */
import { z } from "zod";
import { AppError } from "../../errors.js";
import type { UnitInviteKind } from "../../model.js";
import { isStrictAncestor } from "../../permissions.js";
import { createInvite, myLiveInvites, revokeInvite } from "../../usecases/invites.js";
import { excerpt } from "../../format.js";
import { formatInstant } from "../../time.js";
import type { DialogDef } from "../dialog.js";
import { envOf } from "../env-of.js";
import { BACK, loadUnit } from "./common.js";
import type { Ctx } from "../context.js";

const KINDS: UnitInviteKind[] = ["GROUP_OFFICERS", "GROUP_MEMBERS", "OFFICER", "MEMBER"];
const MAX_CHILD_CHOICES = 20;
const MAX_LIVE_CHOICES = 20;
const REVOKE = "revoke";

const schema = z.object({ unitId: z.number().int(), kind: z.enum(["OFFICER", "MEMBER", "GROUP_OFFICERS", "GROUP_MEMBERS"]).nullable() });
type Data = z.infer<typeof schema>;

export const inviteDialog: DialogDef<Data> = {
  name: "invite",
  schema,
  steps: {
    kind: {
      async prompt(ctx) {
        const live = (await myLiveInvites(envOf(ctx))).length;
        const choices: { value: string; label: string }[] = KINDS.map((k) => ({ value: k, label: ctx.t(`invite.kind.${k}`) }));
        if (live) choices.push({ value: REVOKE, label: ctx.t("invite.manage", { n: live }) });
        return { text: [ctx.t("invite.ask_kind"), live ? ctx.t("invite.live_count", { n: live }) : null].filter(Boolean).join("\n"), choices };
      },
      choose: (_ctx, data, value) => (value === REVOKE ? { next: "live", data } : { next: "target", data: { ...data, kind: value as UnitInviteKind } }),
    },
    live: {
      async prompt(ctx) {
        const live = (await myLiveInvites(envOf(ctx))).slice(0, MAX_LIVE_CHOICES);
        return {
          text: ctx.t(live.length ? "invite.live_head" : "invite.live_none"),
          choices: [...live.map(({ invite, unit }) => ({ value: String(invite.id), label: liveLabel(ctx, invite, unit.name) })), { value: BACK, label: ctx.t("common.back") }],
        };
      },
      async choose(ctx, data, value) {
        if (value === BACK) return { next: "kind", data };
        const invite = await ctx.tx.getInvite(Number(value));
        if (!invite) throw new AppError("stale_state");
        const unit = await loadUnit(ctx, invite.unitId!);
        const done = await revokeInvite(envOf(ctx), invite);
        const note = ctx.t("invite.revoked", { what: liveLabel(ctx, invite, unit.name), context: done ? undefined : "already" });
        if (!(await myLiveInvites(envOf(ctx))).length) return { end: [{ text: note }] };
        return { next: "live", data, notes: [note] };
      },
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

/** "Mã mời một cán bộ – Công đoàn …, hết hạn 01/12/2026 10:00" (and the uses left of a members' code). */
function liveLabel(ctx: Ctx, invite: { kind: string; expiresAt: Date; uses: number; maxUses: number }, unit: string): string {
  const label = ctx.t("invite.live_line", {
    kind: ctx.t(`invite.kind.${invite.kind}`),
    unit,
    until: formatInstant(invite.expiresAt, ctx.deps.timeZone),
    uses: invite.uses,
    max: invite.maxUses,
    context: invite.maxUses > 1 ? "uses" : undefined,
  });
  return excerpt(label, 120);
}

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
