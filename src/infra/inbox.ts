/**
 * Durable intake of platform updates. An update is stored (deduplicated on its key)
 * before the platform is told "received", then handled in order per chat; one that was
 * stored but not handled when the process stopped is handled at the next start. Zalo
 * hands each event out once and webhooks are not redelivered after a 200, so without this
 * a crash would lose what a person just typed.
 */
import type { Inbound, Outbound } from "../core/model.js";
import { cleanInbound } from "../core/text.js";
import type { Logger } from "../core/ports.js";
import type { HandleResult } from "../core/bot/engine.js";
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { KeyedQueue } from "./keyed-queue.js";

export interface InboxOptions {
  prisma: PrismaClient;
  /** The bot. */
  handle(inbound: Inbound): Promise<HandleResult>;
  /** Send the replies to the chat (falling back to the outbox when the platform is unwell). */
  deliver(chatKey: string, replies: Outbound[], updateId: string): Promise<void>;
  log: Logger;
}

export class Inbox {
  private readonly queue = new KeyedQueue();

  constructor(private readonly o: InboxOptions) {}

  /**
   * Store an update and schedule it. Returns false for a redelivery of one already stored.
   * The caller may tell the platform "received" once this resolves.
   */
  async receive(raw: Inbound & { updateId: string }): Promise<boolean> {
    // PostgreSQL stores no NUL and no lone surrogate, in jsonb as in text: clean before storing.
    const inbound = cleanInbound(raw);
    const { count } = await this.o.prisma.inboundEvent.createMany({
      data: [{ key: inbound.updateId, platform: inbound.platform, chatKey: inbound.chatId, payload: inbound as unknown as Prisma.InputJsonValue }],
      skipDuplicates: true,
    });
    if (!count) return false;
    const row = await this.o.prisma.inboundEvent.findUnique({ where: { key: inbound.updateId }, select: { id: true } });
    void this.schedule(row!.id, inbound);
    return true;
  }

  /** Handle what was stored but not handled before the last stop. */
  async recover(): Promise<number> {
    const rows = await this.o.prisma.inboundEvent.findMany({ where: { handledAt: null }, orderBy: { id: "asc" }, select: { id: true, payload: true } });
    for (const r of rows) void this.schedule(r.id, r.payload as unknown as Inbound & { updateId: string });
    return rows.length;
  }

  /** Run `task` after everything of the chat(s) received so far, and before what comes next. */
  inOrder<T>(chatKeys: readonly string[], task: () => Promise<T>): Promise<T> {
    return this.queue.runAll(chatKeys, task);
  }

  /** Resolves when everything received so far has been handled. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private schedule(id: bigint, inbound: Inbound & { updateId: string }): Promise<void> {
    return this.queue.run(inbound.chatId, async () => {
      try {
        // A redelivery after a crash comes back as `duplicate` with the replies kept from
        // the first run: they never left (the handled mark comes after delivery), so send them.
        const { replies } = await this.o.handle(inbound);
        await this.o.deliver(inbound.chatId, replies, inbound.updateId);
        await this.o.prisma.inboundEvent.update({ where: { id }, data: { handledAt: new Date() } });
      } catch (e) {
        this.o.log.error("inbound update failed", { platform: inbound.platform, error: e instanceof Error ? e.message : String(e) });
      }
    });
  }
}
