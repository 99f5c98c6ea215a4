/**
 * Telegram and Zalo as doors for the load (load.ts). The fake platform servers of
 * test/fakes run in this process on loopback; the bot, in its own process, talks to them
 * over HTTP exactly as to the real Bot APIs (long polling, or a webhook). An
 * input is injected into the fake (a message, or a button press: Zalo has no buttons, so a
 * choice is its number sent as text); the bot's answer is the message the fake records
 * when the bot's sendMessage reaches it. Latency therefore covers the whole way: delivery
 * of the update, the inbox insert, the engine's transaction, the sendMessage call.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { FakeTelegram, type SentMessage as TgSent, type TgUser } from "../test/fakes/telegram-server.js";
import { FakeZalo, type ZaloChat, type ZaloUser } from "../test/fakes/zalo-server.js";
import { ReplyBuffer, type Conversation, type Door, type Input, type Msg } from "./load.js";
import { freePort } from "./server.js";
import { officerName, type Seat } from "./setup.js";

export const PLATFORMS = ["telegram-polling", "zalo-polling", "telegram-webhook", "zalo-webhook"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** What the fake server saw during the load. */
export interface FakeView {
  /** sendMessage calls the fake accepted, per second of the load. */
  sendMessagePerSecond: number;
  /** Calls received during the load, by method. */
  byMethod: Record<string, number>;
  /** Calls not answered with a 2xx, by "method HTTP status" (none: no answer at all). */
  non2xx: Record<string, number>;
}

/** A door whose platform is a fake server in this process. */
export interface PlatformDoor extends Door {
  /** Forget what the fake has observed so far (it keeps every call in memory). */
  reset(): void;
  view(durationMs: number): FakeView;
  stop(): Promise<void>;
}

/** How many calls of each kind, per method and HTTP status (null: not answered), as the fake logged them. */
function viewOf(calls: { method: string; status: number | null }[], durationMs: number): FakeView {
  const byMethod: Record<string, number> = {};
  const non2xx: Record<string, number> = {};
  let sent = 0;
  for (const { method, status } of calls) {
    byMethod[method] = (byMethod[method] ?? 0) + 1;
    if (status !== null && status >= 200 && status < 300) {
      if (method === "sendMessage") sent++;
      continue;
    }
    const key = `${method} HTTP ${status || "none"}`;
    non2xx[key] = (non2xx[key] ?? 0) + 1;
  }
  return { sendMessagePerSecond: Math.round((10 * sent) / (durationMs / 1000)) / 10, byMethod, non2xx };
}

/** The private chat of one officer on a fake platform: what the fake records arrives here. */
abstract class FakeChat extends ReplyBuffer implements Conversation {
  readonly reconnects = 0;

  constructor(readonly name: string) {
    super();
  }

  async open(): Promise<void> {}
  close(): void {}

  /** The bot sent `text` (with `choices`) into this chat: called from the fake's hook. */
  arrive(text: string, choices: Msg["choices"]): void {
    this.deliver({ seq: this.lastSeq + 1, from: "bot", text, ...(choices?.length && { choices }) }, performance.now());
  }

  /** The fake takes an input at once; replies are those that arrive after it. */
  async send(input: Input): Promise<number> {
    const after = this.lastSeq;
    this.inject(input);
    return after;
  }

  protected abstract inject(input: Input): void;
}

// ---------------------------------------------------------------- Telegram

class TelegramChat extends FakeChat {
  constructor(
    private readonly tg: FakeTelegram,
    readonly user: TgUser,
  ) {
    super(`tg:${user.id}`);
  }

  /** A choice id is "<message_id>:<callback_data>": the button under that bot message. */
  protected inject(input: Input): void {
    if ("text" in input) {
      this.tg.sendText(this.user, this.user.id, input.text);
      return;
    }
    const at = input.choice.indexOf(":");
    this.tg.pressButton(this.user, this.user.id, Number(input.choice.slice(0, at)), input.choice.slice(at + 1));
  }
}

async function telegramDoor(mode: "polling" | "webhook", chats: number, warmup: number): Promise<PlatformDoor> {
  const tg = await FakeTelegram.start();
  const officers = officersOn(chats, warmup, (name) => new TelegramChat(tg, tg.user({ firstName: name })));
  const byChat = new Map(officers.all.map((c) => [c.name, c]));
  // The fakes' O(1) hook: their sent()/waitForSent() scan everything, too costly for 500 chats.
  tg.onSent((m: TgSent) => {
    // Edits are not answers; the bot does not edit in this dialog anyway.
    if (m.edited) return;
    const choices = m.buttons.flatMap((b) => (b.data === undefined ? [] : [{ id: `${m.message_id}:${b.data}`, label: b.text }]));
    byChat.get(`tg:${m.chat_id}`)?.arrive(m.text ?? m.caption ?? "", choices);
  });
  const env: Record<string, string> = { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, TELEGRAM_MODE: mode };
  if (mode === "webhook") Object.assign(env, await webhookEnv(), { TELEGRAM_WEBHOOK_SECRET: randomBytes(16).toString("hex") });
  return {
    ...officers.door,
    // A Telegram private chat's id is its user's id.
    seats: officers.all.map((c): Seat => ({ name: c.user.first_name, identityKey: c.name, chatKey: c.name })),
    env,
    reset: () => tg.clear(),
    view: (durationMs) => viewOf(tg.calls, durationMs),
    stop: () => tg.stop(),
  };
}

// ---------------------------------------------------------------- Zalo

/** Zalo has no buttons: choices are numbered lines after the last blank line ("1. Đợt 1 (…)"). */
function numbered(text: string): { text: string; choices?: Msg["choices"] } {
  const cut = text.lastIndexOf("\n\n");
  const lines = cut < 0 ? [] : text.slice(cut + 2).split("\n");
  const items = lines.map((l, i) => (l.startsWith(`${i + 1}. `) ? { id: String(i + 1), label: l.slice(`${i + 1}. `.length) } : null));
  if (!items.length || items.includes(null)) return { text };
  return { text: text.slice(0, cut), choices: items as NonNullable<(typeof items)[number]>[] };
}

class ZaloPrivateChat extends FakeChat {
  constructor(
    private readonly zl: FakeZalo,
    readonly user: ZaloUser,
    readonly chat: ZaloChat,
  ) {
    super(`zalo:${user.id}`);
  }

  /** A choice id is the choice's number, which a Zalo user types. */
  protected inject(input: Input): void {
    this.zl.sendText(this.user, this.chat, "text" in input ? input.text : input.choice);
  }
}

async function zaloDoor(mode: "polling" | "webhook", chats: number, warmup: number): Promise<PlatformDoor> {
  const zl = await FakeZalo.start();
  const officers = officersOn(chats, warmup, (name) => {
    const user = zl.user({ displayName: name });
    return new ZaloPrivateChat(zl, user, zl.privateChat(user));
  });
  // A Zalo private chat's id is not its user's id.
  const byChat = new Map(officers.all.map((c) => [c.chat.id, c]));
  zl.onSent((sent) => {
    const m = numbered(sent.text || sent.caption || "");
    byChat.get(sent.chat_id)?.arrive(m.text, m.choices);
  });
  const env: Record<string, string> = { ZALO_BOT_TOKEN: zl.token, ZALO_API_ROOT: zl.apiRoot, ZALO_MODE: mode };
  const secret = randomBytes(16).toString("hex");
  if (mode === "webhook") Object.assign(env, await webhookEnv(), { ZALO_WEBHOOK_SECRET: secret });
  return {
    ...officers.door,
    seats: officers.all.map((c): Seat => ({ name: c.user.display_name, identityKey: c.name, chatKey: `zalo:${c.chat.id}` })),
    env,
    async started(url) {
      // Zalo's webhook is set by the operator, never by the bot.
      if (mode === "webhook") await setZaloWebhook(zl, `${url}/webhooks/zalo`, secret);
    },
    reset: () => zl.clear(),
    view: (durationMs) => viewOf(zl.calls, durationMs),
    stop: () => zl.stop(),
  };
}

async function setZaloWebhook(zl: FakeZalo, url: string, secret: string): Promise<void> {
  const res = await fetch(`${zl.apiRoot}/bot${zl.token}/setWebhook`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url, secret_token: secret }) });
  const body = (await res.json()) as { ok: boolean; description?: string };
  if (!body.ok) throw new Error(`Zalo setWebhook refused: ${body.description ?? res.status}`);
}

// ---------------------------------------------------------------- both

/** `count` officers' chats and `warmup` more, made by `make` from the officer's name; and what their door shares. */
function officersOn<C extends FakeChat>(count: number, warmup: number, make: (name: string) => C) {
  const load = Array.from({ length: count }, (_, i) => make(officerName(i)));
  const warm = Array.from({ length: warmup }, (_, i) => make(officerName(i, true)));
  const door: Pick<Door, "world" | "settleMs" | "chats"> = { world: "real", settleMs: 0, chats: () => ({ load, warmup: warm }) };
  return { all: [...load, ...warm], door };
}

/** A fixed port and the PUBLIC_URL on it: the bot must know its URL before it starts. */
async function webhookEnv(): Promise<Record<string, string>> {
  const port = await freePort();
  return { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` };
}

/**
 * Start the fake for `platform` with `chats` officers in private chats, and `warmup` more
 * for the warm-up. The bot is not started: `env` says how to reach the fake.
 */
export function startPlatform(platform: Platform, chats: number, warmup: number): Promise<PlatformDoor> {
  const [kind, mode] = platform.split("-") as ["telegram" | "zalo", "polling" | "webhook"];
  return kind === "telegram" ? telegramDoor(mode, chats, warmup) : zaloDoor(mode, chats, warmup);
}
