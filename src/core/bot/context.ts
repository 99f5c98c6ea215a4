/**
 * What a command or a dialog step sees while it handles one update: the transaction it
 * runs in, who is speaking, where, in which language, and at what time.
 */
import type { Actor, Chat, Inbound, Locale, LocalDate, Outbound, Person, Role } from "../model.js";
import type { ChatAdmins, Clock, Logger, SpreadsheetWriter, DocumentWriter, Translate, Tx } from "../ports.js";
import type { CampaignTemplate } from "../templates.js";

export interface BotDeps {
  clock: Clock;
  translate: Translate;
  log: Logger;
  timeZone: string;
  defaultLocale: Locale;
  spreadsheet: SpreadsheetWriter;
  /** Official documents (.docx): the phase and year reports, the reward list. */
  documents: DocumentWriter;
  /** Platform lookups of group administrators, where a platform offers them. */
  chatAdmins?: ChatAdmins;
  /** Campaign templates by key, for opening next year's plan from the chat. */
  templates?: (key: string) => CampaignTemplate | null;
}

/** What dialogs and commands may call back into: the engine's own entry points. */
export interface Services {
  /** Start a dialog, replacing the one in progress. */
  startDialog<D>(ctx: Ctx, name: string, data: D, step?: string, notes?: string[]): Promise<Outbound[]>;
  /** Run a command, resolving its unit and campaign (asking when needed). */
  proceed(ctx: Ctx, command: string, args: string, scope?: { unitId?: number; campaignId?: number }): Promise<Outbound[]>;
  /** Handle `text` as if the person had just typed it (a command kept while asking consent). */
  dispatch(ctx: Ctx, text: string): Promise<Outbound[]>;
  /** Run `fn` under a savepoint; a refusal (AppError) is undone and becomes its translated reply. */
  attempt(ctx: Ctx, fn: () => Promise<Outbound[]>): Promise<Outbound[]>;
}

export interface Ctx {
  readonly deps: BotDeps;
  readonly svc: Services;
  readonly tx: Tx;
  readonly now: Date;
  readonly today: LocalDate;
  readonly inbound: Inbound;
  readonly chat: Chat;
  readonly person: Person;
  readonly actor: Actor;
  locale: Locale;
  /** Translate in the speaker's language. */
  t(key: string, params?: Record<string, unknown>): string;
  /** Active roles of the speaker, loaded once per update. */
  roles(): Promise<Role[]>;
  /**
   * Load something once per update (a dialog step and the next prompt both need the unit
   * and the campaign). Only for what the update does not change.
   */
  memo<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export function makeCtx(init: {
  deps: BotDeps;
  svc: Services;
  tx: Tx;
  inbound: Inbound;
  chat: Chat;
  person: Person;
  locale: Locale;
  now: Date;
  today: LocalDate;
  /** The speaker's active roles, when already read. */
  roles?: Role[];
}): Ctx {
  let roles: Promise<Role[]> | null = init.roles ? Promise.resolve(init.roles) : null;
  const memos = new Map<string, Promise<unknown>>();
  const ctx: Ctx = {
    ...init,
    actor: { kind: "person", person: init.person },
    t(key, params) {
      return init.deps.translate(ctx.locale, key, params);
    },
    roles() {
      roles ??= init.tx.activeRoles(init.person.id);
      return roles;
    },
    memo<T>(key: string, load: () => Promise<T>): Promise<T> {
      let p = memos.get(key) as Promise<T> | undefined;
      if (!p) {
        p = load();
        memos.set(key, p);
      }
      return p;
    },
  };
  return ctx;
}
