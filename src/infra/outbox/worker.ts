/**
 * Delivers the outbox: claims due rows (FOR UPDATE SKIP LOCKED, so instances share the
 * work without sending a row twice), sends each through the channel of its platform,
 * records the platform's message id, and retries transient failures with capped backoff.
 * A chat that is gone (the bot was removed) is marked inactive and not retried.
 */
import type { Choice, Outbound } from "../../core/model.js";
import type { Logger } from "../../core/ports.js";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { DeliveryError, platformOf, type Channel } from "../../adapters/channel.js";

export interface OutboxWorkerOptions {
  prisma: PrismaClient;
  /** The channel of a platform ("tg", "zalo", "web"), if this process has it. */
  channel(platform: string): Channel | undefined;
  log: Logger;
  /** Name of this instance, recorded on claimed rows. */
  instance: string;
  batch?: number;
  pollMs?: number;
  /** A row claimed longer ago than this by a process that died is claimed again. */
  staleClaimMs?: number;
  maxAttempts?: number;
}

interface ClaimedRow {
  id: bigint;
  chatKey: string;
  text: string;
  choices: Choice[] | null;
  fileId: string | null;
  fileName: string | null;
  attempts: number;
}

const BACKOFF_BASE_MS = 2_000;
const BACKOFF_CAP_MS = 10 * 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

export class OutboxWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(private readonly o: OutboxWorkerOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stop claiming; wait for the batch in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Wake the worker now (after enqueuing). */
  poke(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((e) => this.o.log.error("outbox tick failed", { error: e instanceof Error ? e.message : String(e) }))
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.schedule(this.o.pollMs ?? 500);
        });
    }, ms);
  }

  /** Claim and deliver one batch. Returns how many rows were handled. */
  async tick(): Promise<number> {
    // RETURNING gives no order: deliver in the order the messages were written.
    const rows = (await this.claim()).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const row of rows) await this.deliver(row);
    return rows.length;
  }

  private async claim(): Promise<ClaimedRow[]> {
    const stale = new Date(Date.now() - (this.o.staleClaimMs ?? 5 * 60_000));
    return this.o.prisma.$queryRawUnsafe<ClaimedRow[]>(
      `UPDATE "OutboxMessage" SET "status" = 'SENDING', "claimedAt" = now(), "claimedBy" = $1, "attempts" = "attempts" + 1
        WHERE "id" IN (
          SELECT "id" FROM "OutboxMessage"
           WHERE ("status" = 'PENDING' AND "notBefore" <= now()) OR ("status" = 'SENDING' AND "claimedAt" < $2)
           ORDER BY "id" LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING "id", "chatKey", "text", "choices", "fileId", "fileName", "attempts"`,
      this.o.instance,
      stale,
      this.o.batch ?? 20,
    );
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    const channel = this.o.channel(platformOf(row.chatKey));
    if (!channel) {
      // No adapter for this platform in this process (e.g. its token was removed): try later.
      await this.reschedule(row, backoffMs(row.attempts), "no channel for platform");
      return;
    }
    try {
      const message: Outbound = {
        text: row.text,
        ...(row.choices?.length && { choices: row.choices }),
        ...(row.fileId && { file: { id: row.fileId, name: row.fileName ?? "file" } }),
      };
      const { messageId } = await channel.send(row.chatKey, message);
      await this.o.prisma.outboxMessage.update({ where: { id: row.id }, data: { status: "SENT", sentAt: new Date(), platformMessageId: messageId, lastError: null } });
    } catch (e) {
      const err = e instanceof DeliveryError ? e : new DeliveryError("retry", e instanceof Error ? e.message : String(e));
      if (err.kind === "gone") {
        await this.o.prisma.$transaction([
          this.o.prisma.outboxMessage.update({ where: { id: row.id }, data: { status: "FAILED", lastError: err.message.slice(0, 500) } }),
          this.o.prisma.chat.updateMany({ where: { key: row.chatKey }, data: { active: false } }),
        ]);
        this.o.log.warn("chat gone, stopped sending", { outbox: String(row.id) });
      } else if (err.kind === "fatal" || row.attempts >= (this.o.maxAttempts ?? 12)) {
        await this.o.prisma.outboxMessage.update({ where: { id: row.id }, data: { status: "FAILED", lastError: err.message.slice(0, 500) } });
        this.o.log.warn("outbox message failed", { outbox: String(row.id), attempts: row.attempts });
      } else {
        await this.reschedule(row, err.retryAfterMs ?? backoffMs(row.attempts), err.message);
      }
    }
  }

  private async reschedule(row: ClaimedRow, delayMs: number, reason: string): Promise<void> {
    await this.o.prisma.outboxMessage.update({
      where: { id: row.id },
      data: { status: "PENDING", notBefore: new Date(Date.now() + delayMs), lastError: reason.slice(0, 500), claimedAt: null, claimedBy: null },
    });
  }
}
