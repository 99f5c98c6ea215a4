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
import { Prisma, type PrismaClient } from "../../generated/prisma/client.ts";
import { DeliveryError, type Channel } from "../../adapters/channel.js";
import { botPerSecond, DbClock, pauseBudget, reserveSlots, scheduleAheadMs, takeChatTokens, type PlatformPacing } from "./pacing.js";
import { SendQueue } from "./send-queue.js";

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
  /** Sends in flight at once per platform (DEFAULT_CONCURRENCY). */
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
  kind: string;
  chatKey: string;
  text: string;
  choices: Choice[] | null;
  fileId: string | null;
  fileName: string | null;
  attempts: number;
  broadcastId: number | null;
}

const BACKOFF_BASE_MS = 2_000;
/** How often at most a broadcast being sent is looked at for completion. */
const BROADCAST_CHECK_MS = 1_000;
const BACKOFF_CAP_MS = 10 * 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/**
 * Sends awaiting the platform's answer at once, per platform. Paced at 29/s, 16 allow the
 * platform half a second to answer before the schedule slips; they are also the most that
 * can go out twice if the process is killed.
 */
export const DEFAULT_CONCURRENCY = 16;

/** A paced platform claims about this much sending time at once… */
const PACED_BATCH_SECONDS = 0.5;
/** …and the next batch when this much is left in its queue. */
const PACED_LEAD_SECONDS = 0.25;

/**
 * Claimed rows wait in this process for about this long at most: a schedule further ahead
 * (a long retry_after, or other instances' reservations) is waited out before claiming, so
 * that no claim grows stale — and is taken again by another instance — while it waits.
 */
const MAX_AHEAD_MS = 1000;

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
  /** Ends the idle wait of each platform's loop (poke, stop). */
  private readonly wakers = new Set<() => void>();
  private readonly scale: number;
  /** The paced sends of each platform, waiting for their slots. */
  private readonly queues = new Map<string, SendQueue>();
  private readonly dbClock = new DbClock();
  /** Per paced platform: not to claim before this (epoch ms), the schedule being far ahead. */
  private readonly holdUntil = new Map<string, number>();
  /** Broadcasts a row of which was sent or failed since their last look (see finished()). */
  private readonly broadcastsToCheck = new Set<number>();
  private broadcastCheck: NodeJS.Timeout | null = null;

  constructor(private readonly o: OutboxWorkerOptions) {
    this.scale = o.rateScale ?? 1;
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
    this.poke();
    // The queues first: a loop may be waiting for its queue to run low.
    await Promise.all([...this.queues.values()].map((q) => q.stop()));
    await Promise.all(this.loops);
    this.loops = [];
    this.queues.clear();
    await this.checkBroadcasts();
  }

  /** The platform refused a send outside the worker (a direct reply) with retry_after: the token waits. */
  async rateLimited(platform: string, ms: number): Promise<void> {
    const spec = this.o.platforms().find((p) => p.platform === platform);
    if (!spec?.pacing) return;
    await Promise.all([pauseBudget(this.o.prisma, spec.budgetKey, ms), this.queues.get(platform)?.pause(Date.now() + ms)]);
  }

  /** Something was queued: look now instead of at the next poll. */
  poke(): void {
    for (const wake of this.wakers) wake();
  }

  /** Deliver everything due now, on every platform; returns how many rows were handled (tests). */
  async tick(): Promise<number> {
    let n = 0;
    for (const p of this.o.platforms()) {
      for (let got = await this.round(p.platform); got; got = await this.round(p.platform)) n += got;
      await this.queues.get(p.platform)?.drain();
    }
    await this.checkBroadcasts();
    return n;
  }

  private async loop(platform: string): Promise<void> {
    while (!this.stopped) {
      let idleMs = this.o.pollMs ?? 500;
      try {
        if (await this.round(platform)) continue;
        // Nothing due: sleep until the next row is (a broadcast queued for 8:00 goes at 8:00,
        // not up to a poll later), or until poked or the next poll (another instance may write).
        idleMs = Math.min(idleMs, await this.nextDueMs(platform));
        idleMs = Math.max(idleMs, (this.holdUntil.get(platform) ?? 0) - Date.now());
      } catch (e) {
        this.o.log.error("outbox round failed", { platform, error: e instanceof Error ? e.message : String(e) });
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(t);
          this.wakers.delete(wake);
          resolve();
        };
        const t = setTimeout(wake, idleMs);
        this.wakers.add(wake);
      });
    }
  }

  /** Milliseconds until the next pending row of `platform` is due (Infinity if none). */
  private async nextDueMs(platform: string): Promise<number> {
    const rows = await this.o.prisma.$queryRawUnsafe<{ ms: number | null }[]>(
      `SELECT EXTRACT(EPOCH FROM (MIN("notBefore") - now())) * 1000 AS ms FROM "OutboxMessage" WHERE "status" = 'PENDING' AND "platform" = $1`,
      platform,
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? Infinity : Math.max(0, Math.ceil(Number(ms)));
  }

  /**
   * Claim one batch for `platform` and deliver it. Without pacing (the sandbox), each chat's
   * messages go one after another, chats in parallel, and the round ends when they are sent.
   * With pacing, see paced().
   */
  private async round(platform: string): Promise<number> {
    const spec = this.o.platforms().find((p) => p.platform === platform)!;
    if (spec.pacing) {
      const ahead = await scheduleAheadMs(this.o.prisma, spec.budgetKey);
      if (ahead > MAX_AHEAD_MS) {
        this.holdUntil.set(platform, Date.now() + ahead - MAX_AHEAD_MS);
        return 0;
      }
    }
    const rows = await this.claim(platform, spec.pacing ? this.pacedBatch(spec.pacing) : (this.o.batch ?? 50));
    if (!rows.length) return 0;
    const channel = this.o.channel(platform);
    if (!channel) {
      await this.putBack(rows, rows.map((r) => backoffMs(r.attempts)), "no channel for platform");
      return rows.length;
    }
    const byChat = new Map<string, ClaimedRow[]>();
    for (const r of rows) {
      const chat = byChat.get(r.chatKey);
      if (chat) chat.push(r);
      else byChat.set(r.chatKey, [r]);
    }
    if (spec.pacing) {
      await this.paced(platform, channel, { ...spec, pacing: spec.pacing }, byChat);
      return rows.length;
    }
    await this.parallel([...byChat.values()], async (chat) => {
      for (let i = 0; i < chat.length; i++) {
        if (this.stopping) {
          await this.putBack(chat.slice(i), 0);
          return;
        }
        const wait = await this.send(channel, spec, chat[i]!);
        if (wait !== null) {
          await this.putBack(chat.slice(i + 1), wait);
          return;
        }
      }
    });
    return rows.length;
  }

  /** Rows claimed at once on a paced platform: about half a second of sends (at most `batch`). */
  private pacedBatch(pacing: PlatformPacing): number {
    return Math.max(1, Math.min(this.o.batch ?? 50, Math.ceil(botPerSecond(pacing.bot, this.scale) * this.scale * PACED_BATCH_SECONDS)));
  }

  /**
   * Paced delivery of one claimed batch. Each chat sends at most one message per batch, if
   * its own budget allows (the rest are given back, due when the chat's budget will have
   * refilled, in order). The batch's sends get consecutive slots of the bot-wide schedule
   * in the database — one round trip for the whole batch, exact spacing across instances —
   * and go to this platform's send queue. The round returns once the queue runs low, so
   * the next batch is claimed and scheduled before this one is done: no gap between them.
   */
  private async paced(platform: string, channel: Channel, spec: { pacing: PlatformPacing; budgetKey: string }, byChat: Map<string, ClaimedRow[]>): Promise<void> {
    const { pacing, budgetKey } = spec;
    const ruleOf = (chatKey: string) => (isGroupKey(chatKey) ? pacing.group : pacing.private);
    const intervalOf = (chatKey: string) => Math.ceil(1000 / (ruleOf(chatKey).perSecond * this.scale));
    const granted = this.stopping
      ? new Set<string>()
      : await takeChatTokens(
          this.o.prisma,
          [...byChat.keys()].map((key) => ({ key: `${budgetKey}|${key}`, rule: ruleOf(key) })),
          this.scale,
        );
    const now: ClaimedRow[] = [];
    // The rest wait for their chat's budget, in order: one chat interval after another.
    const later: ClaimedRow[] = [];
    const laterDelays: number[] = [];
    for (const [key, chat] of byChat) {
      const first = granted.has(`${budgetKey}|${key}`) ? 1 : 0;
      if (first) now.push(chat[0]!);
      for (let i = first; i < chat.length; i++) {
        later.push(chat[i]!);
        laterDelays.push(this.stopping ? 0 : intervalOf(key) * (i - first + 1));
      }
    }
    await this.putBack(later, laterDelays);
    if (!now.length) return;
    // One row per chat here, so a chat's own order stays as written: a reply takes the first slots.
    now.sort((a, b) => Number(b.kind === "reply") - Number(a.kind === "reply"));
    const rate = botPerSecond(pacing.bot, this.scale) * this.scale;
    const sentAt = Date.now();
    const { dbNowMs, slots } = await reserveSlots(this.o.prisma, budgetKey, rate, now.length);
    this.dbClock.observe(sentAt, Date.now(), dbNowMs);
    const ahead = this.dbClock.toLocal(slots[0]!) - Date.now();
    if (this.stopping || ahead > MAX_AHEAD_MS) {
      // Stopping, or the token was paused meanwhile (a 429 elsewhere): give the rows back, due then.
      if (!this.stopping) this.holdUntil.set(platform, Date.now() + ahead - MAX_AHEAD_MS);
      await this.putBack(now, this.stopping ? 0 : ahead);
      return;
    }
    const queue = this.queueOf(platform, pacing);
    queue.add(
      now.map((row, i) => ({
        at: this.dbClock.toLocal(slots[i]!),
        run: () => this.send(channel, spec, row),
        cancel: (delayMs) => this.putBack([row], delayMs),
      })),
    );
    // The lead is a share of the batch as claimed: when `batch` caps it (compressed time), a
    // lead computed from the rate alone would let the queue grow to several batches ahead,
    // and a reply queued meanwhile would wait behind all of them.
    await queue.waitBelow(Math.ceil(this.pacedBatch(pacing) * (PACED_LEAD_SECONDS / PACED_BATCH_SECONDS)));
  }

  /** The send queue of a paced platform: the bot-wide interval and window. */
  private queueOf(platform: string, pacing: PlatformPacing): SendQueue {
    let queue = this.queues.get(platform);
    if (!queue) {
      const perSecond = botPerSecond(pacing.bot, this.scale);
      queue = new SendQueue(1000 / (perSecond * this.scale), { count: Math.ceil(perSecond), ms: 1000 / this.scale }, this.o.concurrency ?? DEFAULT_CONCURRENCY);
      this.queues.set(platform, queue);
    }
    return queue;
  }

  /**
   * Claim up to `limit` due rows of `platform` (and claims of dead processes gone stale).
   * Replies to a conversation come first: a person waiting for an answer that the platform
   * refused for a moment must not wait behind a 10,000-group broadcast. A chat's messages
   * leave in the order written: a row waits while an earlier one of its chat is not due yet
   * (a send that failed and waits to be retried) or is being sent.
   *
   * Each source of rows is read off an index in claim order and stops after `limit` rows
   * that may go (replies; every due row; stale claims), so a claim costs the same with
   * 10,000 rows waiting as with ten: sorting all due rows at every claim made delivery slow
   * down as a broadcast's queue grew. The first `limit` of the three, in claim order, are
   * the first `limit` of all due rows.
   */
  private async claim(platform: string, limit: number): Promise<ClaimedRow[]> {
    const stale = new Date(Date.now() - (this.o.staleClaimMs ?? 120_000));
    const mayGo = `NOT EXISTS (
               SELECT 1 FROM "OutboxMessage" e
                WHERE e."chatKey" = c."chatKey" AND e."id" < c."id" AND e."platform" = c."platform"
                  AND ((e."status" = 'PENDING' AND e."notBefore" > now()) OR (e."status" = 'SENDING' AND e."claimedAt" >= $3)))`;
    const rows = await this.o.prisma.$queryRawUnsafe<ClaimedRow[]>(
      `WITH replies AS (
         SELECT c."id", c."kind", c."notBefore" FROM "OutboxMessage" c
          WHERE c."status" = 'PENDING' AND c."platform" = $2 AND c."kind" = 'reply' AND c."notBefore" <= now() AND ${mayGo}
          ORDER BY c."notBefore", c."id" LIMIT $4 FOR UPDATE OF c SKIP LOCKED
       ), due AS (
         SELECT c."id", c."kind", c."notBefore" FROM "OutboxMessage" c
          WHERE c."status" = 'PENDING' AND c."platform" = $2 AND c."notBefore" <= now() AND ${mayGo}
          ORDER BY c."notBefore", c."id" LIMIT $4 FOR UPDATE OF c SKIP LOCKED
       ), stale AS (
         SELECT c."id", c."kind", c."notBefore" FROM "OutboxMessage" c
          WHERE c."status" = 'SENDING' AND c."platform" = $2 AND c."claimedAt" < $3 AND ${mayGo}
          ORDER BY (c."kind" = 'reply') DESC, c."notBefore", c."id" LIMIT $4 FOR UPDATE OF c SKIP LOCKED
       ), chosen AS (
         SELECT DISTINCT x."id", x."kind" = 'reply' AS reply, x."notBefore" FROM (SELECT * FROM replies UNION ALL SELECT * FROM due UNION ALL SELECT * FROM stale) x
          ORDER BY reply DESC, x."notBefore", x."id" LIMIT $4
       )
       UPDATE "OutboxMessage" o SET "status" = 'SENDING', "claimedAt" = now(), "claimedBy" = $1, "attempts" = o."attempts" + 1
         FROM chosen WHERE o."id" = chosen."id"
       RETURNING o."id", o."kind", o."chatKey", o."text", o."choices", o."fileId", o."fileName", o."attempts", o."broadcastId"`,
      this.o.instance,
      platform,
      stale,
      limit,
    );
    // RETURNING gives no order: deliver in the order the messages were written.
    return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Run `work` over `items`, at most `concurrency` at once. */
  private async parallel<T>(items: T[], work: (item: T) => Promise<unknown>): Promise<void> {
    const queue = [...items];
    const n = Math.min(this.o.concurrency ?? DEFAULT_CONCURRENCY, queue.length);
    await Promise.all(
      Array.from({ length: n }, async () => {
        for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
      }),
    );
  }

  /** Send one claimed row. Returns null when done with it, or how long its chat must wait. */
  private async send(channel: Channel, spec: { pacing: PlatformPacing | null; budgetKey: string }, row: ClaimedRow): Promise<number | null> {
    const message: Outbound = {
      text: row.text,
      ...(row.choices?.length && { choices: row.choices }),
      ...(row.fileId && { file: { id: row.fileId, name: row.fileName ?? "file" } }),
    };
    try {
      const { messageId } = await channel.send(row.chatKey, message);
      // A reply that waited here is a person's conversation: once delivered, only the row's
      // key and times are kept (as for kept replies; see the README's security section).
      await this.o.prisma.$executeRawUnsafe(
        `UPDATE "OutboxMessage" SET "status" = 'SENT', "sentAt" = now(), "platformMessageId" = $2, "lastError" = NULL,
           "text" = CASE WHEN "kind" = 'reply' THEN '' ELSE "text" END, "choices" = CASE WHEN "kind" = 'reply' THEN NULL ELSE "choices" END
         WHERE "id" = $1`,
        row.id,
        messageId,
      );
      this.finished(row);
    } catch (e) {
      const err = e instanceof DeliveryError ? e : new DeliveryError("retry", e instanceof Error ? e.message : String(e));
      if (err.kind === "gone") {
        // The chat is marked first: once the row shows FAILED, the chat is known gone.
        await this.o.onChatGone?.(row.chatKey).catch((x: unknown) => this.o.log.error("chat gone handler failed", { error: String(x) }));
        await this.fail(row, err.message);
        this.o.log.warn("chat gone, stopped sending", { outbox: String(row.id) });
      } else if (err.kind === "fatal" || row.attempts >= (this.o.maxAttempts ?? 12)) {
        await this.fail(row, err.message);
        this.o.log.warn("outbox message failed", { outbox: String(row.id), attempts: row.attempts });
      } else {
        // "Too many requests" concerns the whole token: everyone waits, not only this row.
        if (err.retryAfterMs !== undefined && spec.pacing) await this.rateLimited(channel.platform, err.retryAfterMs);
        const wait = err.retryAfterMs ?? backoffMs(row.attempts);
        await this.putBack([row], wait, err.message);
        return wait;
      }
    }
    return null;
  }

  private async fail(row: ClaimedRow, reason: string): Promise<void> {
    const forgotten = row.kind === "reply" ? { text: "", choices: Prisma.DbNull } : {};
    await this.o.prisma.outboxMessage.update({ where: { id: row.id }, data: { status: "FAILED", lastError: reason.slice(0, 500), ...forgotten } });
    this.finished(row);
  }

  /**
   * A row of a broadcast is done: whether the whole broadcast is done is looked at once a second at
   * most (and on stop), not after each of its 10,000 sends. A process killed before it looks
   * leaves it to the housekeeping, hourly and at start (finishBroadcasts in app.ts).
   */
  private finished(row: ClaimedRow): void {
    if (row.broadcastId === null || !this.o.onBroadcastDone) return;
    this.broadcastsToCheck.add(row.broadcastId);
    this.broadcastCheck ??= setTimeout(() => void this.checkBroadcasts(), BROADCAST_CHECK_MS);
  }

  private async checkBroadcasts(): Promise<void> {
    if (this.broadcastCheck) clearTimeout(this.broadcastCheck);
    this.broadcastCheck = null;
    const ids = [...this.broadcastsToCheck];
    this.broadcastsToCheck.clear();
    for (const id of ids) await this.o.onBroadcastDone?.(id).catch((x: unknown) => this.o.log.error("broadcast completion failed", { error: String(x) }));
  }

  /**
   * Put claimed rows back in one statement, row i due `delaysMs[i]` from now (a number: all
   * alike), on the database's clock, which claim() reads. With a reason, a send was tried and
   * failed; without, the rows only waited (pacing, a pause, a stop): that was not an attempt.
   */
  private async putBack(rows: ClaimedRow[], delaysMs: number | number[], reason: string | null = null): Promise<void> {
    if (!rows.length) return;
    await this.o.prisma.$executeRawUnsafe(
      `UPDATE "OutboxMessage" o
          SET "status" = 'PENDING', "notBefore" = now() + x.d * interval '1 millisecond', "claimedAt" = NULL, "claimedBy" = NULL,
              "lastError" = COALESCE($4::text, o."lastError"), "attempts" = o."attempts" - CASE WHEN $4::text IS NULL THEN 1 ELSE 0 END
         FROM unnest($1::text[], $2::float8[]) AS x(id, d)
        WHERE o."id" = x.id::bigint AND o."status" = 'SENDING' AND o."claimedBy" = $3`,
      rows.map((r) => String(r.id)),
      rows.map((_, i) => (typeof delaysMs === "number" ? delaysMs : delaysMs[i]!)),
      this.o.instance,
      reason?.slice(0, 500) ?? null,
    );
  }
}
