/**
 * The Telegram door, on grammY. It translates and nothing more: updates become the core's
 * Inbound (stored in the inbox first), Outbound becomes sendMessage with an inline
 * keyboard (or sendDocument, or sendPhoto for a picture), and Bot API failures become DeliveryErrors the outbox
 * understands. Long polling runs through @grammyjs/runner, sequential per chat; webhook
 * mode checks the secret token before reading a byte of the body.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Bot, GrammyError, type Api, HttpError as GrammyHttpError, InlineKeyboard, InputFile } from "grammy";
import type { BotCommand, Update } from "grammy/types";
import { run, sequentialize, type RunnerHandle } from "@grammyjs/runner";
import { isPicture, type ChatEvent, type Inbound, type Outbound } from "../../core/model.js";
import type { ChatAdmins, Logger } from "../../core/ports.js";
import { HttpError, readBody, sendJson, type Router } from "../../http/server.js";
import type { FileReader } from "../../infra/files.js";
import { DeliveryError, type Channel } from "../channel.js";
import { splitText } from "../replies.js";
import { chatIdOf, chatKey, malformation, mapUpdate } from "./map.js";
import { sameSecret } from "../webhook-secret.js";
import { telegramFetch } from "./http-fetch.js";
import { pause, Reachability, reconnectDelayMs, waitAtMost } from "../reachability.js";

/** Telegram's limits: message text and document caption. */
export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
const WEBHOOK_PATH = "/webhooks/telegram";
/** An update is a few kilobytes; anything near this is not Telegram. */
const WEBHOOK_BODY_LIMIT = 1024 * 1024;
/** Admin status is looked up again after this: a removed admin loses the right soon. */
export const ADMIN_CACHE_MS = 60_000;
const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;
/** One getMe attempt at start-up gives up after this (grammY's own timeout is a minute). */
const GETME_TIMEOUT_MS = 10_000;

export interface TelegramOptions {
  token: string;
  apiRoot: string;
  mode: "polling" | "webhook";
  webhookSecret?: string;
  publicUrl?: string;
  /** Store an update durably; resolves once it may be acknowledged. */
  receive(inbound: Inbound & { updateId: string }): Promise<boolean>;
  chatEvent(event: ChatEvent): Promise<void>;
  /**
   * Runs a task in turn with the updates of the chats already received: a chat event told
   * by an update (a group's new id) is applied after those chats' earlier messages and
   * before their later ones, never overtaking them.
   */
  inOrder(chatKeys: readonly string[], task: () => Promise<void>): Promise<void>;
  files: FileReader;
  /** Commands to register, per language (null: the default list). */
  commands: { language: "vi" | "en" | null; scope: "default" | "all_group_chats"; list: BotCommand[] }[];
  /** Start-up waits this long for Telegram to answer, then goes on and keeps trying in the background. */
  waitMs: number;
  log: Logger;
  /** The clock of the group-admin cache (tests move it); the system's by default. */
  now?: () => number;
}

/** Bot API failures, as the delivery worker needs to see them. */
export function classify(e: unknown): DeliveryError {
  if (e instanceof GrammyError) {
    const desc = e.description;
    if (e.error_code === 429) return new DeliveryError("retry", desc, (e.parameters.retry_after ?? 1) * 1000);
    if (e.error_code === 403) return new DeliveryError("gone", desc);
    if (e.parameters.migrate_to_chat_id) return new DeliveryError("gone", desc, undefined, chatKey(e.parameters.migrate_to_chat_id));
    if (e.error_code === 400 && /chat not found|bot is not a member|group chat was deactivated/i.test(desc)) return new DeliveryError("gone", desc);
    if (e.error_code >= 500) return new DeliveryError("retry", desc);
    return new DeliveryError("fatal", desc);
  }
  if (e instanceof GrammyHttpError) return new DeliveryError("retry", "network error");
  return new DeliveryError("retry", e instanceof Error ? e.message : String(e));
}

export class TelegramAdapter implements Channel, ChatAdmins {
  readonly platform = "tg";
  readonly bot: Bot;
  private runner: RunnerHandle | null = null;
  private readonly admins = new Map<string, { admin: boolean; until: number }>();
  private inFlight = 0;
  /** Updates dropped since start because they were malformed (each one logged). */
  malformed = 0;
  private readonly drained: (() => void)[] = [];
  /** Whether Telegram answers: what /readyz reports of this door. */
  readonly reach: Reachability;
  private readonly stopping = new AbortController();
  /** The connection made in the background when Telegram did not answer within the start-up wait. */
  private background: Promise<void> | null = null;

  constructor(private readonly o: TelegramOptions) {
    this.bot = new Bot(o.token, { client: { apiRoot: o.apiRoot, timeoutSeconds: 60, fetch: telegramFetch as unknown as typeof fetch } });
    this.reach = new Reachability("telegram", o.log);
    // Every answer of the Bot API shows whether Telegram is reachable (polling asks every 30 s).
    this.bot.api.config.use(async (prev, method, payload, signal) => {
      try {
        const res = await prev(method, payload, signal);
        if (!res.ok && res.error_code === 401) this.reach.lost("token refused");
        else if (!res.ok && res.error_code >= 500) this.reach.lost(`HTTP ${res.error_code}`);
        else this.reach.reached();
        return res;
      } catch (e) {
        if (!this.stopping.signal.aborted && !signal?.aborted) this.reach.lost(classify(e).message);
        throw e;
      }
    });
    // Counted from the moment grammY hands an update over until it is stored (or applied).
    this.bot.use(async (_ctx, next) => {
      this.inFlight++;
      try {
        await next();
      } finally {
        if (--this.inFlight === 0) for (const wake of this.drained.splice(0)) wake();
      }
    });
    // An update that breaks the Bot API's shapes is dropped with one line (its id and the
    // broken fields, never its text): failing on it would make Telegram resend it forever.
    this.bot.use(async (ctx, next) => {
      const broken = malformation(ctx.update);
      if (broken === null) return next();
      this.malformed++;
      o.log.warn("telegram update malformed, dropped", { updateId: ctx.update.update_id, fields: broken, dropped: this.malformed });
    });
    this.bot.use(sequentialize((ctx) => (ctx.chat ? String(ctx.chat.id) : undefined)));
    this.bot.use(async (ctx) => {
      // Stop the button's spinner at once; the answer itself comes as a message.
      if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
      const mapped = mapUpdate(ctx.update, this.bot.botInfo.username);
      if (!mapped) return;
      if ("event" in mapped) {
        const e = mapped.event;
        // A migration is reported by both the old and the new id: it holds both chats' queues.
        await o.inOrder(e.kind === "migrated" ? [e.chatKey, e.newChatKey] : [chatKey(ctx.chat!.id)], () => o.chatEvent(e));
      } else await o.receive(mapped.inbound);
    });
    this.bot.catch((err) => o.log.error("telegram update failed", { error: err.message }));
  }

  /** Resolves when every update grammY has handed over is stored in the inbox (or applied). */
  idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.drained.push(resolve));
  }


  /**
   * Check the token (getMe), register commands, then poll or take webhooks. Waits for
   * Telegram at most `waitMs`: a refused token within it stops start-up; an unreachable
   * Telegram is said in one line, and the door opens in the background once it answers.
   */
  async start(router: Router): Promise<void> {
    if (this.o.mode === "webhook") router.on("POST", WEBHOOK_PATH, (req, res) => this.webhook(req, res));
    const connecting = this.connect();
    if (await waitAtMost(connecting, this.o.waitMs)) return;
    this.reach.announce("cannot be reached at TELEGRAM_API_ROOT; retrying in the background");
    this.background = connecting.catch((e: unknown) => this.o.log.error("telegram door stays closed", { error: e instanceof Error ? e.message : String(e) }));
  }

  /** getMe until Telegram answers (with backoff), then open the door. */
  private async connect(): Promise<void> {
    const signal = this.stopping.signal;
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) return;
      try {
        // Not bot.init(): grammY retries that forever, silently.
        // (grammY types its signal with the abort-controller polyfill's type; Node's is the same at run time.)
        this.bot.botInfo = await this.bot.api.getMe(AbortSignal.any([signal, AbortSignal.timeout(GETME_TIMEOUT_MS)]) as Parameters<Api["getMe"]>[0]);
        break;
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof GrammyError && (e.error_code === 401 || e.error_code === 404)) {
          this.reach.lost("token refused");
          throw new Error("Telegram refused TELEGRAM_BOT_TOKEN (getMe: unauthorized)");
        }
        this.reach.lost(classify(e).message);
        this.o.log.debug("telegram getMe failed, retrying", { attempt });
        await pause(reconnectDelayMs(attempt), signal);
      }
    }
    await this.open();
  }

  private async open(): Promise<void> {
    for (const c of this.o.commands) {
      await this.bot.api
        .setMyCommands(c.list, { ...(c.language && { language_code: c.language }), scope: { type: c.scope } })
        .catch((e: unknown) => this.o.log.warn("setMyCommands failed", { error: classify(e).message }));
    }
    if (this.stopping.signal.aborted) return;
    if (this.o.mode === "webhook") {
      await this.bot.api.setWebhook(`${this.o.publicUrl}${WEBHOOK_PATH}`, { secret_token: this.o.webhookSecret, allowed_updates: [...ALLOWED_UPDATES] });
      this.o.log.info("telegram webhook set", { path: WEBHOOK_PATH });
    } else {
      await this.bot.api.deleteWebhook();
      this.runner = run(this.bot, {
        runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: 30 }, maxRetryTime: Infinity, retryInterval: "exponential", silent: true },
      });
      // A refused token (401) or a competing poller (409) ends the runner: say so.
      void this.runner.task()?.catch((e: unknown) => this.o.log.error("telegram polling stopped", { error: classify(e).message }));
      this.o.log.info("telegram polling started", { bot: this.bot.botInfo.username });
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.background;
    if (this.runner?.isRunning()) await this.runner.stop();
  }

  /** POST /webhooks/telegram: secret first, then a bounded body, then one Update object. */
  private async webhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!sameSecret(req.headers["x-telegram-bot-api-secret-token"], this.o.webhookSecret!)) {
      res.writeHead(401, { connection: "close" }).end();
      req.destroy();
      return;
    }
    // Not connected yet (Telegram unreachable at start-up): Telegram delivers it again later.
    if (!this.bot.isInited()) throw new HttpError(503, "not connected to Telegram yet");
    const body = await readBody(req, WEBHOOK_BODY_LIMIT);
    let update: unknown;
    try {
      update = JSON.parse(body.toString("utf8"));
    } catch {
      throw new HttpError(400, "malformed JSON");
    }
    if (typeof update !== "object" || update === null || Array.isArray(update) || !Number.isSafeInteger((update as Update).update_id)) {
      throw new HttpError(400, "not an Update");
    }
    // Stored before the 200: if we answered and then crashed, the inbox still has it.
    await this.bot.handleUpdate(update as Update);
    sendJson(res, 200, {});
  }

  async send(key: string, message: Outbound): Promise<{ messageId: string | null }> {
    try {
      return await this.sendTo(chatIdOf(key), message);
    } catch (e) {
      const err = classify(e);
      if (!err.migratedTo) throw err;
      // The group became a supergroup: follow it, and send there.
      await this.o.chatEvent({ kind: "migrated", chatKey: key, newChatKey: err.migratedTo });
      try {
        return await this.sendTo(chatIdOf(err.migratedTo), message);
      } catch (e2) {
        throw classify(e2);
      }
    }
  }

  private async sendTo(chatId: number, message: Outbound): Promise<{ messageId: string | null }> {
    const keyboard = message.choices?.length ? keyboardOf(message.choices) : undefined;
    if (message.file) {
      const file = await this.o.files(message.file.id);
      if (!file) throw new DeliveryError("fatal", "file no longer stored");
      const captioned = message.text.length <= CAPTION_LIMIT;
      if (!captioned) await this.sendText(chatId, message.text, undefined);
      const upload = new InputFile(file.data, message.file.name);
      const extra = { ...(captioned && { caption: message.text }), ...(keyboard && { reply_markup: keyboard }) };
      // A picture (/tiendo's chart) is shown in the chat; anything else is a document to download.
      const sent = isPicture(message.file.name) ? await this.bot.api.sendPhoto(chatId, upload, extra) : await this.bot.api.sendDocument(chatId, upload, extra);
      return { messageId: String(sent.message_id) };
    }
    return this.sendText(chatId, message.text, keyboard);
  }

  private async sendText(chatId: number, text: string, keyboard: InlineKeyboard | undefined): Promise<{ messageId: string | null }> {
    const parts = splitText(text, TEXT_LIMIT);
    let last = 0;
    for (let i = 0; i < parts.length; i++) {
      const isLast = i === parts.length - 1;
      // Plain text, no parse_mode: names with < * _ are shown as typed and never break the message.
      const sent = await this.bot.api.sendMessage(chatId, parts[i]!, { link_preview_options: { is_disabled: true }, ...(isLast && keyboard && { reply_markup: keyboard }) });
      last = sent.message_id;
    }
    return { messageId: String(last) };
  }

  /** Whether `user` administers the group `chat` (creator or administrator), cached for a minute. */
  async isAdmin(chat: string, user: string): Promise<boolean | null> {
    if (!chat.startsWith("tg:") || !user.startsWith("tg:")) return null;
    const key = `${chat}|${user}`;
    const hit = this.admins.get(key);
    const now = this.o.now?.() ?? Date.now();
    if (hit && hit.until > now) return hit.admin;
    try {
      const member = await this.bot.api.getChatMember(chatIdOf(chat), Number(user.slice(3)));
      const admin = member.status === "creator" || member.status === "administrator";
      this.admins.set(key, { admin, until: now + ADMIN_CACHE_MS });
      return admin;
    } catch (e) {
      this.o.log.warn("getChatMember failed", { error: classify(e).message });
      return null;
    }
  }
}

/** One button per row: labels are sentences in Vietnamese, often long. */
function keyboardOf(choices: { id: string; label: string }[]): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const c of choices) kb.text(c.label.slice(0, 64), c.id).row();
  return kb;
}
