/**
 * The sandbox's own "platform server": the transcript of every sandbox chat, in the
 * database so that a restart, a reload of the page or a second instance sees the same
 * conversation. Sequence numbers only grow.
 */
import { EventEmitter } from "node:events";
import { redactCodes } from "../../core/codes.js";
import type { Choice, Inbound, Outbound } from "../../core/model.js";
import { Prisma, type PrismaClient } from "../../generated/prisma/client.ts";

export interface TranscriptMessage {
  seq: number;
  from: "bot" | "user";
  userName?: string;
  text: string;
  choices?: Choice[];
  file?: { name: string; url: string };
}

type Row = { seq: bigint; fromBot: boolean; userName: string | null; text: string; choices: unknown; fileId: string | null; fileName: string | null };

function toMessage(r: Row): TranscriptMessage {
  return {
    seq: Number(r.seq),
    from: r.fromBot ? "bot" : "user",
    ...(r.userName && !r.fromBot && { userName: r.userName }),
    text: r.text,
    ...(Array.isArray(r.choices) && r.choices.length && { choices: r.choices as Choice[] }),
    ...(r.fileId && { file: { name: r.fileName ?? "file", url: `/sandbox/files/${r.fileId}` } }),
  };
}

function botRow(chatKey: string, m: Outbound): Prisma.SandboxMessageCreateInput {
  return {
    chatKey,
    fromBot: true,
    text: redactCodes(m.text),
    choices: (m.choices ?? undefined) as Prisma.InputJsonValue | undefined,
    fileId: m.file?.id ?? null,
    fileName: m.file?.name ?? null,
  };
}

/** Bot messages showing a code that this process still shows in full (the newest ones). */
const SHOWN_CODES_KEPT = 1000;

export class Transcript {
  /** Emits the chat key whenever a message is added in this process. */
  readonly events = new EventEmitter().setMaxListeners(0);
  /**
   * The database holds codes redacted; the person who asked for one must still read it.
   * The full text of such messages lives here, in this process's memory only: after a
   * restart, or on another instance, the transcript shows the code redacted.
   */
  private readonly shown = new Map<bigint, string>();

  constructor(private readonly prisma: PrismaClient) {}

  /** Store a user's message as received; it is marked handled once the bot has answered. */
  async addUserMessage(inbound: Inbound, shown: string): Promise<number> {
    const row = await this.prisma.sandboxMessage.create({
      data: {
        chatKey: inbound.chatId,
        fromBot: false,
        userName: inbound.userName,
        userKey: inbound.userId,
        text: redactCodes(shown),
        handled: false,
        inbound: inbound as unknown as Prisma.InputJsonValue,
      },
      select: { seq: true },
    });
    this.events.emit("message", inbound.chatId);
    return Number(row.seq);
  }

  async addBotMessage(chatKey: string, m: Outbound): Promise<number> {
    const row = await this.prisma.sandboxMessage.create({ data: botRow(chatKey, m), select: { seq: true } });
    this.remember(row.seq, m.text);
    this.events.emit("message", chatKey);
    return Number(row.seq);
  }

  /**
   * Write the bot's replies to a user message and mark it handled, together; the replies
   * kept for crash recovery are no longer needed then, and go.
   */
  async answer(seq: number, chatKey: string, replies: Outbound[]): Promise<void> {
    const rows = await this.prisma.$transaction([
      ...replies.map((m) => this.prisma.sandboxMessage.create({ data: botRow(chatKey, m), select: { seq: true } })),
      // updateMany: the message itself is gone when it asked to erase its sender.
      this.prisma.sandboxMessage.updateMany({ where: { seq: BigInt(seq) }, data: { handled: true, inbound: Prisma.DbNull } }),
      this.prisma.processedUpdate.updateMany({ where: { key: `web:${seq}` }, data: { replies: Prisma.DbNull } }),
    ]);
    replies.forEach((m, i) => this.remember((rows[i] as { seq: bigint }).seq, m.text));
    if (replies.length) this.events.emit("message", chatKey);
  }

  private remember(seq: bigint, text: string): void {
    if (redactCodes(text) === text) return;
    this.shown.set(seq, text);
    if (this.shown.size > SHOWN_CODES_KEPT) this.shown.delete(this.shown.keys().next().value!);
  }

  /** The label of a choice the bot offered recently in this chat (to show what was clicked). */
  async choiceLabel(chatKey: string, choiceId: string): Promise<string | null> {
    const rows = await this.prisma.sandboxMessage.findMany({ where: { chatKey, fromBot: true, choices: { not: Prisma.AnyNull } }, orderBy: { seq: "desc" }, take: 20, select: { choices: true } });
    for (const r of rows) {
      const hit = (r.choices as Choice[] | null)?.find((c) => c.id === choiceId);
      if (hit) return hit.label;
    }
    return null;
  }

  /** User messages received but not answered (the process stopped in between). */
  async unhandled(): Promise<{ seq: number; inbound: Inbound }[]> {
    const rows = await this.prisma.sandboxMessage.findMany({ where: { handled: false }, orderBy: { seq: "asc" }, select: { seq: true, inbound: true } });
    return rows.map((r) => ({ seq: Number(r.seq), inbound: r.inbound as unknown as Inbound }));
  }

  async after(chatKey: string, after: number, limit = 500): Promise<TranscriptMessage[]> {
    const rows = await this.prisma.sandboxMessage.findMany({ where: { chatKey, seq: { gt: BigInt(after) } }, orderBy: { seq: "asc" }, take: limit });
    return rows.map((r) => toMessage({ ...r, text: this.shown.get(r.seq) ?? r.text }));
  }

  /** The newest `limit` messages after `after`, oldest first (a new stream's replay). */
  async latest(chatKey: string, after: number, limit: number): Promise<TranscriptMessage[]> {
    const rows = await this.prisma.sandboxMessage.findMany({ where: { chatKey, seq: { gt: BigInt(after) } }, orderBy: { seq: "desc" }, take: limit });
    return rows.reverse().map(toMessage);
  }
}
