/** Small pieces every dialog uses: loading its scope again, reading text answers. */
import { AppError } from "../../errors.js";
import { checkText, type TextLimit } from "../../limits.js";
import type { Campaign, Unit } from "../../model.js";
import type { Ctx } from "../context.js";
import { envOf } from "../env-of.js";
import { assertActsFor } from "../../usecases/env.js";
import type { Outcome } from "../dialog.js";

/** Reload the unit and campaign a dialog is about: they may have changed since it began. */
export async function loadScope(ctx: Ctx, data: { unitId: number; campaignId: number }): Promise<{ unit: Unit; campaign: Campaign }> {
  const unit = await loadUnit(ctx, data.unitId);
  const campaign = await ctx.memo(`campaign:${data.campaignId}`, () => ctx.tx.getCampaign(data.campaignId));
  if (!campaign) throw new AppError("stale_state");
  return { unit, campaign };
}

export async function loadUnit(ctx: Ctx, unitId: number): Promise<Unit> {
  const unit = await ctx.memo(`unit:${unitId}`, () => ctx.tx.getUnit(unitId));
  if (!unit) throw new AppError("stale_state");
  return unit;
}

/** Check a typed answer's length; on failure, a retry outcome that says what is wrong. */
export function readText<D>(ctx: Ctx, text: string, limit: TextLimit): { ok: true; value: string } | { ok: false; outcome: Outcome<D> } {
  const r = checkText(text, limit);
  if (r.ok) return r;
  return { ok: false, outcome: { retry: ctx.t(`input.${r.reason}`, { length: r.length, limit: r.limit }) } };
}

export const BACK = "back";

/** A dialog's guard: the person still acts for the dialog's unit, checked at every answer. */
export async function actsForUnit(ctx: Ctx, data: { unitId: number }): Promise<void> {
  await assertActsFor(envOf(ctx), await loadUnit(ctx, data.unitId));
}
export const DONE = "done";
export const YES = "yes";
export const NO = "no";

export function yesNo(ctx: Ctx, yesKey = "common.yes", noKey = "common.no") {
  return [
    { value: YES, label: ctx.t(yesKey) },
    { value: NO, label: ctx.t(noKey) },
  ];
}
