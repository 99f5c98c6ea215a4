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
import type { PrismaClient } from "../generated/prisma/client.ts";
import { Coalescer } from "./coalescer.js";
import type { Sql } from "./db/transactions.js";
import { KeyedQueue } from "./keyed-queue.js";

export interface InboxOptions {
  prisma: PrismaClient;
  /** SQL through the driver: the statement every update runs here, twice (see ../db/transactions.ts). */
  sql: Sql;
  /** The bot. */
  handle(inbound: Inbound): Promise<HandleResult>;
  /** Send the replies to the chat (falling back to the outbox when the platform is unwell). */
  deliver(chatKey: string, replies: Outbound[], updateId: string): Promise<void>;
  log: Logger;
  clock: Clock;
}

type Stored = Inbound & { updateId: string };

/** What the inbox writes: an update to store, or the handled mark of one stored earlier. */
type Write = { store: Stored } | { handled: { id: bigint; key: string } };

export class Inbox {
  private readonly queue = new KeyedQueue();
  /**
   * Updates arriving together (a getUpdates batch, concurrent webhooks) and the handled
   * marks of updates finishing meanwhile are written in one statement: under load one
   * round trip serves many of both.
   */
  private readonly writes = new Coalescer<Write, bigint | null>((items) => this.write(items));

  constructor(private readonly o: InboxOptions) {}

  /**
   * Store an update and schedule it. Returns false for a redelivery of one already stored.
   * The caller may tell the platform "received" once this resolves.
   */
  async receive(raw: Inbound & { updateId: string }): Promise<boolean> {
    // PostgreSQL stores no NUL and no lone surrogate, in jsonb as in text: clean before storing.
    const inbound = cleanInbound(raw);
    const id = await this.writes.push({ store: inbound });
    if (id === null) return false;
    void this.schedule(id, inbound);
    return true;
  }

  /**
   * One statement for the batch. Stored: an INSERT where a key already stored (or repeated
   * in the batch) gets null. Handled and delivered: what the person wrote and what the bot
   * answered are not kept. The marks touch rows stored earlier, never one of this INSERT's.
   */
  private async write(items: Write[]): Promise<(bigint | null)[]> {
    const stored: Stored[] = [];
    const handled: { id: bigint; key: string }[] = [];
    for (const i of items) {
      if ("store" in i) stored.push(i.store);
      else handled.push(i.handled);
    }
    const rows = await this.o.sql.queryText<{ key: string; id: string }[]>(
      `WITH handled AS (UPDATE "InboundEvent" SET "handledAt" = $2, "payload" = NULL WHERE "id" = ANY($3::bigint[])),
            cleared AS (UPDATE "ProcessedUpdate" SET "replies" = NULL WHERE "key" = ANY($4::text[]) AND "replies" IS NOT NULL)
       INSERT INTO "InboundEvent" ("key", "platform", "chatKey", "payload")
       SELECT x."key", x."platform", x."chatKey", x."payload" FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS ("key" text, "platform" text, "chatKey" text, "payload" jsonb)) WITH ORDINALITY AS x("key", "platform", "chatKey", "payload", n)
       ORDER BY x.n
       ON CONFLICT ("key") DO NOTHING RETURNING "key", "id"::text AS "id"`,
      JSON.stringify(stored.map((i) => ({ key: i.updateId, platform: i.platform, chatKey: i.chatId, payload: i }))),
      this.o.clock.now(),
      handled.map((h) => h.id.toString()),
      handled.map((h) => h.key),
    );
    const ids = new Map(rows.map((r) => [r.key, BigInt(r.id)]));
    return items.map((i) => {
      if (!("store" in i)) return null;
      const id = ids.get(i.store.updateId) ?? null;
      ids.delete(i.store.updateId); // a second copy in the same batch is a redelivery
      return id;
    });
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
        await this.writes.push({ handled: { id, key: inbound.updateId } });
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
