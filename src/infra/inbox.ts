/**
 * Durable intake of platform updates. An update is stored (deduplicated on its key)
 * before the platform is told "received", then handled in order per chat; one that was
 * stored but not handled when the process stopped is handled at the next start. Zalo
 * hands each event out once and webhooks are not redelivered after a 200, so without this
 * a crash would lose what a person just typed.
 *
 * What is kept, for how long: the payload (names, texts, a code being redeemed) until the
 * update is handled, then only the key, the chat and the times; the replies kept for a
 * redelivery go at the same moment. `purgeHandled` deletes handled rows after
 * HANDLED_KEEP_HOURS (see the README's security section).
 */
import type { Inbound, Outbound } from "../core/model.js";
import { cleanInbound } from "../core/text.js";
import type { Clock, Logger } from "../core/ports.js";
import type { HandleResult } from "../core/bot/engine.js";
import { Prisma, type PrismaClient } from "../generated/prisma/client.ts";
import { KeyedQueue } from "./keyed-queue.js";

export interface InboxOptions {
  prisma: PrismaClient;
  /** The bot. */
  handle(inbound: Inbound): Promise<HandleResult>;
  /** Send the replies to the chat (falling back to the outbox when the platform is unwell). */
  deliver(chatKey: string, replies: Outbound[], updateId: string): Promise<void>;
  log: Logger;
  clock: Clock;
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
    for (const r of rows) {
      // Its sender was erased before it was handled: nothing is left to handle.
      if (r.payload === null) await this.o.prisma.inboundEvent.update({ where: { id: r.id }, data: { handledAt: this.o.clock.now() } });
      else void this.schedule(r.id, r.payload as unknown as Inbound & { updateId: string });
    }
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
        // Handled and delivered: what the person wrote and what the bot answered are not kept.
        await this.o.prisma.$transaction([
          this.o.prisma.inboundEvent.update({ where: { id }, data: { handledAt: this.o.clock.now(), payload: Prisma.DbNull } }),
          this.o.prisma.processedUpdate.updateMany({ where: { key: inbound.updateId }, data: { replies: Prisma.DbNull } }),
        ]);
      } catch (e) {
        this.o.log.error("inbound update failed", { platform: inbound.platform, error: e instanceof Error ? e.message : String(e) });
      }
    });
  }
}

/**
 * Delete what dedupe no longer needs: inbound rows handled more than `keepHours` ago, and
 * processed-update keys as old, unless an update with that key still waits to be handled
 * (in the inbox or the sandbox transcript): it would otherwise be applied again.
 */
export async function purgeHandled(prisma: PrismaClient, now: Date, keepHours: number): Promise<{ inbound: number; processed: number }> {
  const before = new Date(now.getTime() - keepHours * 3_600_000);
  const inbound = await prisma.inboundEvent.deleteMany({ where: { handledAt: { lt: before } } });
  const processed = await prisma.$executeRaw`
    DELETE FROM "ProcessedUpdate" p WHERE p."at" < ${before}
       AND NOT EXISTS (SELECT 1 FROM "InboundEvent" e WHERE e."key" = p."key" AND e."handledAt" IS NULL)
       AND NOT EXISTS (SELECT 1 FROM "SandboxMessage" s WHERE s."handled" = false AND 'web:' || s."seq" = p."key")`;
  return { inbound: inbound.count, processed };
}

/**
 * Delete outbox rows sent or given up more than `keepDays` ago. A broadcast's rows go only
 * once it has completed (its counts are then on its own row).
 */
export async function purgeDelivered(prisma: PrismaClient, now: Date, keepDays: number): Promise<number> {
  const before = new Date(now.getTime() - keepDays * 86_400_000);
  return prisma.$executeRaw`
    DELETE FROM "OutboxMessage" o WHERE o."status" IN ('SENT', 'FAILED') AND o."notBefore" < ${before}
       AND (o."broadcastId" IS NULL OR EXISTS (SELECT 1 FROM "Broadcast" b WHERE b."id" = o."broadcastId" AND b."completedAt" IS NOT NULL))`;
}
