/** Small pieces every dialog uses: loading its scope again, reading text answers. */
import { AppError } from "../../errors.js";
import { checkText, type TextLimit } from "../../limits.js";
import type { Campaign, LocalDate, Unit } from "../../model.js";
import { DATE_YEARS, readUserDate } from "../../time.js";
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

/**
 * Read a typed date (time.ts decides what is a date and which years are sane); on failure,
 * a retry outcome: `bad` when it is no date, the range when the year is out of it.
 */
export function readDate<D>(ctx: Ctx, text: string, bad: { key: string; params?: Record<string, unknown> } = { key: "input.bad_date" }): { ok: true; value: LocalDate } | { ok: false; outcome: Outcome<D> } {
  const r = readUserDate(text);
  if (r.ok) return r;
  if (r.reason === "out_of_range") return { ok: false, outcome: { retry: ctx.t("input.date_out_of_range", { year: String(r.year), min: String(DATE_YEARS.min), max: String(DATE_YEARS.max) }) } };
  return { ok: false, outcome: { retry: ctx.t(bad.key, bad.params) } };
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
