/**
 * A fake Zalo Bot API server for tests: a real HTTP server on 127.0.0.1 that speaks the
 * protocol described in /work/shared/platforms/zalo-bot-api.md, so the Zalo adapter can be
 * tested with its real HTTP client pointed at `ZALO_API_ROOT = zl.apiRoot`.
 *
 * Modelled (from the facts we have):
 * - `POST <root>/bot<TOKEN>/<method>` with a JSON body; case-sensitive method names; the
 *   envelope `{ok, result?, description?, error_code?}`; HTTP 200 may carry `ok: false`.
 * - getMe, getUpdates (one event per call, no offset/update_id/ack: an event handed out is
 *   gone; real long polling), setWebhook / deleteWebhook / getWebhookInfo, sendMessage,
 *   sendPhoto, sendSticker, sendChatAction, sendVoice (private chats only).
 * - Polling and webhook exclude each other; webhook deliveries are one JSON object
 *   `{ok: true, result: event}` with the `X-Bot-Api-Secret-Token` header, retried with backoff.
 * - A chat can be messaged only after someone wrote to the bot in it.
 *
 * Assumptions (Zalo publishes no error codes, no rate limits and few edge cases; these are
 * our choices, exported as constants so tests refer to them rather than to literals):
 * - Refusals answer with HTTP status = error_code (400 bad params, 401 bad/revoked token,
 *   403 chat the bot may not message, 404 unknown method, 405 not POST, 409 getUpdates
 *   while a webhook is set, 429 too many requests, 500 internal). See ZALO_ERRORS.
 * - An empty long poll answers HTTP 200 `{ok:false, error_code:408, description:"Request
 *   timeout"}` (ZALO_EMPTY_POLL). Public integrations report exactly this and treat 408 as
 *   "nothing new"; HTTP 200 because it is a normal outcome, not a transport failure.
 * - 502 (fault or `down()`) answers an HTML page, not an envelope, as a gateway would.
 * - `date` is unix time in **milliseconds**. Ids are strings; user/group/chat ids are
 *   19-digit numbers beyond Number.MAX_SAFE_INTEGER, and a private chat's id differs from
 *   its user's id, so an adapter that parses ids as numbers or replies to `from.id`
 *   instead of `chat.id` fails.
 * - Text/caption length is counted in UTF-16 code units (String.length, the strictest
 *   plausible reading). `timeout` may be a number or a numeric string, fractions allowed.
 * - chat_id must be a string. Bodies with content must be sent as application/json.
 * - Image events carry `photo` (+ `caption`), stickers `sticker` + `url`, voice `voice_url`;
 *   `message.unsupported.received` carries only message_id/date/from/chat.
 * - Webhook: queued events are flushed to a newly set webhook; pending long polls are
 *   answered 409 when a webhook is set; deliveries are sequential, in order.
 * - Rate limits are off unless `enforceLimits()` is called.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

// ---------------------------------------------------------------------------------------
// Protocol constants and types
// ---------------------------------------------------------------------------------------

export const ZALO_MAX_TEXT = 2000;
export const ZALO_SECRET_MIN = 8;
export const ZALO_SECRET_MAX = 256;
export const ZALO_SECRET_HEADER = "X-Bot-Api-Secret-Token";
export const ZALO_DEFAULT_POLL_TIMEOUT_S = 30;

export const ZALO_EVENTS = {
  text: "message.text.received",
  image: "message.image.received",
  sticker: "message.sticker.received",
  voice: "message.voice.received",
  unsupported: "message.unsupported.received",
} as const;

export interface ZaloErrorSpec {
  /** HTTP status of the answer. */
  status: number;
  error_code: number;
  /** Fixed part of the description; details are appended after ": ". */
  description: string;
}

/** The fake's choices for refusals (Zalo's real codes are not published). */
export const ZALO_ERRORS = {
  badRequest: { status: 400, error_code: 400, description: "Bad Request" },
  unauthorized: { status: 401, error_code: 401, description: "Unauthorized" },
  forbidden: { status: 403, error_code: 403, description: "Forbidden" },
  unknownMethod: { status: 404, error_code: 404, description: "Not Found: unknown method" },
  notPost: { status: 405, error_code: 405, description: "Method Not Allowed: use POST" },
  emptyPoll: { status: 200, error_code: 408, description: "Request timeout" },
  webhookActive: { status: 409, error_code: 409, description: "Conflict: webhook is active, delete it first" },
  tooManyRequests: { status: 429, error_code: 429, description: "Too many requests" },
  internal: { status: 500, error_code: 500, description: "Internal Server Error" },
  badGateway: { status: 502, error_code: 502, description: "Bad Gateway" },
} as const satisfies Record<string, ZaloErrorSpec>;

/** What getUpdates answers (HTTP 200) when nothing arrived within `timeout`: treat as "nothing". */
export const ZALO_EMPTY_POLL = {
  ok: false,
  error_code: ZALO_ERRORS.emptyPoll.error_code,
  description: ZALO_ERRORS.emptyPoll.description,
} as const;

/** Body of a 502 (fault or down()): HTML from a gateway, not a JSON envelope. */
export const ZALO_BAD_GATEWAY_BODY = "<html><body><h1>502 Bad Gateway</h1></body></html>";

export const ZALO_METHODS = [
  "getMe",
  "getUpdates",
  "setWebhook",
  "deleteWebhook",
  "getWebhookInfo",
  "sendMessage",
  "sendPhoto",
  "sendSticker",
  "sendChatAction",
  "sendVoice",
] as const;
export type ZaloMethod = (typeof ZALO_METHODS)[number];
type SendMethod = "sendMessage" | "sendPhoto" | "sendSticker" | "sendVoice";

export interface ZaloEnvelope<T = unknown> {
  ok: boolean;
  result?: T;
  description?: string;
  error_code?: number;
}

export interface ZaloBotInfo {
  id: string;
  account_name: string;
  account_type: string;
  can_join_groups: boolean;
}

export type ZaloChatType = "PRIVATE" | "GROUP";
export interface ZaloUser {
  id: string;
  display_name: string;
  is_bot: false;
}
export interface ZaloChat {
  id: string;
  chat_type: ZaloChatType;
}
export interface ZaloMessage {
  message_id: string;
  /** Unix time in milliseconds. */
  date: number;
  from: ZaloUser;
  chat: ZaloChat;
  text?: string;
  photo?: string;
  caption?: string;
  sticker?: string;
  url?: string;
  voice_url?: string;
}
export interface ZaloEvent {
  event_name: string;
  message: ZaloMessage;
}

export interface ZaloWebhookInfo {
  url: string;
  /** Unix ms of the last set/delete; 0 if never set. */
  updated_at: number;
}

// ---------------------------------------------------------------------------------------
// Observation and fault types
// ---------------------------------------------------------------------------------------

/** A message the bot sent (one accepted send* call). */
export interface SentMessage {
  message_id: string;
  chat_id: string;
  method: SendMethod;
  /** The text of sendMessage; "" for other methods (see caption). */
  text: string;
  date: number;
  parse_mode?: string;
  photo?: string;
  caption?: string;
  sticker?: string;
  voice_url?: string;
}

/** One request the fake received. Never holds the token. */
export interface CallRecord {
  method: string;
  params: Record<string, unknown>;
  /** HTTP status; null when no answer was written (reset, or the client went away). */
  status: number | null;
  /** Envelope ok; null when the answer was not an envelope (502 HTML, reset). */
  ok: boolean | null;
  error_code?: number;
  description?: string;
  /** The injected fault or limit that shaped this answer, if any. */
  fault?: string;
  at: number;
}

export interface DeliveryAttempt {
  url: string;
  event_name: string;
  message_id: string;
  attempt: number;
  /** HTTP status of the bot's answer; null on a connection error or timeout. */
  status: number | null;
  error?: string;
  outcome: "delivered" | "retry" | "gave-up";
  at: number;
}

export type ZaloFault =
  | { status: 429 | 500 | 502 | 503 }
  | { okFalse: { error_code: number; description: string } }
  /** Hold the request this long, then answer normally (the call takes effect even if the client left). */
  | { hangMs: number }
  /** Destroy the connection without an answer; with afterEffect the call takes effect first. */
  | { reset: true; afterEffect?: boolean }
  | { auth: true };

export interface RetryPolicy {
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** Attempts per event, the first included; then the event is dropped ("gave-up"). */
  maxAttempts: number;
}

export interface LimitsModel {
  /** Accepted calls per window (getUpdates excluded); more get 429. */
  perSecond: number;
  /** Time scale: the window is 1000 / scale ms (scale 10 → a 100 ms "second"). */
  scale?: number;
}

export interface ZaloStats {
  calls: number;
  byMethod: Record<string, number>;
  rateLimited: number;
  /** Most accepted non-getUpdates calls seen within one window. */
  peakPerWindow: number;
  /** Most getUpdates requests held at the same time (a correct adapter keeps this at 1). */
  peakConcurrentPolls: number;
  queued: number;
  webhookAttempts: number;
}

export interface FakeZaloOptions {
  token?: string;
  bot?: Partial<ZaloBotInfo>;
  /** Clock for `date`, `updated_at` and `at` (unix ms). Timers still use real time. */
  now?: () => number;
  webhookRetry?: Partial<RetryPolicy>;
  /** A webhook POST not answered within this is a failed attempt. Default 5000. */
  webhookTimeoutMs?: number;
}

export const DEFAULT_WEBHOOK_RETRY: RetryPolicy = { initialDelayMs: 100, factor: 2, maxDelayMs: 2000, maxAttempts: 6 };

// ---------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------

type Params = Record<string, unknown>;

type Outcome =
  | { status: number; body: ZaloEnvelope }
  | { status: number; html: string }
  | { reset: true }
  /** The client went away before the answer; nothing to write. */
  | { gone: true };

class ApiError extends Error {
  constructor(
    readonly spec: ZaloErrorSpec,
    readonly detail?: string,
  ) {
    super(detail ? `${spec.description}: ${detail}` : spec.description);
  }
}

const bad = (detail: string) => new ApiError(ZALO_ERRORS.badRequest, detail);

function refusal(spec: ZaloErrorSpec, detail?: string): Outcome {
  const description = detail ? `${spec.description}: ${detail}` : spec.description;
  return { status: spec.status, body: { ok: false, error_code: spec.error_code, description } };
}

const success = (result?: unknown): Outcome => ({ status: 200, body: result === undefined ? { ok: true } : { ok: true, result } });

function requireString(p: Params, key: string): string {
  const v = p[key];
  if (typeof v !== "string" || v.length === 0) throw bad(`${key} is required and must be a non-empty string`);
  return v;
}

function optionalString(p: Params, key: string): string | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw bad(`${key} must be a string`);
  return v;
}

function checkLength(key: string, v: string): string {
  if (v.length < 1 || v.length > ZALO_MAX_TEXT) throw bad(`${key} must be 1–${ZALO_MAX_TEXT} characters (got ${v.length})`);
  return v;
}

function httpUrl(key: string, v: string): URL {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw bad(`${key} must be a URL`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw bad(`${key} must be an http(s) URL`);
  return u;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** A 19-digit id: above Number.MAX_SAFE_INTEGER, so parsing it as a number loses digits. */
function bigId(prefix: string, n: number): string {
  return prefix + String(n).padStart(18, "0");
}

const randomHex = (bytes: number) => randomBytes(bytes).toString("hex");

function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on("end", () => (size > limit ? reject(bad("body too large")) : resolve(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", reject);
  });
}

function parseParams(req: IncomingMessage, raw: string): Params {
  if (raw.trim() === "") return {};
  if (!/application\/json/i.test(req.headers["content-type"] ?? "")) throw bad("Content-Type must be application/json");
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw bad("body is not valid JSON");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad("body must be a JSON object");
  return v as Params;
}

interface PollWaiter {
  finish(o: Outcome): void;
}

interface PendingFault {
  method: string;
  fault: ZaloFault;
  remaining: number;
  chatId?: string;
}

function faultName(f: ZaloFault): string {
  if ("status" in f) return `status ${f.status}`;
  if ("okFalse" in f) return `okFalse ${f.okFalse.error_code}`;
  if ("hangMs" in f) return `hang ${f.hangMs}ms`;
  if ("reset" in f) return f.afterEffect ? "reset after effect" : "reset";
  return "auth";
}

// ---------------------------------------------------------------------------------------
// The fake
// ---------------------------------------------------------------------------------------

export class FakeZalo {
  /** `http://127.0.0.1:PORT`, for ZALO_API_ROOT. */
  readonly apiRoot: string;
  readonly token: string;
  /** The bot account, as getMe returns it. */
  readonly bot: ZaloBotInfo;
  /** Every request received, in order (token never stored). */
  readonly calls: CallRecord[] = [];
  /** Every webhook delivery attempt, in order. */
  readonly deliveries: DeliveryAttempt[] = [];

  private readonly server: Server;
  private readonly now: () => number;
  private readonly retry: RetryPolicy;
  private readonly webhookTimeoutMs: number;
  private readonly life = new AbortController();

  private readonly outbox: SentMessage[] = [];
  private readonly sentListeners = new Set<() => void>();
  private readonly chats = new Map<string, ZaloChatType>(); // chats someone wrote in
  private readonly blocked = new Set<string>();
  private readonly privateChats = new Map<string, string>(); // user id → chat id
  private readonly queue: ZaloEvent[] = [];
  private readonly waiters: PollWaiter[] = [];
  private readonly faults: PendingFault[] = [];
  private hook: { url: string; secret: string } | null = null;
  private hookUpdatedAt = 0;
  private delivering = false;
  private isDown = false;
  private revoked = false;
  private stopped = false;
  private limits: Required<LimitsModel> | null = null;
  private recent: number[] = []; // real times of accepted non-getUpdates calls
  private counters = { rateLimited: 0, peakPerWindow: 0, peakConcurrentPolls: 0 };
  private nextId = 1;

  private constructor(server: Server, port: number, opts: FakeZaloOptions) {
    this.server = server;
    this.apiRoot = `http://127.0.0.1:${port}`;
    this.now = opts.now ?? Date.now;
    this.retry = { ...DEFAULT_WEBHOOK_RETRY, ...opts.webhookRetry };
    this.webhookTimeoutMs = opts.webhookTimeoutMs ?? 5000;
    this.bot = { id: bigId("32", 1), account_name: "thidua_bot", account_type: "BASIC", can_join_groups: true, ...opts.bot };
    this.token = opts.token ?? `${this.bot.id}:${randomBytes(48).toString("base64url")}`;
  }

  /** Starts a fake on 127.0.0.1 with an ephemeral port. */
  static async start(opts: FakeZaloOptions = {}): Promise<FakeZalo> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const zl = new FakeZalo(server, (server.address() as AddressInfo).port, opts);
    server.on("request", (req, res) => void zl.handle(req, res).catch(() => req.socket.destroy()));
    return zl;
  }

  // ---- people and chats -----------------------------------------------------------------

  user(u: { id?: string; displayName: string }): ZaloUser {
    return { id: u.id ?? bigId("73", this.nextId++), display_name: u.displayName, is_bot: false };
  }

  /** The private chat with `user`. Its id differs from the user id; it becomes known when the user writes. */
  privateChat(user: ZaloUser): ZaloChat {
    let id = this.privateChats.get(user.id);
    if (!id) {
      id = bigId("51", this.nextId++);
      this.privateChats.set(user.id, id);
    }
    return { id, chat_type: "PRIVATE" };
  }

  /** A group chat (the name is for readability only; Zalo's chat object carries none). */
  group(g: { id?: string; name?: string } = {}): ZaloChat {
    return { id: g.id ?? bigId("84", this.nextId++), chat_type: "GROUP" };
  }

  /** From now on every send to this chat is refused 403 (user blocked the bot, bot removed from group). */
  block(chatId: string, on = true): void {
    if (on) this.blocked.add(chatId);
    else this.blocked.delete(chatId);
  }

  // ---- incoming events ------------------------------------------------------------------

  sendText(from: ZaloUser, chat: ZaloChat, text: string): ZaloEvent {
    return this.emit(from, chat, ZALO_EVENTS.text, { text });
  }

  sendImage(from: ZaloUser, chat: ZaloChat, img: { url: string; caption?: string }): ZaloEvent {
    return this.emit(from, chat, ZALO_EVENTS.image, img.caption === undefined ? { photo: img.url } : { photo: img.url, caption: img.caption });
  }

  sendSticker(from: ZaloUser, chat: ZaloChat, stickerId: string): ZaloEvent {
    return this.emit(from, chat, ZALO_EVENTS.sticker, { sticker: stickerId, url: `https://stickers.zalo.invalid/${encodeURIComponent(stickerId)}.webp` });
  }

  sendVoice(from: ZaloUser, chat: ZaloChat, voiceUrl: string): ZaloEvent {
    return this.emit(from, chat, ZALO_EVENTS.voice, { voice_url: voiceUrl });
  }

  /** The content-less event Zalo sends for some protected senders. */
  sendUnsupported(from: ZaloUser, chat: ZaloChat): ZaloEvent {
    return this.emit(from, chat, ZALO_EVENTS.unsupported, {});
  }

  /** A future event the adapter does not know; `extra` fields are added to the message. */
  sendUnknownEvent(from: ZaloUser, chat: ZaloChat, eventName: string, extra: Record<string, unknown> = {}): ZaloEvent {
    return this.emit(from, chat, eventName, extra as Partial<ZaloMessage>);
  }

  /** Queues an arbitrary object as an event, shape unchecked (e.g. one without `message`). */
  sendRaw(event: Record<string, unknown>): void {
    this.enqueue(structuredClone(event) as unknown as ZaloEvent);
  }

  /** Delivers the same event (same message_id) once more, as a platform retry would. */
  deliverAgain(event: ZaloEvent): ZaloEvent {
    this.enqueue(structuredClone(event));
    return event;
  }

  /**
   * An event handed to a long poll counts as pending until the next getUpdates: Zalo has no
   * acknowledgement, and a sequential poller asks again only once it has taken the event in.
   */
  private handedOut = false;
  /** Events waiting for getUpdates or for webhook delivery. */
  get pending(): number {
    return this.queue.length + (this.handedOut ? 1 : 0);
  }

  private emit(from: ZaloUser, chat: ZaloChat, event_name: string, content: Partial<ZaloMessage>): ZaloEvent {
    const message: ZaloMessage = { message_id: randomHex(16), date: this.now(), from: { ...from }, chat: { ...chat }, ...content };
    this.chats.set(chat.id, chat.chat_type);
    const event: ZaloEvent = { event_name, message };
    this.enqueue(structuredClone(event));
    return event;
  }

  private enqueue(event: ZaloEvent): void {
    if (this.stopped) return;
    this.queue.push(event);
    this.pump();
  }

  /** Hands queued events to the webhook or to waiting long polls. */
  private pump(): void {
    if (this.hook) {
      void this.runDeliveries();
      return;
    }
    while (this.queue.length > 0 && this.waiters.length > 0) {
      const w = this.waiters.shift() as PollWaiter;
      this.handedOut = true;
      w.finish(success(this.queue.shift()));
    }
  }

  // ---- webhook delivery -----------------------------------------------------------------

  /** The webhook currently set, if any. */
  get webhook(): { url: string; secret: string } | null {
    return this.hook ? { ...this.hook } : null;
  }

  /** Resolves when no webhook delivery is running or due. */
  async settled(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.delivering || (this.hook && this.queue.length > 0)) {
      if (Date.now() > until) throw new Error(`webhook deliveries still running after ${timeoutMs} ms (${this.queue.length} queued)`);
      await sleep(10);
    }
  }

  private async runDeliveries(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (this.hook && this.queue.length > 0 && !this.stopped) {
        const event = this.queue.shift() as ZaloEvent;
        if ((await this.deliver(event)) === "unhooked") {
          this.queue.unshift(event);
          break;
        }
      }
    } finally {
      this.delivering = false;
    }
    if (!this.stopped && !this.hook) this.pump();
  }

  private async deliver(event: ZaloEvent): Promise<"delivered" | "gave-up" | "unhooked"> {
    const body = JSON.stringify({ ok: true, result: event });
    for (let attempt = 1; ; attempt++) {
      const hook = this.hook;
      if (!hook || this.stopped) return "unhooked";
      let status: number | null = null;
      let error: string | undefined;
      try {
        const res = await fetch(hook.url, {
          method: "POST",
          headers: { "content-type": "application/json; charset=utf-8", [ZALO_SECRET_HEADER]: hook.secret },
          body,
          signal: AbortSignal.any([this.life.signal, AbortSignal.timeout(this.webhookTimeoutMs)]),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch (e) {
        if (this.stopped) return "unhooked";
        error = e instanceof Error ? `${e.name}: ${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ""}` : String(e);
      }
      const ok = status !== null && status >= 200 && status < 300;
      const outcome = ok ? "delivered" : attempt >= this.retry.maxAttempts ? "gave-up" : "retry";
      const record: DeliveryAttempt = { url: hook.url, event_name: event.event_name, message_id: String(event.message?.message_id ?? ""), attempt, status, outcome, at: this.now() };
      this.deliveries.push(error === undefined ? record : { ...record, error });
      if (outcome !== "retry") return outcome;
      const delay = Math.min(this.retry.initialDelayMs * this.retry.factor ** (attempt - 1), this.retry.maxDelayMs);
      try {
        await sleep(delay, undefined, { signal: this.life.signal });
      } catch {
        return "unhooked";
      }
    }
  }

  // ---- observation ----------------------------------------------------------------------

  /** Messages the bot sent, in order; only those to `chatId` if given. */
  sent(chatId?: string): SentMessage[] {
    return this.outbox.filter((m) => chatId === undefined || m.chat_id === chatId).map((m) => ({ ...m }));
  }

  /**
   * Waits until `count` messages were sent to `chatId` (resolves with all sent there), or
   * until at least one satisfies `predicate` (resolves with those that do). `chatId`
   * undefined means any chat. Rejects with a listing of what was sent and refused.
   */
  waitForSent(chatId: string | undefined, what: number | ((m: SentMessage) => boolean), timeoutMs = 10_000): Promise<SentMessage[]> {
    const pick = (): SentMessage[] | null => {
      const all = this.sent(chatId);
      if (typeof what === "number") return all.length >= what ? all : null;
      const hits = all.filter(what);
      return hits.length > 0 ? hits : null;
    };
    return new Promise((resolve, reject) => {
      const check = () => {
        const got = pick();
        if (!got) return;
        clearTimeout(timer);
        this.sentListeners.delete(check);
        resolve(got);
      };
      const timer = setTimeout(() => {
        this.sentListeners.delete(check);
        reject(new Error(this.describeSent(chatId, what, timeoutMs)));
      }, timeoutMs);
      this.sentListeners.add(check);
      check();
    });
  }

  private describeSent(chatId: string | undefined, what: number | ((m: SentMessage) => boolean), timeoutMs: number): string {
    const wanted = typeof what === "number" ? `${what} message(s)` : "a message matching the predicate";
    const where = chatId === undefined ? "any chat" : `chat ${chatId}`;
    const lines = [`waitForSent: no ${wanted} in ${where} after ${timeoutMs} ms.`];
    const show = (m: SentMessage) => `  [${m.chat_id}] ${m.method} ${JSON.stringify(m.text || m.caption || m.photo || m.sticker || m.voice_url || "")}`;
    const mine = this.sent(chatId);
    lines.push(`Sent to ${where} (${mine.length}):`, ...mine.map(show));
    if (chatId !== undefined) {
      const others = this.outbox.filter((m) => m.chat_id !== chatId);
      if (others.length > 0) lines.push(`Sent to other chats (${others.length}):`, ...others.map(show));
    }
    const refused = this.calls.filter((c) => c.method.startsWith("send") && c.ok !== true);
    if (refused.length > 0) {
      lines.push(`Refused or failed send calls (${refused.length}):`);
      for (const c of refused) lines.push(`  ${c.method} chat_id=${String(c.params.chat_id)} → HTTP ${c.status ?? "none"} ${c.error_code ?? ""} ${c.description ?? c.fault ?? ""}`);
    }
    return lines.join("\n");
  }

  stats(): ZaloStats {
    const byMethod: Record<string, number> = {};
    for (const c of this.calls) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
    return { calls: this.calls.length, byMethod, ...this.counters, queued: this.queue.length, webhookAttempts: this.deliveries.length };
  }

  /** Forgets observations (calls, sent messages, deliveries, stats), not state (chats, webhook, queue, faults). */
  clear(): void {
    this.calls.length = 0;
    this.outbox.length = 0;
    this.deliveries.length = 0;
    this.recent = [];
    this.counters = { rateLimited: 0, peakPerWindow: 0, peakConcurrentPolls: 0 };
  }

  // ---- faults ---------------------------------------------------------------------------

  /** The next `times` calls of `method` ("*" = any; only those with this chat_id if given) get `fault`. */
  failNext(method: ZaloMethod | "*", fault: ZaloFault, times = 1, opts: { chatId?: string } = {}): void {
    this.faults.push({ method, fault, remaining: times, ...(opts.chatId === undefined ? {} : { chatId: opts.chatId }) });
  }

  /** While on, every call answers 502 (HTML) and nothing else happens. */
  down(on = true): void {
    this.isDown = on;
  }

  /** Every call answers 401 from now on, as for a token revoked in the Zalo console. */
  revokeToken(): void {
    this.revoked = true;
  }

  /** Off by default; `null` turns it off again. */
  enforceLimits(limits: LimitsModel | null): void {
    this.limits = limits ? { perSecond: limits.perSecond, scale: limits.scale ?? 1 } : null;
  }

  private takeFault(method: string, params: Params): ZaloFault | undefined {
    const i = this.faults.findIndex((f) => (f.method === "*" || f.method === method) && (f.chatId === undefined || f.chatId === params.chat_id));
    const f = this.faults[i];
    if (!f) return undefined;
    if (--f.remaining <= 0) this.faults.splice(i, 1);
    return f.fault;
  }

  /** Counts an accepted call against the window; true when it must be refused 429. */
  private overLimit(): boolean {
    const windowMs = 1000 / (this.limits?.scale ?? 1);
    const t = Date.now();
    this.recent = this.recent.filter((x) => t - x < windowMs);
    if (this.limits && this.recent.length >= this.limits.perSecond) {
      this.counters.rateLimited++;
      return true;
    }
    this.recent.push(t);
    this.counters.peakPerWindow = Math.max(this.counters.peakPerWindow, this.recent.length);
    return false;
  }

  // ---- HTTP -----------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = this.now();
    const match = /^\/bot([^/]*)\/([^/]*)$/.exec(new URL(req.url ?? "/", "http://fake").pathname);
    const method = match ? safeDecode(match[2] ?? "") : "";
    let params: Params = {};
    let fault: string | undefined;
    let outcome: Outcome;
    try {
      const raw = await readBody(req);
      outcome = await (async (): Promise<Outcome> => {
        if (this.isDown) {
          fault = "down";
          return { status: 502, html: ZALO_BAD_GATEWAY_BODY };
        }
        if (!match) return refusal(ZALO_ERRORS.unknownMethod);
        if (this.revoked || safeDecode(match[1] ?? "") !== this.token) return refusal(ZALO_ERRORS.unauthorized);
        if (!(ZALO_METHODS as readonly string[]).includes(method)) return refusal(ZALO_ERRORS.unknownMethod, method);
        if (req.method !== "POST") return refusal(ZALO_ERRORS.notPost);
        params = parseParams(req, raw);
        const f = this.takeFault(method, params);
        if (f) fault = faultName(f);
        return this.run(method as ZaloMethod, params, req, res, f, () => (fault = "rate limit"));
      })();
    } catch (e) {
      outcome = e instanceof ApiError ? refusal(e.spec, e.detail) : refusal(ZALO_ERRORS.internal, e instanceof Error ? e.message : String(e));
    }
    const written = this.write(req, res, outcome);
    const record: CallRecord = { method, params: this.scrub(params), ...written, at };
    this.calls.push(fault === undefined ? record : { ...record, fault });
  }

  private async run(method: ZaloMethod, params: Params, req: IncomingMessage, res: ServerResponse, fault: ZaloFault | undefined, limited: () => void): Promise<Outcome> {
    if (fault) {
      if ("status" in fault) {
        if (fault.status === 429) return refusal(ZALO_ERRORS.tooManyRequests);
        if (fault.status === 500) return refusal(ZALO_ERRORS.internal);
        return { status: fault.status, html: fault.status === 502 ? ZALO_BAD_GATEWAY_BODY : "<html><body><h1>503 Service Unavailable</h1></body></html>" };
      }
      if ("okFalse" in fault) return { status: 200, body: { ok: false, ...fault.okFalse } };
      if ("auth" in fault) return refusal(ZALO_ERRORS.unauthorized);
      if ("reset" in fault) {
        if (fault.afterEffect) await this.dispatch(method, params, req, res).catch(() => undefined);
        return { reset: true };
      }
      try {
        await sleep(fault.hangMs, undefined, { signal: this.life.signal });
      } catch {
        return { reset: true };
      }
    }
    if (method !== "getUpdates" && this.overLimit()) {
      limited();
      return refusal(ZALO_ERRORS.tooManyRequests);
    }
    return this.dispatch(method, params, req, res);
  }

  private async dispatch(method: ZaloMethod, p: Params, req: IncomingMessage, res: ServerResponse): Promise<Outcome> {
    switch (method) {
      case "getMe":
        return success({ ...this.bot });
      case "getUpdates":
        return this.getUpdates(p, req, res);
      case "setWebhook":
        return success(this.setWebhook(p));
      case "deleteWebhook":
        this.hook = null;
        this.hookUpdatedAt = this.now();
        return success(this.webhookInfo());
      case "getWebhookInfo":
        return success(this.webhookInfo());
      case "sendMessage": {
        if (typeof p.text !== "string") throw bad("text is required and must be a string");
        const text = checkLength("text", p.text);
        const parseMode = optionalString(p, "parse_mode");
        if (parseMode !== undefined && parseMode !== "markdown" && parseMode !== "html") throw bad('parse_mode must be "markdown" or "html"');
        return this.record("sendMessage", this.chatFor(p), { text, ...(parseMode ? { parse_mode: parseMode } : {}) });
      }
      case "sendPhoto": {
        const photo = requireString(p, "photo");
        httpUrl("photo", photo);
        const caption = optionalString(p, "caption");
        if (caption !== undefined) checkLength("caption", caption);
        return this.record("sendPhoto", this.chatFor(p), { photo, ...(caption === undefined ? {} : { caption }) });
      }
      case "sendSticker":
        return this.record("sendSticker", this.chatFor(p), { sticker: requireString(p, "sticker") });
      case "sendVoice": {
        const voiceUrl = requireString(p, "voice_url");
        if (!httpUrl("voice_url", voiceUrl).pathname.toLowerCase().endsWith(".aac")) throw bad("voice_url must point to an .aac file");
        const chat = this.chatFor(p);
        if (chat.chat_type !== "PRIVATE") throw bad("sendVoice works in private chats only");
        return this.record("sendVoice", chat, { voice_url: voiceUrl });
      }
      case "sendChatAction":
        if (p.action !== "typing") throw bad('action must be "typing"');
        this.chatFor(p);
        return success();
    }
  }

  private getUpdates(p: Params, req: IncomingMessage, res: ServerResponse): Outcome | Promise<Outcome> {
    if (this.hook) return refusal(ZALO_ERRORS.webhookActive);
    const raw = p.timeout ?? ZALO_DEFAULT_POLL_TIMEOUT_S;
    const timeout = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
    if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout < 0) throw bad("timeout must be a non-negative number of seconds");
    if (req.socket.destroyed) return { gone: true };
    this.handedOut = false;
    const event = this.queue.shift();
    if (event) {
      this.handedOut = true;
      return success(event);
    }
    if (timeout === 0 || this.stopped) return { status: 200, body: { ...ZALO_EMPTY_POLL } };
    return new Promise<Outcome>((resolve) => {
      const waiter: PollWaiter = {
        finish: (o) => {
          clearTimeout(timer);
          res.off("close", onClose);
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(o);
        },
      };
      const onClose = () => waiter.finish({ gone: true });
      const timer = setTimeout(() => waiter.finish({ status: 200, body: { ...ZALO_EMPTY_POLL } }), timeout * 1000);
      res.once("close", onClose);
      this.waiters.push(waiter);
      this.counters.peakConcurrentPolls = Math.max(this.counters.peakConcurrentPolls, this.waiters.length);
    });
  }

  private setWebhook(p: Params): ZaloWebhookInfo {
    const url = httpUrl("url", requireString(p, "url"));
    if (url.protocol !== "https:" && !LOOPBACK_HOSTS.has(url.hostname)) throw bad("url must be HTTPS");
    const secret = typeof p.secret_token === "string" ? p.secret_token : "";
    if (secret.length < ZALO_SECRET_MIN || secret.length > ZALO_SECRET_MAX) throw bad(`secret_token must be ${ZALO_SECRET_MIN}–${ZALO_SECRET_MAX} characters`);
    this.hook = { url: p.url as string, secret };
    this.hookUpdatedAt = this.now();
    for (const w of [...this.waiters]) w.finish(refusal(ZALO_ERRORS.webhookActive));
    queueMicrotask(() => this.pump());
    return this.webhookInfo();
  }

  private webhookInfo(): ZaloWebhookInfo {
    return { url: this.hook?.url ?? "", updated_at: this.hookUpdatedAt };
  }

  private chatFor(p: Params): { id: string; chat_type: ZaloChatType } {
    const v = p.chat_id;
    if (typeof v !== "string" || v === "") throw bad("chat_id is required and must be a string");
    const type = this.chats.get(v);
    if (!type) throw new ApiError(ZALO_ERRORS.forbidden, "chat not found: nobody has written to the bot in this chat");
    if (this.blocked.has(v)) throw new ApiError(ZALO_ERRORS.forbidden, "the bot may not message this chat");
    return { id: v, chat_type: type };
  }

  private record(method: SendMethod, chat: { id: string }, fields: Partial<SentMessage>): Outcome {
    const m: SentMessage = { message_id: randomHex(16), chat_id: chat.id, method, text: "", date: this.now(), ...fields };
    this.outbox.push(m);
    for (const l of this.sentHooks) l(m);
    for (const check of [...this.sentListeners]) check();
    return success({ message_id: m.message_id, date: m.date });
  }

  private readonly sentHooks = new Set<(m: SentMessage) => void>();

  /** Calls `listener` with each message the bot sends, as it is recorded (O(1): for benchmarks). Returns an unsubscribe. */
  onSent(listener: (m: SentMessage) => void): () => void {
    this.sentHooks.add(listener);
    return () => this.sentHooks.delete(listener);
  }

  private write(req: IncomingMessage, res: ServerResponse, o: Outcome): Pick<CallRecord, "status" | "ok" | "error_code" | "description"> {
    if ("gone" in o) return { status: null, ok: null };
    if ("reset" in o || res.destroyed) {
      req.socket.destroy();
      return { status: null, ok: null };
    }
    if ("html" in o) {
      res.writeHead(o.status, { "content-type": "text/html; charset=utf-8" }).end(o.html);
      return { status: o.status, ok: null };
    }
    const body = JSON.stringify(o.body);
    res.writeHead(o.status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) }).end(body);
    const { ok, error_code, description } = o.body;
    return { status: o.status, ok, ...(error_code === undefined ? {} : { error_code }), ...(description === undefined ? {} : { description }) };
  }

  private scrub(params: Params): Params {
    const json = JSON.stringify(params);
    return json.includes(this.token) ? (JSON.parse(json.split(this.token).join("[token]")) as Params) : params;
  }

  // ---- lifecycle ------------------------------------------------------------------------

  /** Answers pending long polls with the empty-poll result, stops deliveries and closes the server. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.life.abort();
    for (const w of [...this.waiters]) w.finish({ status: 200, body: { ...ZALO_EMPTY_POLL } });
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      setTimeout(() => this.server.closeAllConnections(), 200).unref();
    });
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
