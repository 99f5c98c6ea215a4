/**
 * Rate budgets in the database, so that every instance sending with one bot token shares
 * one budget. A budget is a token bucket: it refills at `perSecond` up to `burst`, and a
 * send takes one token. In any window of T seconds a bucket lets through at most
 * burst + perSecond·T sends — the rules below are chosen so that this stays within the
 * platform's published limits, which are sliding windows.
 */
import type { PrismaClient } from "../../generated/prisma/client.ts";

export interface Rule {
  perSecond: number;
  burst: number;
}

export interface PlatformPacing {
  /** The whole bot token. */
  bot: Rule;
  /** One group chat. */
  group: Rule;
  /** One private chat. */
  private: Rule;
}

/**
 * Telegram: ≤ 30 messages/s per bot (29 + burst 1 ≤ 30 in any second), ≤ 20/min per group
 * (5 + 15/min ≤ 20 in any minute), about 1/s per private chat.
 */
export const TELEGRAM_PACING: PlatformPacing = {
  bot: { perSecond: 29, burst: 1 },
  group: { perSecond: 15 / 60, burst: 5 },
  private: { perSecond: 1, burst: 1 },
};

/** Zalo publishes no limits: a few messages per second per token, conservatively. */
export function zaloPacing(perSecond: number): PlatformPacing {
  return { bot: { perSecond, burst: 1 }, group: { perSecond: 1, burst: 1 }, private: { perSecond: 1, burst: 1 } };
}

export type Take = { ok: true } | { ok: false; waitMs: number };

export class RateBuckets {
  private readonly known = new Set<string>();

  /** `scale` multiplies every rate (tests and benchmarks compress time with it). */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly scale = 1,
  ) {}

  /** Take one token from `key`'s bucket, or say how long until one is there. */
  async take(key: string, rule: Rule): Promise<Take> {
    const rate = rule.perSecond * this.scale;
    if (!this.known.has(key)) {
      await this.prisma.$executeRawUnsafe(
        `INSERT INTO "RateBucket" ("key", "tokens", "updatedAt") VALUES ($1, $2, clock_timestamp()) ON CONFLICT ("key") DO NOTHING`,
        key,
        rule.burst,
      );
      this.known.add(key);
    }
    const refill = `LEAST($2::float8, "tokens" + GREATEST(0, EXTRACT(EPOCH FROM (clock_timestamp() - "updatedAt"))) * $3::float8)`;
    const taken = await this.prisma.$executeRawUnsafe(
      `UPDATE "RateBucket" SET "tokens" = ${refill} - 1, "updatedAt" = clock_timestamp()
        WHERE "key" = $1 AND ("pausedUntil" IS NULL OR "pausedUntil" <= clock_timestamp()) AND ${refill} >= 1`,
      key,
      rule.burst,
      rate,
    );
    if (taken === 1) return { ok: true };
    const rows = await this.prisma.$queryRawUnsafe<{ tokens: number; paused_ms: number | null; elapsed_s: number }[]>(
      `SELECT "tokens", EXTRACT(EPOCH FROM ("pausedUntil" - clock_timestamp())) * 1000 AS paused_ms, EXTRACT(EPOCH FROM (clock_timestamp() - "updatedAt")) AS elapsed_s
         FROM "RateBucket" WHERE "key" = $1`,
      key,
    );
    const r = rows[0];
    if (!r) return { ok: false, waitMs: 10 };
    const paused = Number(r.paused_ms ?? 0);
    if (paused > 0) return { ok: false, waitMs: Math.ceil(paused) };
    const have = Math.min(rule.burst, Number(r.tokens) + Math.max(0, Number(r.elapsed_s)) * rate);
    return { ok: false, waitMs: Math.max(1, Math.ceil(((1 - have) / rate) * 1000)) };
  }

  /** The platform said "too many": nobody sends on this budget before `ms` have passed. */
  async pause(key: string, ms: number): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      `INSERT INTO "RateBucket" ("key", "tokens", "updatedAt", "pausedUntil") VALUES ($1, 0, clock_timestamp(), clock_timestamp() + $2 * interval '1 millisecond')
       ON CONFLICT ("key") DO UPDATE SET "tokens" = 0, "updatedAt" = clock_timestamp(),
         "pausedUntil" = GREATEST(COALESCE("RateBucket"."pausedUntil", clock_timestamp()), clock_timestamp() + $2 * interval '1 millisecond')`,
      key,
      ms,
    );
  }
}
