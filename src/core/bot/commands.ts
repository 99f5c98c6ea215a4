/**
 * The command table: Vietnamese names first, English aliases, who sees them in /help, and
 * what each does. Officer commands declare the scope they need (a unit, a campaign) and
 * the engine resolves it — from the group, or by asking.
 */
import { campaignDateTitle, lateContext, occurrencesBetween, window } from "../calendar.js";
import { progressChart } from "../charts.js";
import { AppError } from "../errors.js";
import type { Campaign, Locale, Outbound, Unit } from "../model.js";
import { actingUnits, canActFor } from "../permissions.js";
import { assertIssuer, campaignsFor, campaignsIssuedBy } from "../usecases/campaigns.js";
import { createIdentityCode, redeemInvite, unlinkable, type Redeemed } from "../usecases/invites.js";
import { hasConsent } from "../usecases/people.js";
import { progressOf } from "../usecases/progress.js";
import { reviewQueue } from "../usecases/review.js";
import type { Ctx } from "./context.js";
import { envOf } from "./env-of.js";
import { nominateStep } from "./dialogs/nominate.js";
import { calendarView, progressView, registrationView, statusLabel } from "./views.js";
import { formatInstant } from "../time.js";

export type Audience = "everyone" | "officer";

export interface Command {
  /** Canonical name; also the key of its texts under `commands.<key>`. */
  key: string;
  /** Vietnamese name, then English (the same word when there is no other, as for /start). */
  names: [string, string];
  audience: Audience;
  /** Needs the privacy notice accepted first. */
  consent: boolean;
  /** Without a scope, `run` is called directly. */
  scope?: "unit" | "campaign";
  /** Officer commands usable in a group (its officers' group). */
  inGroup: boolean;
  run?(ctx: Ctx, args: string): Promise<Outbound[]>;
  forScope?(ctx: Ctx, unit: Unit, campaign: Campaign | null, args: string): Promise<Outbound[]>;
  /** Only reads: a closed campaign will do when none is active. */
  readsClosed?: boolean;
  /** Also reads the campaigns of units below whose items reach this one (TLĐ reads the sector union's plan). */
  readsBelow?: boolean;
}

const say = (text: string): Outbound[] => [{ text }];

async function help(ctx: Ctx): Promise<Outbound[]> {
  // Officer commands are listed to officers: of this group's unit in a group, of any unit in private.
  const units = actingUnits(ctx.person, await ctx.roles(), ["OFFICER", "ADMIN"]);
  const officer = ctx.chat.kind === "group" ? ctx.chat.purpose === "OFFICERS" && units.some((u) => u.id === ctx.chat.unitId) : units.length > 0;
  const lines = [ctx.t("help.head")];
  for (const c of COMMANDS) {
    if (!c.names[0]) continue;
    if (c.audience === "officer" && !officer) continue;
    if (ctx.chat.kind === "group" && !c.inGroup) continue;
    // Each command once, by its name in the reader's language (the other name still works).
    lines.push(ctx.t("help.line", { name: commandName(c, ctx.locale), what: ctx.t(`commands.${c.key}`) }));
  }
  if (!officer) lines.push("", ctx.t(ctx.chat.kind === "group" ? "help.group_hint" : "help.member_hint"));
  return say(lines.join("\n"));
}

function redeemedText(ctx: Ctx, r: Redeemed): string {
  if (r.kind === "identity") return ctx.t("connect.linked", { context: r.already ? "already" : undefined });
  if (r.kind === "group") return ctx.t(`link.group_${r.purpose}`, { unit: r.unit.name, context: r.already ? "already" : undefined });
  return ctx.t(`link.role_${r.role}`, { unit: r.unit.name, context: r.already ? "already" : undefined });
}

async function start(ctx: Ctx, args: string): Promise<Outbound[]> {
  if (args) {
    // Telegram deep links deliver "/start CODE": redeem it (after consent).
    if (!(await hasConsent(ctx.tx, ctx.person))) return ctx.svc.startDialog(ctx, "consent", { pending: `/start ${args}` });
    return say(redeemedText(ctx, await redeemInvite(envOf(ctx), ctx.person, ctx.chat, args, ctx.inbound.userId)));
  }
  if (!(await hasConsent(ctx.tx, ctx.person))) return ctx.svc.startDialog(ctx, "consent", { pending: null });
  return [{ text: ctx.t("start.welcome_back", { name: ctx.person.displayName }) }, ...(await help(ctx))];
}

async function link(ctx: Ctx, args: string): Promise<Outbound[]> {
  if (!args.trim()) return say(ctx.t(ctx.chat.kind === "group" ? "link.usage_group" : "link.usage_private"));
  return say(redeemedText(ctx, await redeemInvite(envOf(ctx), ctx.person, ctx.chat, args, ctx.inbound.userId)));
}

/** /huy: leave the dialog in progress; with none, in a private chat, stop following units. */
async function cancel(ctx: Ctx, alsoUnsubscribe: boolean): Promise<Outbound[]> {
  const key = `${ctx.chat.key}|${ctx.inbound.userId}`;
  const existing = await ctx.tx.getDialog(key);
  if (existing) {
    await ctx.tx.deleteDialog(key);
    return say(ctx.t("cancel.done"));
  }
  if (alsoUnsubscribe && ctx.chat.kind === "private" && (await followed(ctx)).length) return unsubscribe(ctx);
  return say(ctx.t("cancel.nothing"));
}

/** Units this person follows as a member (and so hears from in this private chat). */
async function followed(ctx: Ctx): Promise<Unit[]> {
  return (await ctx.roles()).filter((r) => r.kind === "MEMBER").map((r) => r.unit);
}

async function unsubscribe(ctx: Ctx): Promise<Outbound[]> {
  if (ctx.chat.kind === "group") throw new AppError("wrong_chat_kind", { context: "private" });
  const units = await followed(ctx);
  if (!units.length) return say(ctx.t("unsubscribe.none"));
  return ctx.svc.startDialog(ctx, "unsubscribe", { unitIds: units.map((u) => u.id) });
}

/** /caidat: in a linked group, its officers choose which of the bot's own posts it receives. */
async function settings(ctx: Ctx): Promise<Outbound[]> {
  if (ctx.chat.kind !== "group") throw new AppError("wrong_chat_kind", { context: "group" });
  if (ctx.chat.unitId === null) throw new AppError("group_not_linked");
  const unit = (await ctx.tx.getUnit(ctx.chat.unitId))!;
  // A members' group is set up by its unit's officers; a member there is told so, not that it is an officers' group.
  if (!canActFor(ctx.person, await ctx.roles(), unit)) throw new AppError(ctx.chat.purpose === "MEMBERS" ? "settings_members_group" : "not_officer_here", { unit: unit.name });
  return ctx.svc.startDialog(ctx, "settings", {});
}

/** /ketnoi: a code to link another platform account; /ketnoi CODE links this one. */
async function connect(ctx: Ctx, args: string): Promise<Outbound[]> {
  if (ctx.chat.kind === "group") throw new AppError("wrong_chat_kind", { context: "private" });
  if (args.trim()) return say(redeemedText(ctx, await redeemInvite(envOf(ctx), ctx.person, ctx.chat, args, ctx.inbound.userId)));
  const { code, expiresAt } = await createIdentityCode(envOf(ctx));
  return [{ text: ctx.t("connect.created", { until: formatInstant(expiresAt, ctx.deps.timeZone) }) }, { text: ctx.t("connect.how", { code }) }];
}

/** /goketnoi: undo a link, from an account linked before it (the notice of each link points here). */
async function unlink(ctx: Ctx): Promise<Outbound[]> {
  if (ctx.chat.kind === "group") throw new AppError("wrong_chat_kind", { context: "private" });
  if (!(await unlinkable(envOf(ctx), ctx.inbound.userId)).length) return say(ctx.t("unlink.none"));
  return ctx.svc.startDialog(ctx, "unlink", {});
}

/** Campaigns whose dates this chat cares about: its unit's, or the person's units'. */
async function campaignsHere(ctx: Ctx): Promise<Map<number, Campaign>> {
  const env = envOf(ctx);
  let units: Unit[] = [];
  if (ctx.chat.unitId !== null) units = [(await ctx.tx.getUnit(ctx.chat.unitId))!];
  else units = (await ctx.roles()).map((r) => r.unit);
  const campaigns = new Map<number, Campaign>();
  for (const u of units) for (const c of await campaignsFor(env, u)) campaigns.set(c.id, c);
  return campaigns;
}

const CALENDAR_DAYS = 120;
const CALENDAR_ITEMS = 12;

async function calendar(ctx: Ctx): Promise<Outbound[]> {
  const campaigns = await campaignsHere(ctx);
  const ids = [...campaigns.keys()];
  const { from, to } = window(ctx.today, CALENDAR_DAYS);
  // The deadlines and phase ends are worded in the reader's language, as the anniversaries are.
  const dates = (await ctx.tx.campaignDates(ids)).map((d) => ({ ...d, title: campaignDateTitle(d, campaigns.get(d.campaignId), ctx.locale, ctx.deps.translate) }));
  const items = occurrencesBetween(await ctx.tx.commemorations(ids), dates, from, to, ctx.locale, ctx.deps.translate);
  return say(calendarView(ctx, items.slice(0, CALENDAR_ITEMS)));
}

async function themes(ctx: Ctx, unit: Unit, campaign: Campaign | null): Promise<Outbound[]> {
  const reg = await ctx.tx.getRegistration(unit.id, campaign!.id);
  if (reg && (reg.status === "SUBMITTED" || reg.status === "APPROVED")) {
    return say(
      [ctx.t("themes.status", { unit: unit.name, status: statusLabel(ctx, reg.status), context: lateContext(reg.late, campaign!) }), registrationView(ctx, reg, campaign!), ctx.t(`themes.locked_${reg.status}`)].join("\n"),
    );
  }
  return ctx.svc.startDialog(ctx, "themes", { unitId: unit.id, campaignId: campaign!.id });
}

async function review(ctx: Ctx, unit: Unit): Promise<Outbound[]> {
  const { total } = await reviewQueue(envOf(ctx), unit, 0);
  if (!total) return say(ctx.t("review.empty", { unit: unit.name }));
  return ctx.svc.startDialog(ctx, "review", { unitId: unit.id, page: 0 });
}

async function progress(ctx: Ctx, unit: Unit, campaign: Campaign | null): Promise<Outbound[]> {
  const p = await progressOf(envOf(ctx), unit, campaign!);
  // The picture is described here and drawn after the transaction (Outbound.chart); with
  // nobody below (a grassroots union) there is nothing to draw and the text stands alone.
  const chart = progressChart({ unit: p.over ?? unit, campaign: campaign!, progress: p, today: ctx.today, locale: ctx.locale }, (key, params) => ctx.t(key, params));
  return [{ text: progressView(ctx, unit, campaign!, p, ctx.today), ...(chart && { chart }) }];
}

/** /xuat: the documents of the unit for the campaign, offered as choices (the export dialog). */
async function exportFile(ctx: Ctx, unit: Unit, campaign: Campaign | null): Promise<Outbound[]> {
  return ctx.svc.startDialog(ctx, "export", { unitId: unit.id, campaignId: campaign!.id });
}

/**
 * /kehoach: the plan issued by this unit (its active one, else its latest). Officers of a
 * unit below are told who issues the plan that applies to them.
 */
async function plan(ctx: Ctx, unit: Unit): Promise<Outbound[]> {
  const env = envOf(ctx);
  const own = await campaignsIssuedBy(env, unit);
  const campaign = own.find((c) => c.status === "ACTIVE") ?? own[0];
  if (!campaign) {
    const applying = (await campaignsFor(env, unit))[0];
    if (!applying) throw new AppError("no_campaign", { unit: unit.name });
    await assertIssuer(env, applying);
    throw new AppError("stale_state");
  }
  await assertIssuer(env, campaign);
  return ctx.svc.startDialog(ctx, "plan", { unitId: unit.id, campaignId: campaign.id });
}

async function invite(ctx: Ctx): Promise<Outbound[]> {
  // Codes are secrets: they are handed out in private only. Officers and administrators
  // may create them for their unit and the units below.
  if (ctx.chat.kind === "group") throw new AppError("wrong_chat_kind", { context: "private" });
  const units = actingUnits(ctx.person, await ctx.roles(), ["OFFICER", "ADMIN"]);
  if (!units.length) throw new AppError("no_units");
  if (units.length === 1) return ctx.svc.startDialog(ctx, "invite", { unitId: units[0]!.id, kind: null });
  return ctx.svc.startDialog(ctx, "pick", { command: "invite_for", args: "", what: "unit", options: units.map((u) => u.id), unitId: null });
}

export const COMMANDS: Command[] = [
  { key: "start", names: ["start", "start"], audience: "everyone", consent: false, inGroup: false, run: start },
  { key: "help", names: ["trogiup", "help"], audience: "everyone", consent: false, inGroup: true, run: (ctx) => help(ctx) },
  { key: "link", names: ["lienket", "link"], audience: "everyone", consent: true, inGroup: true, run: link },
  { key: "themes", names: ["dangky", "themes"], audience: "officer", consent: true, inGroup: true, scope: "campaign", forScope: themes },
  { key: "report", names: ["baocao", "report"], audience: "officer", consent: true, inGroup: true, scope: "campaign", forScope: (ctx, u, c) => ctx.svc.startDialog(ctx, "report", { unitId: u.id, campaignId: c!.id }) },
  { key: "nominate", names: ["tonvinh", "nominate"], audience: "officer", consent: true, inGroup: true, scope: "campaign", forScope: async (ctx, u, c) => ctx.svc.startDialog(ctx, "nominate", { unitId: u.id, campaignId: c!.id }, await nominateStep(ctx, u.id, c!.id)) },
  { key: "works", names: ["congtrinh", "works"], audience: "officer", consent: true, inGroup: true, scope: "campaign", forScope: (ctx, u, c) => ctx.svc.startDialog(ctx, "works", { unitId: u.id, campaignId: c!.id }) },
  { key: "records", names: ["hoso", "records"], audience: "officer", consent: true, inGroup: true, scope: "campaign", readsClosed: true, readsBelow: true, forScope: (ctx, u, c) => ctx.svc.startDialog(ctx, "records", { unitId: u.id, campaignId: c!.id }) },
  { key: "review", names: ["duyet", "review"], audience: "officer", consent: true, inGroup: true, scope: "unit", forScope: review },
  { key: "progress", names: ["tiendo", "progress"], audience: "officer", consent: true, inGroup: true, scope: "campaign", readsClosed: true, readsBelow: true, forScope: progress },
  { key: "calendar", names: ["lich", "calendar"], audience: "everyone", consent: false, inGroup: true, run: calendar },
  { key: "announce", names: ["thongbao", "announce"], audience: "officer", consent: true, inGroup: true, scope: "unit", forScope: (ctx, u) => ctx.svc.startDialog(ctx, "announce", { unitId: u.id, text: null }) },
  { key: "plan", names: ["kehoach", "campaign"], audience: "officer", consent: true, inGroup: true, scope: "unit", forScope: plan },
  { key: "export", names: ["xuat", "export"], audience: "officer", consent: true, inGroup: true, scope: "campaign", readsClosed: true, forScope: exportFile },
  { key: "invite", names: ["moi", "invite"], audience: "officer", consent: true, inGroup: false, run: invite },
  { key: "mydata", names: ["dulieu", "mydata"], audience: "everyone", consent: false, inGroup: false, run: (ctx) => ctx.svc.startDialog(ctx, "mydata", {}) },
  { key: "language", names: ["ngonngu", "language"], audience: "everyone", consent: false, inGroup: true, run: (ctx) => ctx.svc.startDialog(ctx, "language", {}) },
  { key: "cancel", names: ["huy", "cancel"], audience: "everyone", consent: false, inGroup: true, run: (ctx) => cancel(ctx, ctx.inbound.text?.trim().toLowerCase().startsWith("/huy") ?? false) },
  { key: "unsubscribe", names: ["huytheodoi", "unsubscribe"], audience: "everyone", consent: false, inGroup: false, run: (ctx) => unsubscribe(ctx) },
  { key: "connect", names: ["ketnoi", "connect"], audience: "everyone", consent: true, inGroup: false, run: connect },
  { key: "unlink", names: ["goketnoi", "unlink"], audience: "everyone", consent: false, inGroup: false, run: unlink },
  { key: "settings", names: ["caidat", "settings"], audience: "officer", consent: true, inGroup: true, run: settings },
  // Internal continuation of /moi after a unit was picked (not a typed command).
  { key: "invite_for", names: ["", ""], audience: "officer", consent: true, inGroup: false, scope: "unit", forScope: (ctx, u) => ctx.svc.startDialog(ctx, "invite", { unitId: u.id, kind: null }) },
];

const BY_NAME = new Map<string, Command>();
for (const c of COMMANDS) for (const n of c.names) if (n) BY_NAME.set(n, c);

export function findCommand(name: string): Command | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** The name a reader of `locale` is shown; the other one works too. */
export function commandName(c: Pick<Command, "names">, locale: Locale): string {
  return locale === "en" ? c.names[1] : c.names[0];
}

export function commandByKey(key: string): Command | undefined {
  return COMMANDS.find((c) => c.key === key);
}
