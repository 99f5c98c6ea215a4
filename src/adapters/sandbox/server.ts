/**
 * The web sandbox: a chat page and the sandbox API (the contract in ARCHITECTURE.md).
 * A person posts as a made-up identity; the message is stored, answered by the same core
 * as Telegram and Zalo, and the answers appear in the transcript (polled or streamed).
 * Identities are prefixed "web:", which the core keeps apart from real units.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { isPicture, type Inbound, type Locale } from "../../core/model.js";
import type { Logger } from "../../core/ports.js";
import { cleanInbound, hasUnstorable, isBlank } from "../../core/text.js";
import type { HandleResult } from "../../core/bot/engine.js";
import type { IncomingMessage } from "node:http";
import { HttpError, readJson, sendJson, type Handler, type Router } from "../../http/server.js";
import { FONTS_DIR } from "../../infra/fonts.js";
import { KeyedQueue } from "../../infra/keyed-queue.js";
import { SandboxStreams, type StreamLimits, type StreamStats } from "./streams.js";
import type { Transcript } from "./transcript.js";
import type { FileReader } from "../../infra/files.js";
import { fromRoot } from "../../paths.js";

const PUBLIC_DIR = fromRoot("src/adapters/sandbox/public");
const STATIC: Record<string, [string, string]> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/sandbox/app.js": ["app.js", "text/javascript; charset=utf-8"],
  "/sandbox/app.css": ["app.css", "text/css; charset=utf-8"],
};
/** The page's font is the one the project ships (assets/fonts), not the machine's. */
const FONTS: Record<string, string> = {
  "/sandbox/fonts/NotoSans-Regular.ttf": "NotoSans-Regular.ttf",
  "/sandbox/fonts/NotoSans-Bold.ttf": "NotoSans-Bold.ttf",
};

/**
 * The page loads only our own script, styles, fonts and pictures (chart pictures come from
 * /sandbox/files/; the favicon is an empty data: URL), talks only to our own API, and
 * nobody may frame it.
 */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

/** A sandbox message body is small; anything larger is refused before parsing. */
export const SANDBOX_BODY_LIMIT = 64 * 1024;
const ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A string PostgreSQL can store: a NUL or a lone surrogate is refused (400), not stored or cut. */
const storableString = () => z.string().refine((s) => !hasUnstorable(s), "text holds a NUL character or a lone surrogate");

export const postSchema = z
  .object({
    chatId: z.string().regex(ID, "chatId: 1–64 characters of A–Z a–z 0–9 . _ -"),
    chatTitle: storableString().pipe(z.string().max(200)).optional(),
    chatKind: z.enum(["private", "group"]),
    userId: z.string().regex(ID, "userId: 1–64 characters of A–Z a–z 0–9 . _ -"),
    userName: storableString()
      .refine((s) => !isBlank(s), "userName is empty")
      .pipe(z.string().trim().min(1, "userName is empty").max(100)),
    text: storableString().pipe(z.string().min(1).max(10_000)).optional(),
    choice: storableString().pipe(z.string().min(1).max(64)).optional(),
  })
  .strict()
  .refine((b) => (b.text === undefined) !== (b.choice === undefined), "give exactly one of text or choice");

export interface SandboxOptions {
  /** The bot: one update in, its replies out. */
  handle: (inbound: Inbound) => Promise<HandleResult>;
  transcript: Transcript;
  /** The files the transcript links to, while they are kept (FILE_KEEP_DAYS); null once past it. */
  files: FileReader;
  /**
   * How often an open stream also looks in the database, for messages another instance
   * wrote (null: a single process, so this process's own events are enough).
   */
  pollMs: number | null;
  /** Bounds on the event streams (defaults in streams.ts). */
  streams?: Partial<StreamLimits>;
  log: Logger;
  personas: (locale: Locale) => Promise<unknown>;
  /** Whether a request came under one of our own names (DNS rebinding); see http/host-guard.ts. */
  allowHost: (req: IncomingMessage) => boolean;
  catalogue: (locale: Locale) => Record<string, unknown> | undefined;
}

export class Sandbox {
  private readonly queue = new KeyedQueue();
  private readonly streams: SandboxStreams;

  constructor(private readonly o: SandboxOptions) {
    this.streams = new SandboxStreams(o.transcript, o.pollMs, o.streams);
  }

  /** The sandbox chats' transcript: what the bot sends on its own lands here too. */
  get transcript(): Transcript {
    return this.o.transcript;
  }

  /** Messages stored but not answered when the process last stopped: answer them now. */
  async recover(): Promise<number> {
    const pending = await this.o.transcript.unhandled();
    // Under the update id it was first handled with, so the engine recognises it (and its kept replies).
    for (const p of pending) void this.enqueue(p.seq, { ...p.inbound, updateId: `web:${p.seq}` });
    await this.queue.idle();
    return pending.length;
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private enqueue(seq: number, inbound: Inbound): Promise<void> {
    return this.queue.run(inbound.chatId, async () => {
      try {
        const { replies } = await this.o.handle(inbound);
        // Redelivered after a crash: the first run never reached the transcript (replies
        // and the handled mark are written together), so the kept replies are shown now.
        await this.o.transcript.answer(seq, inbound.chatId, replies);
      } catch (e) {
        this.o.log.error("sandbox message failed", { seq, error: e instanceof Error ? e.message : String(e) });
      }
    });
  }

  async post(body: unknown): Promise<number> {
    const parsed = postSchema.safeParse(body);
    if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]?.message ?? "invalid message");
    const b = parsed.data;
    const chatId = `web:${b.chatId}`;
    // Names and titles are shown to the others in a group: cleaned as on every door.
    const inbound: Inbound = cleanInbound({
      platform: "web",
      chatId,
      chatKind: b.chatKind,
      chatTitle: b.chatTitle,
      userId: `web:${b.userId}`,
      userName: b.userName,
      text: b.text,
      choice: b.choice,
    });
    const shown = b.text ?? (await this.o.transcript.choiceLabel(chatId, b.choice!)) ?? b.choice!;
    const seq = await this.o.transcript.addUserMessage(inbound, shown);
    void this.enqueue(seq, { ...inbound, updateId: `web:${seq}` });
    return seq;
  }

  register(router: Router): void {
    // Every sandbox page and API answers only under our own names (see http/host-guard.ts).
    const guarded =
      (handler: Handler): Handler =>
      (req, res, url) => {
        if (!this.o.allowHost(req)) throw new HttpError(421, "misdirected request: the sandbox answers only at its own address (e.g. http://127.0.0.1:3000)");
        return handler(req, res, url);
      };
    const on = { on: (method: string, route: string, h: Handler) => router.on(method, route, guarded(h)), onPrefix: (method: string, route: string, h: Handler) => router.onPrefix(method, route, guarded(h)) };
    this.registerGuarded(on);
  }

  private registerGuarded(router: Pick<Router, "on" | "onPrefix">): void {
    for (const [route, [file, type]] of Object.entries(STATIC)) {
      router.on("GET", route, async (_req, res) => {
        const data = await readFile(path.join(PUBLIC_DIR, file));
        res.writeHead(200, { "content-type": type, "cache-control": "no-cache", "x-content-type-options": "nosniff", ...(file === "index.html" && PAGE_HEADERS) });
        res.end(data);
      });
    }
    for (const [route, file] of Object.entries(FONTS)) {
      router.on("GET", route, async (_req, res) => {
        const data = await readFile(path.join(FONTS_DIR, file));
        res.writeHead(200, { "content-type": "font/ttf", "content-length": data.length, "cache-control": "public, max-age=86400", "x-content-type-options": "nosniff" });
        res.end(data);
      });
    }
    router.on("GET", "/sandbox/api/personas", async (_req, res, url) => sendJson(res, 200, await this.o.personas(lang(url))));
    router.on("GET", "/sandbox/api/i18n", (_req, res, url) => sendJson(res, 200, this.o.catalogue(lang(url)) ?? {}));
    router.on("POST", "/sandbox/api/messages", async (req, res) => {
      const type = req.headers["content-type"] ?? "";
      if (!type.startsWith("application/json")) throw new HttpError(415, "content-type must be application/json");
      const seq = await this.post(await readJson(req, SANDBOX_BODY_LIMIT));
      sendJson(res, 202, { seq });
    });
    router.on("GET", "/sandbox/api/messages", async (_req, res, url) => {
      const { chatKey, after } = chatQuery(url);
      sendJson(res, 200, { messages: await this.o.transcript.after(chatKey, after) });
    });
    router.on("GET", "/sandbox/api/stream", (req, res, url) => {
      const { chatKey, after } = chatQuery(url);
      return this.streams.serve(req, res, chatKey, after);
    });
    router.onPrefix("GET", "/sandbox/files/", async (_req, res, url) => {
      const id = url.pathname.slice("/sandbox/files/".length);
      const file = /^[A-Za-z0-9_-]{10,64}$/.test(id) ? await this.o.files(id) : null;
      if (!file) throw new HttpError(404, "no such file");
      res.writeHead(200, {
        "content-type": file.mime,
        "content-length": file.data.length,
        // A picture is shown in the page (an <img>); other files download.
        "content-disposition": `${isPicture(file.name) ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        "x-content-type-options": "nosniff",
      });
      res.end(Buffer.from(file.data));
    });
  }

  /** What the event streams hold and what they closed or refused (see streams.ts). */
  streamStats(): StreamStats {
    return this.streams.stats();
  }
}

function lang(url: URL): Locale {
  return url.searchParams.get("lng") === "en" ? "en" : "vi";
}

function chatQuery(url: URL): { chatKey: string; after: number } {
  const chatId = url.searchParams.get("chatId") ?? "";
  if (!ID.test(chatId)) throw new HttpError(400, "chatId is required (1–64 characters of A–Z a–z 0–9 . _ -)");
  const afterText = url.searchParams.get("after") ?? "0";
  if (!/^\d{1,15}$/.test(afterText)) throw new HttpError(400, "after must be a sequence number");
  return { chatKey: `web:${chatId}`, after: Number(afterText) };
}
