/**
 * A fake Telegram Bot API server for tests: real HTTP on 127.0.0.1, the real Bot API
 * envelope ({ok, result} / {ok:false, error_code, description, parameters}), so that grammY
 * and @grammyjs/runner run against it unchanged (`client: { apiRoot: tg.apiRoot }`, or
 * TELEGRAM_API_ROOT for the app). A test plays the users — private chats and groups,
 * commands, button presses, adding and removing the bot, group → supergroup migration —
 * reads what the bot sent, and injects faults (429, 403, 5xx, hangs, reset connections,
 * an outage, flood limits).
 *
 * Modelled: getMe; getUpdates with real long polling, confirmation by offset, limit,
 * allowed_updates and the 409 conflicts; setWebhook/deleteWebhook/getWebhookInfo with
 * delivery by POST (secret header, retries with backoff, in order per chat, webhook
 * replies); sendMessage, editMessageText, editMessageReplyMarkup, deleteMessage,
 * answerCallbackQuery, sendDocument, sendPhoto (uploads, file_id and URL), sendChatAction,
 * getChatMember, set/get/deleteMyCommands. Texts are checked after parse_mode (HTML,
 * MarkdownV2, Markdown; see telegram-format.ts); inline keyboards are validated.
 *
 * Not modelled: channels, forum topics, inline mode, payments, media groups, other media
 * kinds, getFile/downloads, chat_member updates for users, group privacy mode (the bot
 * sees every group message, as with /setprivacy disabled), the 24-hour expiry of
 * updates, callback-query expiry, fetching file URLs, https-only and port rules for
 * webhooks (http://127.0.0.1 is accepted), message text trimming. Unknown methods answer
 * 404 "Not Found: method not found" — including real methods this fake does not know.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type {
  BotCommand, BotCommandScope, CallbackQuery, Chat, ChatMember, ChatMemberUpdated, Document, InlineKeyboardButton,
  InlineKeyboardMarkup, Message, MessageEntity, PhotoSize, ResponseParameters, Update, User, UserFromGetMe, WebhookInfo,
} from "grammy/types";
import { FormatError, parseFormatted } from "./telegram-format.js";
import { DEFAULT_LIMITS, SendLimits, type LimitOptions } from "./telegram-limits.js";
import { boundaryOf, parseMultipart, type UploadedFile } from "./telegram-multipart.js";

export type TgUser = User;
export type TgChat = Chat.PrivateChat | Chat.GroupChat | Chat.SupergroupChat;
export type ChatRef = number | { id: number };
export type MemberStatus = "creator" | "administrator" | "member" | "left" | "kicked";
type UserMessage = Message & { from: User; chat: TgChat };
type Content = Omit<Partial<Message>, "message_id" | "from" | "chat" | "date">;
type ReplyMessage = Message & { reply_to_message: undefined };

export interface FakeTelegramOptions {
  /** Default "7000000001:AAF-fake-token-for-thidua-bot-tests"; the digits before ":" are the bot's id. */
  token?: string;
  botUsername?: string;
  botName?: string;
  /** Webhook retry backoff: first wait, growth factor, cap (defaults 100 ms, ×2, 2000 ms). */
  webhookRetry?: { initialMs?: number; factor?: number; maxMs?: number };
  /** How long a webhook POST may take before it counts as failed (default 10 s). */
  webhookTimeoutMs?: number;
  /** Clock for `date` fields (default: real time). Flood limits always use real time. */
  now?: () => Date;
}

/** A message the bot sent or edited, in the order Telegram accepted it. */
export interface SentMessage {
  method: "sendMessage" | "sendDocument" | "sendPhoto" | "editMessageText" | "editMessageReplyMarkup";
  message_id: number;
  chat_id: number;
  /** Visible text, after parse_mode. */
  text?: string;
  caption?: string;
  parse_mode?: string;
  entities?: MessageEntity[];
  reply_markup?: InlineKeyboardMarkup;
  /** The inline keyboard flattened, row by row. */
  buttons: { text: string; data?: string; url?: string }[];
  document?: { filename: string; size: number; mime: string; file_id: string; bytes: Buffer };
  photo?: { size: number; file_id: string; filename: string; bytes: Buffer };
  date: number;
  edited: boolean;
}

export interface ApiCall {
  method: string;
  /** As received: multipart values are strings; JSON-typed fields are parsed; files are {filename, size, contentType}. */
  params: Record<string, unknown>;
  /** HTTP status answered; 0 = no answer (client went away, hang outlived it, or reset). */
  status: number;
  description?: string;
  at: number;
  ms: number;
  via?: "webhook-reply";
}

export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
  url?: string;
  at: number;
}

export interface CommandSet {
  scope: BotCommandScope;
  language_code: string;
  commands: BotCommand[];
}

export interface WebhookDelivery {
  update_id: number;
  url: string;
  attempt: number;
  /** HTTP status of the bot's answer; 0 = connection error or timeout (see `error`). */
  status: number;
  error?: string;
  at: number;
  ms: number;
}

export interface Stats {
  sentOk: number;
  /** Sends refused by the limits model (not injected faults). */
  rejected429: number;
  byChat: Record<string, { sentOk: number; rejected429: number }>;
}

/**
 * What failNext makes a call do instead of its normal answer. `performed` (hang, reset):
 * whether the call still takes effect — hang: at once, only the answer is late (false:
 * only when the late answer is given); reset: before the socket is destroyed. A 502 is
 * nginx's HTML page, as Telegram's front end sends it, so grammY raises HttpError.
 */
export type Fault =
  | { status: 429; retryAfter: number }
  | { status: 400 | 401 | 403 | 404 | 409 | 500; description?: string }
  | { status: 502 }
  | { hangMs: number; performed?: boolean }
  | { reset: true; performed?: boolean };

// ---------------------------------------------------------------------------------------

type Params = Record<string, unknown>;
interface Req {
  params: Params;
  files: Map<string, UploadedFile>;
  signal: AbortSignal;
}
interface ChatState {
  chat: TgChat;
  /** The bot in this chat; in a private chat "left" = never started, "kicked" = blocked. */
  bot: MemberStatus;
  members: Map<number, MemberStatus>;
  nextId: number;
  messages: Map<number, UserMessage>;
  migratedTo?: number;
}
interface Queued {
  update: Update;
  /** A deliverAgain copy: handed out regardless of offset, dropped by the next getUpdates. */
  again: boolean;
  handedOut: boolean;
}
interface Webhook {
  url: string;
  secret?: string;
  maxConnections: number;
}
interface StoredFile {
  fileId: string;
  uniqueId: string;
  filename: string;
  mime: string;
  bytes: Buffer;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
  }
}
const bad = (description: string) => new ApiError(400, `Bad Request: ${description}`);
const GATEWAY = new ApiError(502, "Bad Gateway");
const NGINX_502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n";
const NO_ANSWER = Symbol("no answer");
const JSON_FIELDS = ["reply_markup", "reply_parameters", "commands", "scope", "allowed_updates", "entities", "caption_entities", "link_preview_options"];
const NOT_BY_DEFAULT = ["chat_member", "message_reaction", "message_reaction_count"];
const CHAT_ACTIONS = ["typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"];
const MIME: Record<string, string> = {
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xls: "application/vnd.ms-excel",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", csv: "text/csv", txt: "text/plain",
  pdf: "application/pdf", json: "application/json", zip: "application/zip", png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg",
};

export class FakeTelegram {
  readonly token: string;
  readonly bot: TgUser & { username: string };
  private readonly server: http.Server;
  private port = 0;
  private readonly options: FakeTelegramOptions;

  private readonly users = new Map<number, User>();
  private readonly chats = new Map<number, ChatState>();
  private nextUserId = 100_000_001;
  private nextGroupId = 4_100_000_001;
  private nextSupergroupId = 1_002_100_000_001;

  private queue: Queued[] = [];
  private readonly history = new Map<number, Update>();
  private nextUpdateId = 500_000_001;
  private allowedUpdates: string[] | undefined;
  private poll: { wake(): void; end(result: Update[] | ApiError): void } | undefined;
  private hook: Webhook | undefined;
  private readonly inFlight = new Set<string>();
  private lastWebhookError: { date: number; message: string } | undefined;

  private readonly queries = new Map<string, { answered: boolean }>();
  private nextQueryId = 4_000_000_000_000_001;
  private readonly files = new Map<string, StoredFile>();
  private nextFileId = 1;
  private readonly commandSets = new Map<string, CommandSet>();

  private sentLog: SentMessage[] = [];
  private callLog: ApiCall[] = [];
  private answerLog: CallbackAnswer[] = [];
  private deliveryLog: WebhookDelivery[] = [];
  private statsData: Stats = { sentOk: 0, rejected429: 0, byChat: {} };
  private readonly listeners = new Set<() => void>();
  private notifying = false;

  private faults: { method: string; fault: Fault; left: number; chatId?: number }[] = [];
  private isDown = false;
  private limits: SendLimits | undefined;
  private stopped = false;
  private readonly stopping = new AbortController();

  private constructor(options: FakeTelegramOptions) {
    this.options = options;
    this.token = options.token ?? "7000000001:AAF-fake-token-for-thidua-bot-tests";
    const id = Number(/^(\d+):/.exec(this.token)?.[1] ?? 7_000_000_001);
    this.bot = { id, is_bot: true, first_name: options.botName ?? "Thi đua (test)", username: options.botUsername ?? "thidua_test_bot" };
    this.server = http.createServer((req, res) => void this.onRequest(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  /** Starts a server on 127.0.0.1 and a free port. */
  static async start(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const tg = new FakeTelegram(options);
    await new Promise<void>((resolve, reject) => {
      tg.server.once("error", reject);
      tg.server.listen(0, "127.0.0.1", () => resolve());
    });
    tg.port = (tg.server.address() as AddressInfo).port;
    return tg;
  }

  /** "http://127.0.0.1:PORT" — grammY's `client.apiRoot`, the app's TELEGRAM_API_ROOT. */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Closes the server: pending long polls get an empty answer, open connections are cut. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort();
    this.poll?.end([]);
    await new Promise((r) => setImmediate(r));
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // ---- the world: users, chats, what they do ---------------------------------------------

  /** A Telegram user (not a bot). Creating one does not start a chat with the bot. */
  user(u: { id?: number; firstName: string; lastName?: string; username?: string; languageCode?: string }): TgUser {
    const user: User = { id: u.id ?? this.nextUserId++, is_bot: false, first_name: u.firstName };
    if (u.lastName !== undefined) user.last_name = u.lastName;
    if (u.username !== undefined) user.username = u.username;
    if (u.languageCode !== undefined) user.language_code = u.languageCode;
    this.users.set(user.id, user);
    this.privateState(user);
    return user;
  }

  /** The user's private chat with the bot. The bot may write there once the user has written. */
  privateChat(user: TgUser): Chat.PrivateChat {
    return this.privateState(user).chat as Chat.PrivateChat;
  }

  /** A group the bot is not in yet (see addBotToGroup). Ids are negative; supergroups -100…. */
  group(g: { title: string; type?: "group" | "supergroup"; id?: number; creator?: TgUser }): Chat.GroupChat | Chat.SupergroupChat {
    const type = g.type ?? "group";
    const id = g.id ?? (type === "group" ? -this.nextGroupId++ : -this.nextSupergroupId++);
    if (this.chats.has(id)) throw new Error(`chat ${id} exists already`);
    const chat: Chat.GroupChat | Chat.SupergroupChat = { id, type, title: g.title };
    const state: ChatState = { chat, bot: "left", members: new Map(), nextId: 1, messages: new Map() };
    if (g.creator) {
      this.users.set(g.creator.id, g.creator);
      state.members.set(g.creator.id, "creator");
    }
    this.chats.set(id, state);
    return chat;
  }

  /** `by` adds the bot: a my_chat_member update (left → member), then the new_chat_members message. */
  addBotToGroup(chat: ChatRef, by: TgUser): Update {
    const s = this.groupState(chat);
    if (s.bot === "member" || s.bot === "administrator") throw new Error(`the bot is already in ${s.chat.id}`);
    this.join(s, by);
    const update = this.botStatusChange(s, by, "member");
    this.newUpdate({ message: this.newMessage(s, by, { new_chat_members: [this.bot] }) });
    return update;
  }

  /**
   * The bot is already in `chat` (it was added before the test began): no update is sent.
   * For tests that need thousands of groups the bot can post in.
   */
  botAlreadyIn(chat: ChatRef): void {
    this.groupState(chat).bot = "member";
  }

  /** `by` removes the bot: my_chat_member (→ kicked); sends there then fail with 403. */
  removeBotFromGroup(chat: ChatRef, by: TgUser): Update {
    const s = this.groupState(chat);
    return this.botStatusChange(s, by, "kicked");
  }

  /** Makes `user` an administrator (or a plain member again). For the bot, emits my_chat_member. */
  setAdmin(chat: ChatRef, user: TgUser, admin: boolean): void {
    this.setMemberStatus(chat, user, admin ? "administrator" : "member");
  }

  /** Sets what getChatMember answers for `user` in `chat`. */
  setMemberStatus(chat: ChatRef, user: TgUser, status: MemberStatus): void {
    const s = this.state(chat);
    if (user.id === this.bot.id) {
      const by = this.someone(s);
      this.botStatusChange(s, by, status);
      return;
    }
    this.users.set(user.id, user);
    s.members.set(user.id, status);
  }

  /** The user blocks the bot: my_chat_member (member → kicked); sends answer 403 until the user writes again. */
  blockBot(user: TgUser): Update {
    return this.botStatusChange(this.privateState(user), user, "kicked");
  }

  /**
   * `from` sends `text` in `chat`. Words like "/lienket" or "/start@bot" get bot_command
   * entities, "@name" mention entities. In a private chat this starts (or unblocks) the chat.
   */
  sendText(from: TgUser, chat: ChatRef, text: string, opts: { replyTo?: number } = {}): Update {
    const s = this.state(chat);
    this.users.set(from.id, from);
    if (s.migratedTo !== undefined) throw new Error(`chat ${s.chat.id} became supergroup ${s.migratedTo}`);
    if (s.chat.type === "private") {
      if (s.chat.id !== from.id) throw new Error(`${from.first_name} cannot write in ${s.chat.first_name}'s private chat`);
      if (s.bot === "kicked") this.botStatusChange(s, from, "member");
      s.bot = "member";
    } else {
      if (s.bot !== "member" && s.bot !== "administrator") throw new Error(`the bot is not in "${s.chat.title}"; call addBotToGroup first`);
      this.join(s, from);
    }
    const content: Content = { text };
    const entities = textEntities(text);
    if (entities.length > 0) content.entities = entities;
    if (opts.replyTo !== undefined) {
      const replied = s.messages.get(opts.replyTo);
      if (!replied) throw new Error(`no message ${opts.replyTo} in chat ${s.chat.id}`);
      content.reply_to_message = withoutReply(replied);
    }
    return this.newUpdate({ message: this.newMessage(s, from, content) });
  }

  /**
   * `from` presses the inline button with callback_data `data` under the bot's message.
   * Throws if the message has no such button now, unless `stale` (a client showing an old keyboard).
   */
  pressButton(from: TgUser, chat: ChatRef, messageId: number, data: string, opts: { stale?: boolean } = {}): Update {
    const s = this.state(chat);
    const message = s.messages.get(messageId);
    if (!message || message.from.id !== this.bot.id) throw new Error(`no message of the bot with id ${messageId} in chat ${s.chat.id}`);
    const datas = (message.reply_markup?.inline_keyboard ?? []).flat().flatMap((b) => ("callback_data" in b ? [b.callback_data] : []));
    if (!opts.stale && !datas.includes(data)) throw new Error(`message ${messageId} has no button "${data}" (it has: ${datas.map((d) => JSON.stringify(d)).join(", ") || "none"})`);
    this.users.set(from.id, from);
    if (s.chat.type !== "private") this.join(s, from);
    const id = String(this.nextQueryId++);
    this.queries.set(id, { answered: false });
    const query: CallbackQuery = { id, from, message, chat_instance: String(BigInt(s.chat.id) * 7919n), data };
    return this.newUpdate({ callback_query: query });
  }

  /**
   * Upgrades a basic group to a supergroup: a {migrate_to_chat_id} message in the old chat,
   * a {migrate_from_chat_id} message in the new one; sends to the old id answer 400 with
   * parameters.migrate_to_chat_id from now on. Returns the new chat. Telegram does not
   * promise which of the two messages arrives first: `newSideFirst` flips them.
   */
  migrateGroup(chat: ChatRef, by?: TgUser, opts: { newSideFirst?: boolean } = {}): Chat.SupergroupChat {
    const old = this.groupState(chat);
    if (old.chat.type !== "group") throw new Error(`chat ${old.chat.id} is not a basic group`);
    if (old.migratedTo !== undefined) throw new Error(`chat ${old.chat.id} was migrated already`);
    const who = by ?? this.someone(old);
    const next = this.group({ title: old.chat.title, type: "supergroup" }) as Chat.SupergroupChat;
    const s = this.state(next);
    s.bot = old.bot;
    for (const [id, status] of old.members) s.members.set(id, status);
    old.migratedTo = next.id;
    const sides = [() => this.newUpdate({ message: this.newMessage(old, who, { migrate_to_chat_id: next.id }) }), () => this.newUpdate({ message: this.newMessage(s, who, { migrate_from_chat_id: old.chat.id }) })];
    for (const side of opts.newSideFirst ? sides.reverse() : sides) side();
    return next;
  }

  /** Queues update `updateId` once more, same update_id — a duplicate delivery. */
  deliverAgain(updateId: number): void {
    const update = this.history.get(updateId);
    if (!update) throw new Error(`no update ${updateId}`);
    this.enqueue(structuredClone(update), true);
  }

  // ---- observation -----------------------------------------------------------------------

  /** Every message the bot sent or edited (edits are extra entries with edited: true), in order. */
  sent(chat?: ChatRef): SentMessage[] {
    const id = chat === undefined ? undefined : chatIdOf(chat);
    return this.sentLog.filter((m) => id === undefined || m.chat_id === id);
  }

  /**
   * Waits until the bot has sent `count` messages into `chat` (resolves with the first
   * `count`), or one matching `predicate` (resolves with all matching ones). Counts include
   * what was sent before the call: use clear() or add the current number. `chat`
   * undefined = any chat. Rejects after `timeoutMs` with the list of what was sent.
   */
  waitForSent(chat: ChatRef | undefined, match: number | ((m: SentMessage) => boolean), timeoutMs = 10_000): Promise<SentMessage[]> {
    const check = () => {
      const all = this.sent(chat);
      if (typeof match === "number") return all.length >= match ? all.slice(0, match) : undefined;
      const hits = all.filter(match);
      return hits.length > 0 ? hits : undefined;
    };
    const what = typeof match === "number" ? `${match} message(s)` : "a matching message";
    const where = chat === undefined ? "any chat" : `chat ${chatIdOf(chat)}`;
    return this.waitUntil(check, timeoutMs, () => `waitForSent: no ${what} in ${where} after ${timeoutMs} ms; sent:\n${describeSent(this.sent(chat))}`);
  }

  /** Waits for an API call of `method` (answered) matching `predicate`. */
  waitForCall(method: string, predicate: (c: ApiCall) => boolean = () => true, timeoutMs = 10_000): Promise<ApiCall> {
    const check = () => this.callLog.find((c) => c.method === method && predicate(c));
    return this.waitUntil(check, timeoutMs, () => `waitForCall: no ${method} after ${timeoutMs} ms; calls: ${this.callLog.map((c) => `${c.method} ${c.status}`).join(", ")}`);
  }

  /** Every API call answered (or abandoned), in order of completion. */
  get calls(): ApiCall[] {
    return [...this.callLog];
  }
  get callbackAnswers(): CallbackAnswer[] {
    return [...this.answerLog];
  }
  /** What setMyCommands set, one entry per scope and language_code ("" = all languages). */
  get commands(): CommandSet[] {
    return [...this.commandSets.values()];
  }
  /** The commands for one language and scope (default scope), or undefined if none were set. */
  commandsFor(languageCode = "", scope: BotCommandScope = { type: "default" }): BotCommand[] | undefined {
    return this.commandSets.get(scopeKey(scope, languageCode))?.commands;
  }
  get webhook(): { url: string; secret?: string; maxConnections: number; allowedUpdates?: string[] } | undefined {
    return this.hook && { ...this.hook, ...(this.allowedUpdates ? { allowedUpdates: [...this.allowedUpdates] } : {}) };
  }
  /** Every webhook POST attempt and how the bot's endpoint answered. */
  get deliveries(): WebhookDelivery[] {
    return [...this.deliveryLog];
  }
  /** Every update created, by id (deliverAgain copies share their original's id). */
  get updates(): Update[] {
    return [...this.history.values()];
  }
  /** Updates not yet confirmed (getUpdates) or delivered (webhook). */
  get pendingUpdateCount(): number {
    return this.queue.length;
  }
  /** Bytes of a file the bot uploaded. */
  file(fileId: string): Buffer | undefined {
    return this.files.get(fileId)?.bytes;
  }
  stats(): Stats {
    return structuredClone(this.statsData);
  }

  /** Forgets what was observed (sent, calls, answers, deliveries, stats). Chats, updates, faults stay. */
  clear(): void {
    this.sentLog = [];
    this.callLog = [];
    this.answerLog = [];
    this.deliveryLog = [];
    this.statsData = { sentOk: 0, rejected429: 0, byChat: {} };
  }

  // ---- faults and limits -----------------------------------------------------------------

  /** The next `times` calls of `method` ("*" = any), optionally only those for `chatId`, get `fault`. */
  failNext(method: string, fault: Fault, times = 1, only: { chatId?: number } = {}): void {
    this.faults.push({ method: method.toLowerCase(), fault, left: times, chatId: only.chatId });
  }

  /** An outage: every request (getUpdates too, pending long polls included) gets nginx's 502; webhook deliveries pause. */
  down(on: boolean): void {
    this.isDown = on;
    if (on) this.poll?.end(GATEWAY);
    else this.pump();
  }

  /** Turns the flood-limits model on (see telegram-limits.ts) with these numbers, or off with `false`. */
  enforceLimits(options: Partial<LimitOptions> | false = {}): void {
    this.limits = options === false ? undefined : new SendLimits({ ...DEFAULT_LIMITS, ...options });
  }

  // ---- HTTP ------------------------------------------------------------------------------

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    const gone = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) gone.abort();
    });
    const call: ApiCall = { method: "", params: {}, status: 0, at, ms: 0 };
    const answer = (status: number, body: string, type = "application/json") => {
      if (gone.signal.aborted || res.destroyed) return;
      res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
      res.end(body);
      call.status = status;
    };
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const path = /^\/bot([^/]*)\/([^/]+)$/.exec(url.pathname);
      call.method = path?.[2] ?? url.pathname;
      if (this.isDown) throw GATEWAY;
      if (!path) throw new ApiError(404, "Not Found");
      if (decodeURIComponent(path[1] as string) !== this.token) throw new ApiError(401, "Unauthorized");
      const method = this.methodName(call.method);
      call.method = method;
      const { params, files } = await readBody(req, url);
      call.params = loggable(params, files);
      const result = await this.withFault(this.takeFault(method, params), () => this.execute(method, { params, files, signal: gone.signal }), gone.signal, req);
      if (result !== NO_ANSWER) answer(200, JSON.stringify({ ok: true, result }));
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, `Internal Server Error: fake Telegram failed: ${e instanceof Error ? e.stack : String(e)}`);
      call.description = err.description;
      if (err === GATEWAY) answer(502, NGINX_502, "text/html");
      else answer(err.status, JSON.stringify({ ok: false, error_code: err.status, description: err.description, ...(err.parameters ? { parameters: err.parameters } : {}) }));
    } finally {
      call.ms = Date.now() - at;
      this.callLog.push(call);
      this.notify();
    }
  }

  private takeFault(method: string, params: Params): Fault | undefined {
    const chatId = Number(params.chat_id);
    const i = this.faults.findIndex((f) => (f.method === "*" || f.method === method.toLowerCase()) && (f.chatId === undefined || f.chatId === chatId));
    const rule = this.faults[i];
    if (!rule) return undefined;
    if (--rule.left <= 0) this.faults.splice(i, 1);
    return rule.fault;
  }

  private async withFault(fault: Fault | undefined, run: () => Promise<unknown>, gone: AbortSignal, req: http.IncomingMessage): Promise<unknown> {
    if (!fault) return run();
    if ("hangMs" in fault) {
      const early = fault.performed ? await run().then((value) => ({ value }), (error: unknown) => ({ error })) : undefined;
      await sleep(fault.hangMs, gone);
      if (gone.aborted) return NO_ANSWER;
      if (!early) return run();
      if ("error" in early) throw early.error;
      return early.value;
    }
    if ("reset" in fault) {
      if (fault.performed) await run().catch(() => undefined);
      req.socket.destroy();
      return NO_ANSWER;
    }
    if (fault.status === 502) throw GATEWAY;
    if (fault.status === 429) throw new ApiError(429, `Too Many Requests: retry after ${fault.retryAfter}`, { retry_after: fault.retryAfter });
    const defaults: Record<number, string> = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden: bot was blocked by the user", 404: "Not Found", 409: "Conflict", 500: "Internal Server Error" };
    throw new ApiError(fault.status, fault.description ?? defaults[fault.status] ?? "Error");
  }

  private readonly handlers: Record<string, (r: Req) => unknown> = {
    getMe: () => this.me(),
    getUpdates: (r) => this.getUpdates(r),
    setWebhook: (r) => this.setWebhook(r.params),
    deleteWebhook: (r) => this.deleteWebhook(r.params),
    getWebhookInfo: () => this.webhookInfo(),
    sendMessage: (r) => this.sendMessage(r.params),
    editMessageText: (r) => this.editMessage(r.params, true),
    editMessageReplyMarkup: (r) => this.editMessage(r.params, false),
    deleteMessage: (r) => this.deleteMessage(r.params),
    answerCallbackQuery: (r) => this.answerCallbackQuery(r.params),
    sendDocument: (r) => this.sendFile(r, "document"),
    sendPhoto: (r) => this.sendFile(r, "photo"),
    sendChatAction: (r) => this.sendChatAction(r.params),
    getChatMember: (r) => this.getChatMember(r.params),
    setMyCommands: (r) => this.setMyCommands(r.params),
    getMyCommands: (r) => this.commandSets.get(scopeKey(this.scope(r.params), languageOf(r.params)))?.commands ?? [],
    deleteMyCommands: (r) => this.commandSets.delete(scopeKey(this.scope(r.params), languageOf(r.params))) || true,
  };

  /** Bot API method names are case-insensitive. */
  private methodName(name: string): string {
    const known = Object.keys(this.handlers).find((m) => m.toLowerCase() === name.toLowerCase());
    if (!known) throw new ApiError(404, "Not Found: method not found");
    return known;
  }

  private async execute(method: string, r: Req): Promise<unknown> {
    const handler = this.handlers[method];
    if (!handler) throw new ApiError(404, "Not Found: method not found");
    return await handler(r);
  }

  // ---- updates: getUpdates and webhooks --------------------------------------------------

  private newUpdate(content: Omit<Update, "update_id">): Update {
    const update = { update_id: this.nextUpdateId++, ...structuredClone(content) };
    this.history.set(update.update_id, update);
    return this.enqueue(structuredClone(update), false);
  }

  private enqueue(update: Update, again: boolean): Update {
    this.queue.push({ update, again, handedOut: false });
    this.poll?.wake();
    this.pump();
    return update;
  }

  private isAllowed(update: Update): boolean {
    const type = Object.keys(update).find((k) => k !== "update_id") ?? "";
    return this.allowedUpdates ? this.allowedUpdates.includes(type) : !NOT_BY_DEFAULT.includes(type);
  }

  private setAllowed(raw: unknown): void {
    const list = jsonParam(raw, "allowed_updates");
    if (list === undefined) return;
    if (!Array.isArray(list) || !list.every((t) => typeof t === "string")) throw bad("can't parse allowed updates list");
    this.allowedUpdates = list.length > 0 ? list : undefined;
  }

  /** Updates for a getUpdates answer: allowed types only (others are dropped), at most `limit`. */
  private collect(limit: number): Update[] {
    this.queue = this.queue.filter((q) => this.isAllowed(q.update));
    const out: Update[] = [];
    for (const q of this.queue) {
      if (out.length >= limit) break;
      if (q.again && q.handedOut) continue;
      out.push(q.update);
      if (q.again) q.handedOut = true;
    }
    return out;
  }

  private async getUpdates(r: Req): Promise<Update[]> {
    if (this.hook) throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    this.poll?.end(new ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"));
    const offset = intParam(r.params, "offset") ?? 0;
    const limit = Math.min(100, Math.max(1, intParam(r.params, "limit") ?? 100));
    const timeout = Math.max(0, intParam(r.params, "timeout") ?? 0);
    this.setAllowed(r.params.allowed_updates);
    // Confirm: updates below the offset are forgotten; a negative offset keeps the last -offset.
    this.queue = this.queue.filter((q) => (q.again ? !q.handedOut : offset <= 0 || q.update.update_id >= offset));
    if (offset < 0) this.queue = this.queue.slice(offset);
    const ready = this.collect(limit);
    if (ready.length > 0 || timeout === 0 || r.signal.aborted) return ready;
    return await new Promise<Update[]>((resolve, reject) => {
      const end = (result: Update[] | ApiError) => {
        clearTimeout(timer);
        r.signal.removeEventListener("abort", onGone);
        if (this.poll === poll) this.poll = undefined;
        if (result instanceof ApiError) reject(result);
        else resolve(result);
      };
      const poll = {
        wake: () => {
          const got = this.collect(limit);
          if (got.length > 0) end(got);
        },
        end,
      };
      const onGone = () => end([]);
      const timer = setTimeout(() => end([]), timeout * 1000);
      r.signal.addEventListener("abort", onGone);
      this.poll = poll;
    });
  }

  private setWebhook(p: Params): true {
    const url = stringParam(p, "url") ?? "";
    if (url === "") return this.deleteWebhook(p);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw bad("bad webhook: Failed to resolve host: Name or service not known");
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw bad("bad webhook: An HTTPS URL must be provided for webhook");
    const secret = stringParam(p, "secret_token");
    if (secret !== undefined && !/^[A-Za-z0-9_-]*$/.test(secret)) throw bad("secret token contains unallowed characters");
    if (secret !== undefined && (secret.length < 1 || secret.length > 256)) throw bad("secret token must be 1-256 characters long");
    const maxConnections = intParam(p, "max_connections") ?? 40;
    if (maxConnections < 1 || maxConnections > 100) throw bad("bad webhook: max_connections must be between 1 and 100");
    this.setAllowed(p.allowed_updates);
    if (booleanParam(p, "drop_pending_updates")) this.queue = [];
    this.hook = { url, maxConnections, ...(secret ? { secret } : {}) };
    this.poll?.end(new ApiError(409, "Conflict: terminated by setWebhook request"));
    this.pump();
    return true;
  }

  private deleteWebhook(p: Params): true {
    this.hook = undefined;
    if (booleanParam(p, "drop_pending_updates")) this.queue = [];
    return true;
  }

  private webhookInfo(): WebhookInfo {
    const info: WebhookInfo = { url: this.hook?.url ?? "", has_custom_certificate: false, pending_update_count: this.queue.length };
    if (this.hook) info.max_connections = this.hook.maxConnections;
    if (this.allowedUpdates) info.allowed_updates = this.allowedUpdates as WebhookInfo["allowed_updates"];
    if (this.lastWebhookError) {
      info.last_error_date = this.lastWebhookError.date;
      info.last_error_message = this.lastWebhookError.message;
    }
    return info;
  }

  /** Starts a delivery for the oldest pending update of every chat that has none in flight. */
  private pump(): void {
    const hook = this.hook;
    if (!hook || this.isDown || this.stopped) return;
    this.queue = this.queue.filter((q) => this.isAllowed(q.update));
    for (const q of this.queue) {
      if (this.inFlight.size >= hook.maxConnections) break;
      const key = chatKeyOf(q.update);
      if (this.inFlight.has(key)) continue;
      this.inFlight.add(key);
      void this.deliver(hook, q, key);
    }
  }

  private async deliver(hook: Webhook, q: Queued, key: string): Promise<void> {
    const { initialMs = 100, factor = 2, maxMs = 2000 } = this.options.webhookRetry ?? {};
    try {
      for (let attempt = 1; this.hook === hook && !this.isDown && !this.stopped; attempt++) {
        const answer = await this.post(hook, q.update, attempt);
        if (answer !== undefined) {
          this.queue = this.queue.filter((x) => x !== q);
          await this.webhookReply(answer);
          return;
        }
        await sleep(Math.min(maxMs, initialMs * factor ** (attempt - 1)), this.stopping.signal);
      }
    } finally {
      this.inFlight.delete(key);
      this.pump();
    }
  }

  /** One delivery attempt: the body of a 2xx answer, or undefined if it failed. */
  private async post(hook: Webhook, update: Update, attempt: number): Promise<string | undefined> {
    const record: WebhookDelivery = { update_id: update.update_id, url: hook.url, attempt, status: 0, at: Date.now(), ms: 0 };
    try {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (hook.secret) headers["x-telegram-bot-api-secret-token"] = hook.secret;
      const signal = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.options.webhookTimeoutMs ?? 10_000)]);
      const res = await fetch(hook.url, { method: "POST", headers, body: JSON.stringify(update), signal });
      record.status = res.status;
      const body = await res.text();
      if (res.ok) return body;
      record.error = `Wrong response from the webhook: ${res.status} ${res.statusText}`;
    } catch (e) {
      record.error = e instanceof Error ? `${e.name}: ${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ""}` : String(e);
    } finally {
      record.ms = Date.now() - record.at;
      this.deliveryLog.push(record);
      this.notify();
    }
    this.lastWebhookError = { date: this.unixNow(), message: record.error ?? "" };
    return undefined;
  }

  /** A webhook answer may carry one API call ({"method": "sendMessage", …}); Telegram performs it. */
  private async webhookReply(body: string): Promise<void> {
    let reply: unknown;
    try {
      reply = JSON.parse(body);
    } catch {
      return;
    }
    if (!isRecord(reply) || typeof reply.method !== "string") return;
    const { method: name, ...params } = reply;
    const call: ApiCall = { method: name, params, status: 200, at: Date.now(), ms: 0, via: "webhook-reply" };
    try {
      call.method = this.methodName(name);
      await this.execute(call.method, { params, files: new Map(), signal: this.stopping.signal });
    } catch (e) {
      call.status = e instanceof ApiError ? e.status : 500;
      call.description = e instanceof Error ? e.message : String(e);
    }
    this.callLog.push(call);
    this.notify();
  }

  // ---- methods ---------------------------------------------------------------------------

  private me(): UserFromGetMe {
    return {
      ...this.bot, is_bot: true, can_join_groups: true, can_read_all_group_messages: true, supports_inline_queries: false,
      can_connect_to_business: false, has_main_web_app: false, has_topics_enabled: false, allows_users_to_create_topics: false,
      can_manage_bots: false, supports_join_request_queries: false,
    };
  }

  private sendMessage(p: Params): UserMessage {
    const s = this.writable(p);
    const { text, entities } = this.formatted(p, "text");
    checkText(text);
    const markup = this.markup(p);
    const reply = this.replyTo(s, p);
    this.throttle(s);
    const m = this.newMessage(s, this.bot, {
      text, ...(entities.length ? { entities } : {}), ...(markup ? { reply_markup: markup } : {}), ...(reply ? { reply_to_message: reply } : {}),
    });
    this.record("sendMessage", m, stringParam(p, "parse_mode"));
    return m;
  }

  private editMessage(p: Params, withText: boolean): UserMessage {
    if (stringParam(p, "inline_message_id") !== undefined) throw bad("MESSAGE_ID_INVALID");
    const s = this.writable(p);
    const id = intParam(p, "message_id");
    if (id === undefined) throw bad("message identifier is not specified");
    const m = s.messages.get(id);
    if (!m) throw bad("message to edit not found");
    if (m.from.id !== this.bot.id) throw bad("message can't be edited");
    const markup = this.markup(p);
    const next: Partial<Message> = { ...m };
    if (withText) {
      if (m.text === undefined) throw bad("there is no text in the message to edit");
      const { text, entities } = this.formatted(p, "text");
      checkText(text);
      next.text = text;
      next.entities = entities.length ? entities : undefined;
    }
    next.reply_markup = markup;
    const same = (a: Partial<Message>) => JSON.stringify([a.text, a.entities ?? [], a.reply_markup ?? null]);
    if (same(next) === same(m)) {
      throw bad("message is not modified: specified new message content and reply markup are exactly the same as a content and reply markup of the current message");
    }
    if (withText) {
      m.text = next.text;
      if (next.entities) m.entities = next.entities;
      else delete m.entities;
    }
    if (markup) m.reply_markup = markup;
    else delete m.reply_markup;
    m.edit_date = this.unixNow();
    this.record(withText ? "editMessageText" : "editMessageReplyMarkup", m, stringParam(p, "parse_mode"), true);
    return m;
  }

  private deleteMessage(p: Params): true {
    const s = this.writable(p);
    const id = intParam(p, "message_id");
    const m = id === undefined ? undefined : s.messages.get(id);
    if (!m || id === undefined) throw bad("message to delete not found");
    const isAdmin = s.bot === "administrator" || s.bot === "creator";
    if (m.from.id !== this.bot.id && s.chat.type !== "private" && !isAdmin) throw bad("message can't be deleted");
    s.messages.delete(id);
    return true;
  }

  private answerCallbackQuery(p: Params): true {
    const id = stringParam(p, "callback_query_id") ?? "";
    const query = this.queries.get(id);
    if (!query || query.answered) throw bad("query is too old and response timeout expired or query ID is invalid");
    const text = stringParam(p, "text");
    if (text !== undefined && text.length > 200) throw bad("MESSAGE_TOO_LONG");
    query.answered = true;
    const answer: CallbackAnswer = { callback_query_id: id, at: Date.now() };
    if (text !== undefined) answer.text = text;
    if (booleanParam(p, "show_alert")) answer.show_alert = true;
    const url = stringParam(p, "url");
    if (url !== undefined) answer.url = url;
    this.answerLog.push(answer);
    return true;
  }

  private sendFile(r: Req, kind: "document" | "photo"): UserMessage {
    const p = r.params;
    const s = this.writable(p);
    const file = this.inputFile(r, kind);
    const caption = this.formatted(p, "caption");
    if (caption.text.length > 1024) throw bad("message caption is too long");
    const markup = this.markup(p);
    const reply = this.replyTo(s, p);
    this.throttle(s);
    const content: Content = {};
    if (kind === "document") {
      const doc: Document = { file_id: file.fileId, file_unique_id: file.uniqueId, file_name: file.filename, mime_type: file.mime, file_size: file.bytes.length };
      content.document = doc;
    } else {
      const size = (width: number, height: number): PhotoSize => ({ file_id: file.fileId, file_unique_id: file.uniqueId, width, height, file_size: file.bytes.length });
      content.photo = [size(90, 90), size(1280, 1280)];
    }
    if (caption.text !== "") content.caption = caption.text;
    if (caption.entities.length) content.caption_entities = caption.entities;
    if (markup) content.reply_markup = markup;
    if (reply) content.reply_to_message = reply;
    const m = this.newMessage(s, this.bot, content);
    const record = this.record(kind === "document" ? "sendDocument" : "sendPhoto", m, stringParam(p, "parse_mode"));
    if (kind === "document") record.document = { filename: file.filename, size: file.bytes.length, mime: file.mime, file_id: file.fileId, bytes: file.bytes };
    else record.photo = { size: file.bytes.length, file_id: file.fileId, filename: file.filename, bytes: file.bytes };
    return m;
  }

  /** An upload (`attach://id` or a part named like the field), a file_id seen before, or an http(s) URL (not fetched). */
  private inputFile(r: Req, field: string): StoredFile {
    const raw = r.params[field];
    let upload = raw === undefined ? r.files.get(field) : undefined;
    if (typeof raw === "string" && raw.startsWith("attach://")) {
      upload = r.files.get(raw.slice("attach://".length));
      if (!upload) throw bad(`there is no ${field} in the request`);
    }
    if (upload) {
      if (upload.bytes.length === 0) throw bad("file must be non-empty");
      if (upload.bytes.length > 50 * 1024 * 1024) throw new ApiError(413, "Request Entity Too Large");
      return this.storeFile(upload.filename, mimeOf(upload.filename, upload.contentType), upload.bytes);
    }
    if (typeof raw !== "string" || raw === "") throw bad(`there is no ${field} in the request`);
    const known = this.files.get(raw);
    if (known) return known;
    if (/^https?:\/\//.test(raw)) {
      const name = decodeURIComponent(new URL(raw).pathname.split("/").pop() || "file");
      return this.storeFile(name, mimeOf(name, "application/octet-stream"), Buffer.alloc(0));
    }
    throw bad("wrong file identifier/HTTP URL specified");
  }

  private storeFile(filename: string, mime: string, bytes: Buffer): StoredFile {
    const n = this.nextFileId++;
    const file: StoredFile = { fileId: `BQACAgIAAxkDAAI${String(n).padStart(6, "0")}fake`, uniqueId: `AgAD${n}`, filename, mime, bytes };
    this.files.set(file.fileId, file);
    return file;
  }

  private sendChatAction(p: Params): true {
    this.writable(p);
    const action = stringParam(p, "action");
    if (action === undefined || !CHAT_ACTIONS.includes(action)) throw bad("wrong parameter action in request");
    return true;
  }

  private getChatMember(p: Params): ChatMember {
    const s = this.readable(p);
    const userId = intParam(p, "user_id");
    if (userId === undefined) throw bad("user_id is empty");
    if (userId === this.bot.id) return memberOf(this.bot, s.bot);
    const user = this.users.get(userId);
    if (!user) throw bad("user not found");
    if (s.chat.type === "private") return memberOf(user, s.chat.id === userId ? "member" : "left");
    return memberOf(user, s.members.get(userId) ?? "left");
  }

  private setMyCommands(p: Params): true {
    const commands = jsonParam(p.commands, "commands");
    if (!Array.isArray(commands)) throw bad("can't parse commands JSON object");
    if (commands.length > 100) throw bad("BOT_COMMANDS_TOO_MUCH");
    const list: BotCommand[] = commands.map((c: unknown) => {
      if (!isRecord(c) || typeof c.command !== "string" || typeof c.description !== "string") throw bad("can't parse BotCommand: Field \"command\" and \"description\" must be of type String");
      if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw bad("BOT_COMMAND_INVALID");
      if (c.description.trim() === "") throw bad("command description must be non-empty");
      if (c.description.length > 256) throw bad("BOT_COMMAND_DESCRIPTION_INVALID");
      return { command: c.command, description: c.description };
    });
    const scope = this.scope(p);
    const language = languageOf(p);
    const key = scopeKey(scope, language);
    if (list.length === 0) this.commandSets.delete(key);
    else this.commandSets.set(key, { scope, language_code: language, commands: list });
    return true;
  }

  private scope(p: Params): BotCommandScope {
    const raw = jsonParam(p.scope, "scope") ?? { type: "default" };
    if (!isRecord(raw)) throw bad("can't parse BotCommandScope");
    const chatId = raw.chat_id === undefined ? undefined : Number(raw.chat_id);
    const userId = raw.user_id === undefined ? undefined : Number(raw.user_id);
    const needChat = () => {
      if (chatId === undefined || !this.chats.has(chatId)) throw bad("chat not found");
      return chatId;
    };
    switch (raw.type) {
      case "default":
      case "all_private_chats":
      case "all_group_chats":
      case "all_chat_administrators":
        return { type: raw.type };
      case "chat":
      case "chat_administrators":
        return { type: raw.type, chat_id: needChat() };
      case "chat_member":
        if (userId === undefined || !this.users.has(userId)) throw bad("user not found");
        return { type: raw.type, chat_id: needChat(), user_id: userId };
      default:
        throw bad("wrong bot command scope type specified");
    }
  }

  // ---- helpers for the methods -----------------------------------------------------------

  /** The chat of `chat_id` as the bot may read it (getChatMember). */
  private readable(p: Params): ChatState {
    const raw = p.chat_id;
    const id = typeof raw === "number" ? raw : typeof raw === "string" && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    const s = this.chats.get(id);
    if (!s) throw bad(raw === undefined || raw === "" ? "chat_id is empty" : "chat not found");
    if (s.migratedTo !== undefined) throw new ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat", { migrate_to_chat_id: s.migratedTo });
    if (s.chat.type !== "private") {
      const kind = s.chat.type === "group" ? "group chat" : "supergroup chat";
      if (s.bot === "kicked") throw new ApiError(403, `Forbidden: bot was kicked from the ${kind}`);
      if (s.bot === "left") throw new ApiError(403, `Forbidden: bot is not a member of the ${kind}`);
    }
    return s;
  }

  /** The chat of `chat_id` as the bot may write into it. */
  private writable(p: Params): ChatState {
    const s = this.readable(p);
    if (s.chat.type === "private" && s.bot === "kicked") throw new ApiError(403, "Forbidden: bot was blocked by the user");
    if (s.chat.type === "private" && s.bot === "left") throw new ApiError(403, "Forbidden: bot can't initiate conversation with a user");
    return s;
  }

  private formatted(p: Params, key: "text" | "caption"): { text: string; entities: MessageEntity[] } {
    const source = stringParam(p, key) ?? "";
    const explicit = jsonParam(p[key === "text" ? "entities" : "caption_entities"], "entities");
    if (Array.isArray(explicit)) return { text: source, entities: explicit as MessageEntity[] };
    try {
      return parseFormatted(source, stringParam(p, "parse_mode"));
    } catch (e) {
      if (e instanceof FormatError) throw bad(e.message);
      throw e;
    }
  }

  /** reply_markup: inline keyboards are validated and kept on the message; reply keyboards are accepted and dropped. */
  private markup(p: Params): InlineKeyboardMarkup | undefined {
    const raw = jsonParam(p.reply_markup, "reply_markup");
    if (raw === undefined) return undefined;
    if (!isRecord(raw)) throw bad("can't parse reply keyboard markup JSON object");
    if (raw.inline_keyboard === undefined) return undefined;
    const rows = raw.inline_keyboard;
    if (!Array.isArray(rows) || !rows.every((row) => Array.isArray(row))) throw bad("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays");
    const keyboard = (rows as unknown[][]).map((row) =>
      row.map((b): InlineKeyboardButton => {
        if (!isRecord(b) || typeof b.text !== "string") throw bad("can't parse inline keyboard button: Field \"text\" must be of type String");
        if (typeof b.callback_data === "string") {
          const bytes = Buffer.byteLength(b.callback_data);
          if (bytes < 1 || bytes > 64) throw bad("BUTTON_DATA_INVALID");
        } else if (typeof b.url === "string") {
          if (!/^(https?|tg):\/\/\S+$/.test(b.url)) throw bad(`inline keyboard button URL '${b.url}' is invalid: Wrong HTTP URL`);
        } else if (!["web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay"].some((k) => k in b)) {
          throw bad("text buttons are unallowed in the inline keyboard");
        }
        return b as unknown as InlineKeyboardButton;
      }),
    );
    return { inline_keyboard: keyboard };
  }

  private replyTo(s: ChatState, p: Params): ReplyMessage | undefined {
    const params = jsonParam(p.reply_parameters, "reply_parameters");
    const rp = isRecord(params) ? params : {};
    const id = rp.message_id !== undefined ? Number(rp.message_id) : intParam(p, "reply_to_message_id");
    if (id === undefined) return undefined;
    const replied = s.messages.get(id);
    if (replied) return withoutReply(replied);
    if (rp.allow_sending_without_reply === true || booleanParam(p, "allow_sending_without_reply")) return undefined;
    throw bad("message to be replied not found");
  }

  /** Flood limits (when on) and the stats of sends. */
  private throttle(s: ChatState): void {
    const byChat = (this.statsData.byChat[String(s.chat.id)] ??= { sentOk: 0, rejected429: 0 });
    const wait = this.limits?.take(s.chat.id, s.chat.type !== "private") ?? 0;
    if (wait > 0) {
      this.statsData.rejected429++;
      byChat.rejected429++;
      throw new ApiError(429, `Too Many Requests: retry after ${wait}`, { retry_after: wait });
    }
    this.statsData.sentOk++;
    byChat.sentOk++;
  }

  private record(method: SentMessage["method"], m: UserMessage, parseMode: string | undefined, edited = false): SentMessage {
    const markup = m.reply_markup ? structuredClone(m.reply_markup) : undefined;
    const entry: SentMessage = {
      method, message_id: m.message_id, chat_id: m.chat.id, date: m.edit_date ?? m.date, edited,
      buttons: (markup?.inline_keyboard ?? []).flat().map((b) => ({
        text: b.text, ...("callback_data" in b ? { data: b.callback_data } : {}), ...("url" in b ? { url: b.url } : {}),
      })),
    };
    if (m.text !== undefined) entry.text = m.text;
    if (m.caption !== undefined) entry.caption = m.caption;
    if (parseMode) entry.parse_mode = parseMode;
    const entities = m.entities ?? m.caption_entities;
    if (entities) entry.entities = structuredClone(entities);
    if (markup) entry.reply_markup = markup;
    this.sentLog.push(entry);
    for (const l of this.sentHooks) l(entry);
    this.notify();
    return entry;
  }

  private readonly sentHooks = new Set<(m: SentMessage) => void>();

  /** Calls `listener` with each message the bot sends or edits, as it is recorded (O(1): for benchmarks). Returns an unsubscribe. */
  onSent(listener: (m: SentMessage) => void): () => void {
    this.sentHooks.add(listener);
    return () => this.sentHooks.delete(listener);
  }

  // ---- helpers for the world -------------------------------------------------------------

  private unixNow(): number {
    return Math.floor((this.options.now?.() ?? new Date()).getTime() / 1000);
  }

  private newMessage(s: ChatState, from: User, content: Content): UserMessage {
    const m: UserMessage = { message_id: s.nextId++, from, chat: s.chat, date: this.unixNow(), ...content };
    s.messages.set(m.message_id, m);
    return m;
  }

  private botStatusChange(s: ChatState, by: User, status: MemberStatus): Update {
    const change: ChatMemberUpdated = { chat: s.chat, from: by, date: this.unixNow(), old_chat_member: memberOf(this.bot, s.bot), new_chat_member: memberOf(this.bot, status) };
    s.bot = status;
    return this.newUpdate({ my_chat_member: change });
  }

  private join(s: ChatState, user: User): void {
    this.users.set(user.id, user);
    const now = s.members.get(user.id);
    if (now === undefined || now === "left") s.members.set(user.id, "member");
  }

  /** Someone to act for a chat when the test did not say who: its creator, an admin, a member. */
  private someone(s: ChatState): User {
    for (const status of ["creator", "administrator", "member"] as const) {
      for (const [id, st] of s.members) {
        const u = this.users.get(id);
        if (st === status && u) return u;
      }
    }
    return this.user({ firstName: "Quản trị viên" });
  }

  private state(chat: ChatRef): ChatState {
    const s = this.chats.get(chatIdOf(chat));
    if (!s) throw new Error(`no chat ${chatIdOf(chat)}; create it with tg.user()/tg.group()`);
    return s;
  }

  private groupState(chat: ChatRef): ChatState {
    const s = this.state(chat);
    if (s.chat.type === "private") throw new Error(`chat ${s.chat.id} is a private chat`);
    return s;
  }

  private privateState(user: User): ChatState {
    let s = this.chats.get(user.id);
    if (!s) {
      const chat: Chat.PrivateChat = { id: user.id, type: "private", first_name: user.first_name };
      if (user.last_name !== undefined) chat.last_name = user.last_name;
      if (user.username !== undefined) chat.username = user.username;
      s = { chat, bot: "left", members: new Map([[user.id, "member"]]), nextId: 1, messages: new Map() };
      this.chats.set(user.id, s);
      this.users.set(user.id, user);
    }
    return s;
  }

  /**
   * Wakes the waitFor* calls — on the next turn of the event loop, so that the call that
   * sent a message has been answered and logged in `calls` by then.
   */
  private notify(): void {
    if (this.notifying) return;
    this.notifying = true;
    setImmediate(() => {
      this.notifying = false;
      for (const listener of [...this.listeners]) listener();
    });
  }

  private waitUntil<T>(check: () => T | undefined, timeoutMs: number, explain: () => string): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const listener = () => {
        const got = check();
        if (got === undefined) return;
        done();
        resolve(got);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(explain()));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
    });
  }
}

// ---- module helpers -------------------------------------------------------------------

function chatIdOf(chat: ChatRef): number {
  return typeof chat === "number" ? chat : chat.id;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringParam(p: Params, key: string): string | undefined {
  const v = p[key];
  return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
}

function intParam(p: Params, key: string): number | undefined {
  const v = p[key];
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw bad(`invalid ${key} specified`);
  return n;
}

function booleanParam(p: Params, key: string): boolean {
  const v = p[key];
  return v === true || v === "true" || v === "1" || v === 1;
}

/** JSON-typed parameters arrive parsed (JSON body) or as JSON text (multipart, query, form). */
function jsonParam(v: unknown, what: string): unknown {
  if (typeof v !== "string") return v ?? undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw bad(`can't parse ${what} JSON object`);
  }
}

function languageOf(p: Params): string {
  const lang = stringParam(p, "language_code") ?? "";
  if (lang !== "" && !/^[a-z]{2}$/.test(lang)) throw bad("LANG_CODE_INVALID");
  return lang;
}

function scopeKey(scope: BotCommandScope, languageCode: string): string {
  const s = scope as { type: string; chat_id?: unknown; user_id?: unknown };
  return `${s.type}|${String(s.chat_id ?? "")}|${String(s.user_id ?? "")}|${languageCode}`;
}

function checkText(text: string): void {
  if (text.trim() === "") throw bad("message text is empty");
  if (text.length > 4096) throw bad("message is too long");
}

function mimeOf(filename: string, sent: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase();
  return (ext && MIME[ext]) || (sent !== "application/octet-stream" ? sent : "application/octet-stream");
}

function memberOf(user: User, status: MemberStatus): ChatMember {
  switch (status) {
    case "creator":
      return { status, user, is_anonymous: false };
    case "administrator":
      return {
        status, user, can_be_edited: false, is_anonymous: false, can_manage_chat: true, can_delete_messages: true, can_manage_video_chats: true,
        can_restrict_members: true, can_promote_members: false, can_change_info: true, can_invite_users: true, can_post_stories: false,
        can_edit_stories: false, can_delete_stories: false, can_pin_messages: true, can_send_welcome_messages: false,
      };
    case "kicked":
      return { status, user, until_date: 0 };
    default:
      return { status, user };
  }
}

function withoutReply(m: Message): ReplyMessage {
  return { ...structuredClone(m), reply_to_message: undefined };
}

function textEntities(text: string): MessageEntity[] {
  const out: MessageEntity[] = [];
  for (const m of text.matchAll(/(?<=^|\s)\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?/g)) out.push({ type: "bot_command", offset: m.index, length: m[0].length });
  for (const m of text.matchAll(/(?<=^|[^\w@/])@[A-Za-z0-9_]{4,32}/g)) out.push({ type: "mention", offset: m.index, length: m[0].length });
  return out.sort((a, b) => a.offset - b.offset);
}

function chatKeyOf(u: Update): string {
  const chat = u.message?.chat ?? u.callback_query?.message?.chat ?? u.my_chat_member?.chat;
  return chat ? `chat:${chat.id}` : `user:${u.callback_query?.from.id ?? u.update_id}`;
}

function describeSent(list: SentMessage[]): string {
  if (list.length === 0) return "  (nothing)";
  return list.map((m) => `  #${m.message_id} → ${m.chat_id} ${m.method}${m.edited ? " (edit)" : ""}: ${JSON.stringify(m.text ?? m.caption ?? m.document?.filename ?? "")}${m.buttons.length ? ` [${m.buttons.map((b) => b.text).join(" | ")}]` : ""}`).join("\n");
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

async function readBody(req: http.IncomingMessage, url: URL): Promise<{ params: Params; files: Map<string, UploadedFile> }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const params: Params = Object.fromEntries(url.searchParams);
  const type = req.headers["content-type"] ?? "";
  if (body.length === 0) return { params, files: new Map() };
  if (type.startsWith("multipart/form-data")) {
    const boundary = boundaryOf(type);
    try {
      if (!boundary) throw new Error("no boundary");
      const { fields, files } = parseMultipart(body, boundary);
      return { params: { ...params, ...fields }, files };
    } catch (e) {
      throw bad(`can't parse multipart/form-data: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (type.startsWith("application/x-www-form-urlencoded")) {
    return { params: { ...params, ...Object.fromEntries(new URLSearchParams(body.toString("utf8"))) }, files: new Map() };
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    throw bad("can't parse JSON");
  }
  if (!isRecord(json)) throw bad("can't parse JSON");
  return { params: { ...params, ...json }, files: new Map() };
}

function loggable(params: Params, files: Map<string, UploadedFile>): Record<string, unknown> {
  const describe = (f: UploadedFile) => ({ filename: f.filename, size: f.bytes.length, contentType: f.contentType });
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === "string" && value.startsWith("attach://")) {
      const f = files.get(value.slice("attach://".length));
      out[key] = f ? describe(f) : value;
    } else if (typeof value === "string" && JSON_FIELDS.includes(key)) {
      try {
        out[key] = JSON.parse(value) as unknown;
      } catch {
        out[key] = value;
      }
    } else out[key] = value;
  }
  const attached = new Set(Object.values(params));
  for (const [field, f] of files) if (!(field in out) && !attached.has(`attach://${field}`)) out[field] = describe(f);
  return out;
}
