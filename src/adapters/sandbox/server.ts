/**
 * The web sandbox: a chat page and the sandbox API (the contract in ARCHITECTURE.md).
 * A person posts as a made-up identity; the message is stored, answered by the same core
 * as Telegram and Zalo, and the answers appear in the transcript (polled or streamed).
 * Identities are prefixed "web:", which the core keeps apart from real units.
 */
import { readFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { isPicture, type Inbound, type Locale } from "../../core/model.js";
import type { Logger } from "../../core/ports.js";
import type { HandleResult } from "../../core/bot/engine.js";
import { HttpError, readJson, sendJson, type Router } from "../../http/server.js";
import { KeyedQueue } from "../../infra/keyed-queue.js";
import type { Transcript, TranscriptMessage } from "./transcript.js";

const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "public");
const STATIC: Record<string, [string, string]> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/sandbox/app.js": ["app.js", "text/javascript; charset=utf-8"],
  "/sandbox/app.css": ["app.css", "text/css; charset=utf-8"],
};

/** A sandbox message body is small; anything larger is refused before parsing. */
export const SANDBOX_BODY_LIMIT = 64 * 1024;
const ID = /^[A-Za-z0-9._-]{1,64}$/;

export const postSchema = z
  .object({
    chatId: z.string().regex(ID, "chatId: 1–64 characters of A–Z a–z 0–9 . _ -"),
    chatTitle: z.string().max(200).optional(),
    chatKind: z.enum(["private", "group"]),
    userId: z.string().regex(ID, "userId: 1–64 characters of A–Z a–z 0–9 . _ -"),
    userName: z.string().trim().min(1, "userName is empty").max(100),
    text: z.string().min(1).max(10_000).optional(),
    choice: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((b) => (b.text === undefined) !== (b.choice === undefined), "give exactly one of text or choice");

export interface SandboxOptions {
  /** The bot: one update in, its replies out. */
  handle: (inbound: Inbound) => Promise<HandleResult>;
  transcript: Transcript;
  /**
   * How often an open stream also looks in the database, for messages another instance
   * wrote (null: a single process, so this process's own events are enough).
   */
  pollMs: number | null;
  log: Logger;
  personas: (locale: Locale) => Promise<unknown>;
  catalogue: (locale: Locale) => Record<string, unknown> | undefined;
}

export class Sandbox {
  private readonly queue = new KeyedQueue();

  constructor(private readonly o: SandboxOptions) {}

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
    const inbound: Inbound = {
      platform: "web",
      chatId,
      chatKind: b.chatKind,
      chatTitle: b.chatTitle,
      userId: `web:${b.userId}`,
      userName: b.userName,
      text: b.text,
      choice: b.choice,
    };
    const shown = b.text ?? (await this.o.transcript.choiceLabel(chatId, b.choice!)) ?? b.choice!;
    const seq = await this.o.transcript.addUserMessage(inbound, shown);
    void this.enqueue(seq, { ...inbound, updateId: `web:${seq}` });
    return seq;
  }

  register(router: Router): void {
    for (const [route, [file, type]] of Object.entries(STATIC)) {
      router.on("GET", route, async (_req, res) => {
        const data = await readFile(path.join(PUBLIC_DIR, file));
        res.writeHead(200, { "content-type": type, "cache-control": "no-cache", "x-content-type-options": "nosniff" });
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
    router.on("GET", "/sandbox/api/stream", (req, res, url) => this.stream(req, res, url));
    router.onPrefix("GET", "/sandbox/files/", async (_req, res, url) => {
      const id = url.pathname.slice("/sandbox/files/".length);
      const file = /^[A-Za-z0-9_-]{10,64}$/.test(id) ? await this.o.transcript.file(id) : null;
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

  /** Server-sent events: the backlog after `after`, then each new message as it is stored. */
  private async stream(req: import("node:http").IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const { chatKey, after } = chatQuery(url);
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
    // Open the stream now, not at the first message: an empty chat is a valid stream.
    res.flushHeaders();
    let last = after;
    let busy = false;
    let again = false;
    const push = async () => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        do {
          again = false;
          const msgs: TranscriptMessage[] = await this.o.transcript.after(chatKey, last);
          for (const m of msgs) {
            res.write(`id: ${m.seq}\ndata: ${JSON.stringify(m)}\n\n`);
            last = m.seq;
          }
        } while (again);
      } catch {
        // the database hiccuped: the next poll retries
      } finally {
        busy = false;
      }
    };
    const onMessage = (key: string) => {
      if (key === chatKey) void push();
    };
    this.o.transcript.events.on("message", onMessage);
    // Another instance may have written: look now and then as well.
    const poll = this.o.pollMs ? setInterval(() => void push(), this.o.pollMs) : null;
    const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
    req.on("close", () => {
      if (poll) clearInterval(poll);
      clearInterval(ping);
      this.o.transcript.events.off("message", onMessage);
    });
    await push();
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
