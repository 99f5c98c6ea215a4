/**
 * The bot, platform-neutral: one inbound update in, the replies out. Each update is
 * handled in one database transaction — its changes, its audit rows, its outbox rows and
 * the dialog's next state commit together, or (on a refusal or a crash) not at all.
 */
import { AppError, isAppError } from "../errors.js";
import type { ChatEvent, Inbound, Locale, Outbound } from "../model.js";
import { notifyOfficers } from "../usecases/notify.js";
import { systemEnv } from "../usecases/env.js";
import type { OpenedUpdate, Store, Tx } from "../ports.js";
import { cleanInbound } from "../text.js";
import { localDateOf } from "../time.js";
import { resolveSpeaker, hasConsent } from "../usecases/people.js";
import { COMMANDS, commandByKey, findCommand, type Command } from "./commands.js";
import { makeCtx, type BotDeps, type Ctx, type Services } from "./context.js";
import { DialogRunner, type AnyDialog } from "./dialog.js";
import { allDialogs } from "./dialogs/index.js";
import { actingUnit, campaignOf } from "./scope.js";

/** Texts longer than this are refused before anything else happens. */
export const MAX_INBOUND_TEXT = 5000;

export interface HandleResult {
  replies: Outbound[];
  /** The update was handled before (a redelivery); `replies` are the ones given then. */
  duplicate: boolean;
}

const COMMAND_RE = /^\/([A-Za-z_]+)(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/;

export function parseCommand(text: string): { name: string; args: string } | null {
  const m = COMMAND_RE.exec(text.trim());
  return m ? { name: m[1]!.toLowerCase(), args: (m[2] ?? "").trim() } : null;
}

export class BotEngine implements Services {
  private readonly dialogs: DialogRunner;

  constructor(
    private readonly deps: BotDeps,
    private readonly store: Store,
    dialogs: AnyDialog[] = allDialogs,
  ) {
    this.dialogs = new DialogRunner(new Map(dialogs.map((d) => [d.name, d])));
  }

  get commands(): readonly Command[] {
    return COMMANDS;
  }

  /**
   * Handle one update. Never throws for a person's mistake: it answers instead. An update
   * with an `updateId` is applied once; a redelivery gets the replies of the first time,
   * flagged `duplicate` so the adapter can decide whether to send them again.
   */
  async handle(raw: Inbound): Promise<HandleResult> {
    // Whatever the door let through, nothing unstorable or direction-flipping goes further.
    const inbound = cleanInbound(raw);
    let locale: Locale = this.deps.defaultLocale;
    const key = inbound.updateId;
    try {
      return await this.withRetry(() =>
        this.store.transaction(async (tx) => {
          const opened = await tx.openUpdate({ key: key ?? null, at: this.deps.clock.now(), identityKey: inbound.userId, chatKey: inbound.chatId });
          if (opened.previous) return { replies: opened.previous, duplicate: true };
          const ctx = await this.context(tx, inbound, opened);
          locale = ctx.locale;
          const replies = await this.route(ctx);
          if (key) await tx.saveUpdateReplies(key, replies);
          return { replies, duplicate: false };
        }),
      );
    } catch (e) {
      if (!isAppError(e)) {
        this.deps.log.error("update failed", { platform: inbound.platform, error: e instanceof Error ? e.message : String(e) });
        return { replies: [{ text: this.deps.translate(locale, "errors.internal") }], duplicate: false };
      }
      // A refusal: everything the update did is rolled back; keep only the refusal itself.
      const replies = [{ text: this.deps.translate(locale, `errors.${e.code}`, e.params) }];
      await this.store.transaction(async (tx) => {
        if (e.afterRollback) await e.afterRollback(tx);
        if (key && !(await tx.claimUpdate(key, this.deps.clock.now()))) await tx.saveUpdateReplies(key, replies);
      });
      return { replies, duplicate: false };
    }
  }

  /**
   * Something happened to a chat itself: the bot was removed or added back, or the group
   * got a new id. A removed group stops receiving (and its unit's officers are told where
   * they can still be reached); a migrated one is followed.
   */
  async chatEvent(event: ChatEvent): Promise<void> {
    const now = this.deps.clock.now();
    await this.store.transaction(async (tx) => {
      const env = systemEnv("system", { ...this.deps, tx, now });
      if (event.kind === "migrated") {
        const chat = await tx.migrateChat(event.chatKey, event.newChatKey);
        if (chat) await tx.audit(env.actor, { action: "chat.migrated", entity: "chat", entityId: chat.id, unitId: chat.unitId, data: { from: event.chatKey, to: event.newChatKey } });
        return;
      }
      const active = event.kind === "bot_added";
      const before = await tx.getChat(event.chatKey);
      if (!before || before.active === active) return;
      const chat = (await tx.setChatActive(event.chatKey, active))!;
      const auditId = await tx.audit(env.actor, { action: active ? "chat.bot_added" : "chat.bot_removed", entity: "chat", entityId: chat.id, unitId: chat.unitId });
      if (!active && chat.unitId !== null) {
        const unit = (await tx.getUnit(chat.unitId))!;
        await notifyOfficers(env, unit.id, `removed:${auditId}`, "chat.removed", (locale) =>
          this.deps.translate(locale, "notify.bot_removed", { chat: chat.title ?? chat.key, unit: unit.name }),
        );
      }
    });
  }

  /** Two first messages of one new person can race to create them: try once more. */
  private async withRetry<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isAppError(e) || !isConflict(e)) throw e;
      return fn();
    }
  }

  private async context(tx: Tx, inbound: Inbound, known: OpenedUpdate): Promise<Ctx> {
    const { person, chat, rolesKnown } = await resolveSpeaker(tx, inbound, known);
    const now = this.deps.clock.now();
    const locale = person.locale ?? (chat.kind === "group" ? chat.locale : null) ?? this.deps.defaultLocale;
    return makeCtx({
      deps: this.deps,
      svc: this,
      tx,
      inbound,
      chat,
      person,
      locale,
      now,
      today: localDateOf(now, this.deps.timeZone),
      ...(rolesKnown && known.roles && { roles: known.roles }),
    });
  }

  private async route(ctx: Ctx): Promise<Outbound[]> {
    const { inbound } = ctx;
    if (inbound.text !== undefined && [...inbound.text].length > MAX_INBOUND_TEXT) {
      return [{ text: ctx.t("errors.too_long_message", { max: MAX_INBOUND_TEXT }) }];
    }
    if (inbound.choice !== undefined) {
      const rec = await this.dialogs.current(ctx);
      // Dialogs are per person: someone else's button finds no dialog of theirs.
      if (!rec) return [{ text: ctx.t("dialog.stale_button") }];
      return this.dialogs.answer(ctx, rec, { choiceId: inbound.choice });
    }
    if (inbound.unsupported) {
      // A photo, a sticker, a voice note: say what the bot can read, in private only.
      return ctx.chat.kind === "private" ? [{ text: ctx.t("errors.unsupported_content") }] : [];
    }
    const text = inbound.text ?? "";
    if (text.trim().startsWith("/")) return this.dispatch(ctx, text);
    const rec = await this.dialogs.current(ctx);
    if (rec) return this.dialogs.answer(ctx, rec, { text });
    // Groups are conversations between people: the bot speaks only when spoken to.
    if (ctx.chat.kind === "group") return [];
    return [{ text: ctx.t("errors.not_understood") }];
  }

  async dispatch(ctx: Ctx, text: string): Promise<Outbound[]> {
    const parsed = parseCommand(text);
    const cmd = parsed ? findCommand(parsed.name) : undefined;
    if (!parsed || !cmd || !cmd.names[0]) return [{ text: ctx.t("errors.unknown_command", { command: text.trim().split(/\s/)[0] }) }];
    if (ctx.chat.kind === "group" && !cmd.inGroup) throw new AppError("wrong_chat_kind", { context: "private" });
    if (cmd.consent && !(await hasConsent(ctx.tx, ctx.person))) {
      return this.startDialog(ctx, "consent", { pending: text.trim() });
    }
    return this.proceed(ctx, cmd.key, parsed.args);
  }

  async proceed(ctx: Ctx, key: string, args: string, scope: { unitId?: number; campaignId?: number } = {}): Promise<Outbound[]> {
    const cmd = commandByKey(key);
    if (!cmd) throw new Error(`unknown command ${key}`);
    if (cmd.run) return cmd.run(ctx, args);
    let unit = scope.unitId !== undefined ? await ctx.tx.getUnit(scope.unitId) : null;
    if (!unit) {
      const r = await actingUnit(ctx);
      if ("pick" in r) return this.startDialog(ctx, "pick", { command: key, args, what: "unit", options: r.pick.map((u) => u.id), unitId: null });
      unit = r.one;
    }
    let campaign = null;
    if (cmd.scope === "campaign") {
      campaign = scope.campaignId !== undefined ? await ctx.tx.getCampaign(scope.campaignId) : null;
      if (!campaign) {
        const r = await campaignOf(ctx, unit, { closedToo: cmd.readsClosed, below: cmd.readsBelow });
        if ("pick" in r) return this.startDialog(ctx, "pick", { command: key, args, what: "campaign", options: r.pick.map((c) => c.id), unitId: unit.id });
        campaign = r.one;
      }
    }
    return cmd.forScope!(ctx, unit, campaign, args);
  }

  async attempt(ctx: Ctx, fn: () => Promise<Outbound[]>): Promise<Outbound[]> {
    try {
      return await ctx.tx.savepoint(fn);
    } catch (e) {
      if (!isAppError(e)) throw e;
      if (e.afterRollback) await e.afterRollback(ctx.tx);
      return [{ text: ctx.t(`errors.${e.code}`, e.params) }];
    }
  }

  startDialog<D>(ctx: Ctx, name: string, data: D, step?: string, notes?: string[]): Promise<Outbound[]> {
    return this.dialogs.start(ctx, name, data, step, notes);
  }
}

/** Prisma's unique-constraint error and write conflict; PostgreSQL's unique_violation, serialization failure, deadlock. */
const CONFLICTS = new Set(["P2002", "P2034", "23505", "40001", "40P01"]);

function isConflict(e: unknown): boolean {
  // The database's code may be the error's own, or that of the driver's error Prisma wraps.
  type Coded = { code?: unknown; cause?: Coded; meta?: { code?: unknown; driverAdapterError?: Coded } } | null | undefined;
  const err = e as Coded;
  const codes = [err?.code, err?.cause?.code, err?.meta?.code, err?.meta?.driverAdapterError?.cause?.code];
  return codes.some((c) => typeof c === "string" && CONFLICTS.has(c));
}
