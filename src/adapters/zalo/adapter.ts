/**
 * The Zalo door over plain HTTP. Polling: one sequential getUpdates loop per token (Zalo
 * hands out one event per call and never again, so each is stored before the next call),
 * with bounded backoff on transient failures and a full stop on a refused token. Webhook:
 * the secret header is compared in constant time before the body is read; the body is
 * bounded and must be one object. Zalo has no buttons: choices are numbered lines, and a
 * person answers "1", "2"… or the label. Texts are split under Zalo's 2,000 characters;
 * a picture is sent by its public link (sendPhoto), as Zalo takes no uploads.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isPicture, type Inbound, type Outbound } from "../../core/model.js";
import type { Logger } from "../../core/ports.js";
import { storable } from "../../core/text.js";
import { HttpError, readBody, sendJson, type Router } from "../../http/server.js";
import { DeliveryError, type Channel } from "../channel.js";
import { splitText } from "../replies.js";
import { ZaloApiError, ZaloClient, ZaloTransportError } from "./client.js";
import { eventSchema, mapEvent } from "./map.js";
import { sameSecret } from "../webhook-secret.js";
import { pause, Reachability, reconnectDelayMs, waitAtMost } from "../reachability.js";

export const TEXT_LIMIT = 2000;
const WEBHOOK_PATH = "/webhooks/zalo";
const WEBHOOK_BODY_LIMIT = 256 * 1024;
/** Seconds Zalo holds a getUpdates call; our own timeout is longer. */
const POLL_SECONDS = 30;
const BACKOFF_MS = { first: 1_000, max: 60_000 };

export interface ZaloOptions {
  token: string;
  apiRoot: string;
  mode: "polling" | "webhook";
  webhookSecret?: string;
  /** Store an event durably; resolves once it may be acknowledged. */
  receive(inbound: Inbound & { updateId: string }): Promise<boolean>;
  /** Where exported files can be fetched, since Zalo cannot carry documents (null: not offered). */
  fileLink(fileId: string, name: string): string | null;
  /** Translates the texts this door adds itself (the note replacing a file). */
  note(key: "file_link" | "file_unavailable", params: Record<string, string>): string;
  /** Start-up waits this long for Zalo to answer, then goes on and keeps trying in the background. */
  waitMs: number;
  log: Logger;
}

/**
 * Zalo's refusals, by the codes of platforms/zalo-bot-api.md (HTTP status = error_code):
 * 403 is one chat the bot may not message (blocked, removed, never written in) — the chat
 * is gone, as Telegram's 403; 401 is the token — retried, since every chat is refused
 * alike and an operator must act; 408, 429 and 5xx pass — retried after a wait; anything
 * else (400 bad parameters, 404 unknown method) will never go — dropped.
 */
export function classify(e: unknown): DeliveryError {
  if (e instanceof ZaloApiError) {
    const code = (c: number) => e.errorCode === c || e.httpStatus === c;
    if (code(403)) return new DeliveryError("gone", e.description);
    if (code(429) || code(408)) return new DeliveryError("retry", e.description);
    if (e.isAuth) return new DeliveryError("retry", "token refused");
    if (code(400) && /chat not found|not allowed|not a member|blocked/i.test(e.description)) return new DeliveryError("gone", e.description);
    if (e.errorCode >= 500 || e.httpStatus >= 500) return new DeliveryError("retry", e.description);
    return new DeliveryError("fatal", e.description);
  }
  if (e instanceof ZaloTransportError) return new DeliveryError("retry", e.message);
  return new DeliveryError("retry", e instanceof Error ? e.message : String(e));
}

/** Choices as numbered lines under the text: "1. Đồng ý". */
export function renderText(message: Outbound): string {
  if (!message.choices?.length) return message.text;
  return `${message.text}\n\n${message.choices.map((c, i) => `${i + 1}. ${c.label}`).join("\n")}`;
}

export class ZaloAdapter implements Channel {
  readonly platform = "zalo";
  readonly client: ZaloClient;
  private stopping = new AbortController();
  /** Events dropped since start because they were malformed (each one logged). */
  malformed = 0;
  private loop: Promise<void> | null = null;
  /** Whether Zalo answers: what /readyz reports of this door. */
  readonly reach: Reachability;
  /** The connection made in the background when Zalo did not answer within the start-up wait. */
  private background: Promise<void> | null = null;

  constructor(private readonly o: ZaloOptions) {
    this.reach = new Reachability("zalo", o.log);
    this.client = new ZaloClient({ token: o.token, apiRoot: o.apiRoot, observe: (problem) => (problem === null ? this.reach.reached() : this.reach.lost(problem)) });
  }

  /**
   * Check the token (getMe), then poll or take webhooks (the webhook itself is set by the
   * operator). Waits for Zalo at most `waitMs`: a refused token within it stops start-up;
   * an unreachable Zalo is said in one line, and polling starts once it answers.
   */
  async start(router: Router): Promise<void> {
    if (this.o.mode === "webhook") {
      router.on("POST", WEBHOOK_PATH, (req, res) => this.webhook(req, res));
      this.o.log.info("zalo webhook route ready", { path: WEBHOOK_PATH });
    }
    const connecting = this.connect();
    if (await waitAtMost(connecting, this.o.waitMs)) return;
    this.reach.announce("cannot be reached at ZALO_API_ROOT; retrying in the background");
    this.background = connecting.catch((e: unknown) => this.o.log.error("zalo door stays closed", { error: e instanceof Error ? e.message : String(e) }));
  }

  /** getMe until Zalo answers (with backoff), then poll. */
  private async connect(): Promise<void> {
    const signal = this.stopping.signal;
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) return;
      try {
        await this.client.call("getMe", {}, { signal });
        break;
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof ZaloApiError && e.isAuth) throw new Error("Zalo refused ZALO_BOT_TOKEN (getMe: unauthorized)");
        // Zalo answered, only not to getMe: it is reachable, go on.
        if (e instanceof ZaloApiError && e.errorCode < 500 && e.errorCode !== 429) break;
        this.o.log.debug("zalo getMe failed, retrying", { attempt, error: e instanceof Error ? e.message : String(e) });
        await pause(reconnectDelayMs(attempt), signal);
      }
    }
    if (this.o.mode === "polling" && !signal.aborted) {
      this.loop = this.poll();
      this.o.log.info("zalo polling started");
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.background;
    await this.loop;
  }

  /** The one sequential poll loop. Resolves when stopped, or when the token is refused. */
  private async poll(): Promise<void> {
    let backoff = 0;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        const event = await this.client.call<unknown>("getUpdates", { timeout: POLL_SECONDS }, { timeoutMs: (POLL_SECONDS + 10) * 1000, signal });
        backoff = 0;
        if (event !== null && event !== undefined) await this.accept(event);
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof ZaloApiError && e.isAuth) {
          this.reach.lost("token refused");
          this.o.log.error("zalo token refused; polling stopped");
          return;
        }
        // An empty long poll may come back as a timeout: that is not a failure.
        if (e instanceof ZaloApiError && (e.errorCode === 408 || /timeout/i.test(e.description))) continue;
        backoff = backoff ? Math.min(BACKOFF_MS.max, backoff * 2) : BACKOFF_MS.first;
        this.o.log.warn("zalo getUpdates failed, backing off", { ms: backoff, error: e instanceof Error ? e.message : String(e) });
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, backoff);
          signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
        });
      }
    }
  }

  /**
   * A raw event (polled, or the `result` of a webhook body) → the inbox. A malformed one
   * (no event name, a message without chat or sender, ids that are not ids) cannot be
   * answered: it is counted and logged (its event name and why, never its text), so an
   * operator sees what Zalo sent and the loop goes on to the next event.
   */
  private async accept(raw: unknown): Promise<void> {
    const parsed = eventSchema.safeParse(raw);
    if (!parsed.success) return this.dropMalformed(null, "no event_name");
    const mapped = mapEvent(parsed.data);
    if ("ignore" in mapped) {
      if (mapped.ignore === "malformed message") return this.dropMalformed(parsed.data.event_name, mapped.ignore);
      this.o.log.debug("zalo event ignored", { event: storable(parsed.data.event_name), why: mapped.ignore });
      return;
    }
    await this.o.receive(mapped.inbound);
  }

  private dropMalformed(event: string | null, why: string): void {
    this.malformed++;
    this.o.log.warn("zalo event malformed, dropped", { event: event === null ? null : storable(event).slice(0, 128), why, dropped: this.malformed });
  }

  /** POST /webhooks/zalo: secret first, then a bounded body, then one {ok, result} object. */
  private async webhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!sameSecret(req.headers["x-bot-api-secret-token"], this.o.webhookSecret!)) {
      res.writeHead(401, { connection: "close" }).end();
      req.destroy();
      return;
    }
    const body = await readBody(req, WEBHOOK_BODY_LIMIT);
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      throw new HttpError(400, "malformed JSON");
    }
    if (typeof payload !== "object" || payload === null || Array.isArray(payload) || !("result" in payload)) throw new HttpError(400, "not an event");
    await this.accept((payload as { result: unknown }).result);
    sendJson(res, 200, { ok: true });
  }

  async send(key: string, message: Outbound): Promise<{ messageId: string | null }> {
    const chatId = key.slice("zalo:".length);
    if (message.file && isPicture(message.file.name)) return this.sendPicture(chatId, message.file, renderText(message));
    let text = renderText(message);
    if (message.file) {
      const link = this.o.fileLink(message.file.id, message.file.name);
      text = `${text}\n${link ? this.o.note("file_link", { name: message.file.name, link }) : this.o.note("file_unavailable", { name: message.file.name })}`;
    }
    let last: string | null = null;
    try {
      for (const part of splitText(text, TEXT_LIMIT)) {
        const sent = await this.client.call<{ message_id?: string | number }>("sendMessage", { chat_id: chatId, text: part });
        last = sent?.message_id === undefined ? null : String(sent.message_id);
      }
    } catch (e) {
      throw classify(e);
    }
    return { messageId: last };
  }

  /**
   * A picture goes by link (sendPhoto takes a URL, which Zalo fetches), captioned with the
   * message's text. Without a public URL Zalo cannot reach the file: the picture is left
   * out, since the text it illustrates was sent in the message before.
   */
  private async sendPicture(chatId: string, file: { id: string; name: string }, caption: string): Promise<{ messageId: string | null }> {
    const link = this.o.fileLink(file.id, file.name);
    if (!link) return { messageId: null };
    try {
      const sent = await this.client.call<{ message_id?: string | number }>("sendPhoto", { chat_id: chatId, photo: link, ...(caption && { caption: cutCaption(caption) }) });
      return { messageId: sent?.message_id === undefined ? null : String(sent.message_id) };
    } catch (e) {
      throw classify(e);
    }
  }
}

/** A caption within Zalo's 2,000 characters, cut at a line break where possible. */
function cutCaption(text: string): string {
  return splitText(text, TEXT_LIMIT)[0]!;
}
