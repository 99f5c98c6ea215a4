/**
 * Which unit (and campaign) an officer's command is about. In a linked officers' group it
 * is the group's unit; in a private chat it is the officer's unit, asked for when there
 * are several. Members' groups and unlinked groups get a clear refusal.
 */
import { AppError } from "../errors.js";
import type { Campaign, Unit } from "../model.js";
import { actingUnits, canActFor, pathIds, sameWorld } from "../permissions.js";
import { campaignsFor } from "../usecases/campaigns.js";
import type { Ctx } from "./context.js";
import { envOf } from "./env-of.js";

export type Resolved<T> = { one: T } | { pick: T[] };

/** The unit this command acts for, or the units to choose from. */
export async function actingUnit(ctx: Ctx): Promise<Resolved<Unit>> {
  const chat = ctx.chat;
  if (chat.kind === "group") {
    if (chat.unitId === null) throw new AppError("group_not_linked");
    if (chat.purpose === "MEMBERS") throw new AppError("members_group");
    const unit = (await ctx.tx.getUnit(chat.unitId))!;
    if (!sameWorld(ctx.person, unit)) throw new AppError("sandbox_boundary");
    if (unit.status !== "ACTIVE") throw new AppError("unit_closed", { unit: unit.name });
    if (!canActFor(ctx.person, await ctx.roles(), unit)) throw new AppError("not_officer_here", { unit: unit.name });
    return { one: unit };
  }
  const units = actingUnits(ctx.person, await ctx.roles());
  if (!units.length) throw new AppError("no_units");
  return units.length === 1 ? { one: units[0]! } : { pick: units };
}

/**
 * The active campaign that applies to `unit`, or the campaigns to choose from. Commands
 * that only read (`closedToo`) fall back to the latest closed one when none is active;
 * commands that write are told that one is closed and can only be read. With `below` they
 * also read the campaigns of units below whose items reach `unit` (Tổng Liên đoàn and the
 * sector union's plan).
 */
export async function campaignOf(ctx: Ctx, unit: Unit, opts: { closedToo?: boolean; below?: boolean } = {}): Promise<Resolved<Campaign>> {
  let campaigns = await campaignsFor(envOf(ctx), unit, { below: opts.below });
  if (!campaigns.length) {
    const above = new Set(pathIds(unit));
    const all = (await ctx.tx.listCampaigns()).filter((c) => c.status === "CLOSED");
    const issuers = opts.below ? new Map((await ctx.tx.getUnits([...new Set(all.map((c) => c.issuingUnitId))])).map((u) => [u.id, u])) : new Map<number, Unit>();
    const readable = (c: Campaign) => above.has(c.issuingUnitId) || issuers.get(c.issuingUnitId)?.path.startsWith(unit.path) === true;
    const closed = all.filter(readable).slice(0, 1);
    if (opts.closedToo) campaigns = closed;
    else if (closed[0]) throw new AppError("no_campaign", { unit: unit.name, number: closed[0].number, year: closed[0].year, context: "closed" });
  }
  if (!campaigns.length) throw new AppError("no_campaign", { unit: unit.name });
  return campaigns.length === 1 ? { one: campaigns[0]! } : { pick: campaigns };
}
