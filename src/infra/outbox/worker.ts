/**
 * Delivers the outbox. Per platform, it claims due rows (FOR UPDATE SKIP LOCKED, so
 * instances share the work and no row is sent by two of them), paces sends with the rate
 * budgets in the database (shared by every instance of one bot token), sends through the
 * platform's channel, and records the platform's message id. A 429 pauses the whole
 * budget for `retry_after`; transient failures are retried with capped backoff; a chat that
 * is gone is reported (marked, its officers told) and not retried. On stop it finishes the
 * sends in flight and gives back what it had claimed but not sent: a stopped process
 * leaves nothing half-done. A killed one leaves its claims, which expire and are taken
 * again — only the sends in flight at that instant can go out twice.
 */
import type { Choice, Outbound } from "../../core/model.js";
import type { Logger } from "../../core/ports.js";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { DeliveryError, type Channel } from "../../adapters/channel.js";
import { RateBuckets, type PlatformPacing } from "./pacing.js";

export interface OutboxWorkerOptions {
  prisma: PrismaClient;
  /** The channel of a platform ("tg", "zalo", "web"), if this process has it. */
  channel(platform: string): Channel | undefined;
  /** Platforms to deliver and how fast (a platform without pacing is sent as fast as it goes). */
  platforms: () => { platform: string; pacing: PlatformPacing | null; budgetKey: string }[];
  log: Logger;
  /** Name of this instance, recorded on claimed rows. */
  instance: string;
  /** Rows claimed at once per platform. */
  batch?: number;
  /** Sends in flight at once per platform. */
  concurrency?: number;
  pollMs?: number;
  /** A claim older than this, by a process that died, is taken again. */
  staleClaimMs?: number;
  maxAttempts?: number;
  /** Multiplies every rate (tests and benchmarks compress time). */
  rateScale?: number;
  /** A chat refused the bot for good (kicked, blocked): mark it and tell its officers. */
  onChatGone?(chatKey: string): Promise<void>;
  /** A broadcast has nothing left to send: tell its author. */
  onBroadcastDone?(broadcastId: number): Promise<void>;
}

interface ClaimedRow {
  id: bigint;
  chatKey: string;
  text: string;
  choices: Choice[] | null;
  fileId: string | null;
  fileName: string | null;
  attempts: number;
  broadcastId: number | null;
}

const BACKOFF_BASE_MS = 2_000;
const BACKOFF_CAP_MS = 10 * 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Telegram group ids are negative; other platforms' kinds are not in the id (treated as private). */
function isGroupKey(chatKey: string): boolean {
  return chatKey.startsWith("tg:-");
}

export class OutboxWorker {
  /** Not started (only tick() delivers) or stopped. */
  private stopped = true;
  /** stop() was called: give back what is claimed instead of sending it. */
  private stopping = false;
  private loops: Promise<void>[] = [];
  private wake: (() => void) | null = null;
  private readonly buckets: RateBuckets;

  constructor(private readonly o: OutboxWorkerOptions) {
    this.buckets = new RateBuckets(o.prisma, o.rateScale ?? 1);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopping = false;
    this.loops = this.o.platforms().map((p) => this.loop(p.platform));
  }

  /** Stop claiming, finish the sends in flight, give back the rest. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    this.wake?.();
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** The platform refused a send outside the worker (a direct reply) with retry_after: the token waits. */
  async rateLimited(platform: string, ms: number): Promise<void> {
    const spec = this.o.platforms().find((p) => p.platform === platform);
    if (spec?.pacing) await this.buckets.pause(spec.budgetKey, ms);
  }

  /** Something was queued: look now instead of at the next poll. */
  poke(): void {
    this.wake?.();
  }

  /** Deliver everything due now, on every platform; returns how many rows were handled (tests). */
  async tick(): Promise<number> {
    let n = 0;
    for (const p of this.o.platforms()) {
      for (let got = await this.round(p.platform); got; got = await this.round(p.platform)) n += got;
    }
    return n;
  }

  private async loop(platform: string): Promise<void> {
    while (!this.stopped) {
      try {
        if (await this.round(platform)) continue;
      } catch (e) {
        this.o.log.error("outbox round failed", { platform, error: e instanceof Error ? e.message : String(e) });
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.o.pollMs ?? 500);
        this.wake = () => (clearTimeout(t), resolve());
      });
      this.wake = null;
    }
  }

  /**
   * Claim one batch for `platform` and deliver it: chats in parallel (bounded), each chat's
   * messages one after another in the order they were written.
   */
  private async round(platform: string): Promise<number> {
    const rows = await this.claim(platform);
    if (!rows.length) return 0;
    const byChat = new Map<string, ClaimedRow[]>();
    for (const r of rows) byChat.set(r.chatKey, [...(byChat.get(r.chatKey) ?? []), r]);
    const queue = [...byChat.values()];
    const workers = Array.from({ length: Math.min(this.o.concurrency ?? 8, queue.length) }, async () => {
      for (let chat = queue.shift(); chat; chat = queue.shift()) {
        for (let i = 0; i < chat.length; i++) {
          const waitMs = this.stopping ? 0 : await this.deliver(platform, chat[i]!);
          if (waitMs !== null) {
            // This chat must wait (pacing, or we are stopping): its later messages wait too, in order.
            for (const later of chat.slice(i + (this.stopping ? 0 : 1))) await this.release(later, waitMs, null, true);
            break;
          }
        }
      }
    });
    await Promise.all(workers);
    return rows.length;
  }

  private async claim(platform: string): Promise<ClaimedRow[]> {
    const stale = new Date(Date.now() - (this.o.staleClaimMs ?? 120_000));
    const rows = await this.o.prisma.$queryRawUnsafe<ClaimedRow[]>(
      `UPDATE "OutboxMessage" SET "status" = 'SENDING', "claimedAt" = now(), "claimedBy" = $1, "attempts" = "attempts" + 1
        WHERE "id" IN (
          SELECT "id" FROM "OutboxMessage"
           WHERE "platform" = $2 AND (("status" = 'PENDING' AND "notBefore" <= now()) OR ("status" = 'SENDING' AND "claimedAt" < $3))
           ORDER BY "notBefore", "id" LIMIT $4 FOR UPDATE SKIP LOCKED)
        RETURNING "id", "chatKey", "text", "choices", "fileId", "fileName", "attempts", "broadcastId"`,
      this.o.instance,
      platform,
      stale,
      this.o.batch ?? 50,
    );
    // RETURNING gives no order: deliver in the order the messages were written.
    return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Send one row. Returns null when done with it, or how long its chat must wait (pacing). */
  private async deliver(platform: string, row: ClaimedRow): Promise<number | null> {
    const channel = this.o.channel(platform);
    if (!channel) {
      await this.release(row, backoffMs(row.attempts), "no channel for platform");
      return null;
    }
    const spec = this.o.platforms().find((p) => p.platform === platform)!;
    if (spec.pacing) {
      // The chat's own budget first: if it is spent, this chat waits, the others go on.
      const chat = await this.buckets.take(`${spec.budgetKey}|${row.chatKey}`, isGroupKey(row.chatKey) ? spec.pacing.group : spec.pacing.private);
      if (!chat.ok) {
        await this.release(row, chat.waitMs, null, true);
        return chat.waitMs;
      }
      for (;;) {
        const bot = await this.buckets.take(spec.budgetKey, spec.pacing.bot);
        if (bot.ok) break;
        if (this.stopping) {
          await this.release(row, 0, null, true);
          return 0;
        }
        await sleep(Math.min(bot.waitMs, 1000));
      }
    }
    const message: Outbound = {
      text: row.text,
      ...(row.choices?.length && { choices: row.choices }),
      ...(row.fileId && { file: { id: row.fileId, name: row.fileName ?? "file" } }),
    };
    try {
      const { messageId } = await channel.send(row.chatKey, message);
      await this.o.prisma.outboxMessage.update({ where: { id: row.id }, data: { status: "SENT", sentAt: new Date(), platformMessageId: messageId, lastError: null } });
      await this.finished(row);
    } catch (e) {
      const err = e instanceof DeliveryError ? e : new DeliveryError("retry", e instanceof Error ? e.message : String(e));
      if (err.kind === "gone") {
        await this.fail(row, err.message);
        await this.o.onChatGone?.(row.chatKey).catch((x: unknown) => this.o.log.error("chat gone handler failed", { error: String(x) }));
        this.o.log.warn("chat gone, stopped sending", { outbox: String(row.id) });
      } else if (err.kind === "fatal" || row.attempts >= (this.o.maxAttempts ?? 12)) {
        await this.fail(row, err.message);
        this.o.log.warn("outbox message failed", { outbox: String(row.id), attempts: row.attempts });
      } else {
        // "Too many requests" concerns the whole token: everyone waits, not only this row.
        if (err.retryAfterMs !== undefined && spec.pacing) await this.buckets.pause(spec.budgetKey, err.retryAfterMs);
        const wait = err.retryAfterMs ?? backoffMs(row.attempts);
        await this.release(row, wait, err.message);
        return wait;
      }
    }
    return null;
  }

  private async fail(row: ClaimedRow, reason: string): Promise<void> {
    await this.o.prisma.outboxMessage.update({ where: { id: row.id }, data: { status: "FAILED", lastError: reason.slice(0, 500) } });
    await this.finished(row);
  }

  private async finished(row: ClaimedRow): Promise<void> {
    if (row.broadcastId !== null) await this.o.onBroadcastDone?.(row.broadcastId).catch((x: unknown) => this.o.log.error("broadcast completion failed", { error: String(x) }));
  }

  /** Put a claimed row back, due in `delayMs`. Pacing waits are not attempts: they are given back. */
  private async release(row: ClaimedRow, delayMs: number, reason: string | null, notAnAttempt = false): Promise<void> {
    await this.o.prisma.outboxMessage.updateMany({
      where: { id: row.id, status: "SENDING", claimedBy: this.o.instance },
      data: {
        status: "PENDING",
        notBefore: new Date(Date.now() + delayMs),
        claimedAt: null,
        claimedBy: null,
        ...(reason !== null && { lastError: reason.slice(0, 500) }),
        ...(notAnAttempt && { attempts: { decrement: 1 } }),
      },
    });
  }
}
