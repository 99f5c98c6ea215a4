/**
 * Rate budgets in the database, so that every instance sending with one bot token shares
 * them. Two kinds, both rows of "RateBucket":
 * - the bot-wide budget is a schedule (GCRA): its row holds the next free send slot, and a
 *   batch reserves consecutive slots `1/perSecond` apart (reserveSlots);
 * - each chat's budget is a token bucket: it refills at `perSecond` up to `burst`, and a
 *   send takes one token, so any window of T seconds lets through at most
 *   burst + perSecond·T sends (takeChatTokens).
 * The rules below are chosen so that this stays within the platform's published limits,
 * which are sliding windows.
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

/**
 * Timing jitter, in real milliseconds, that the bot-wide schedule leaves room for: between
 * a send's start here and its arrival where the platform counts it (a busy event loop, the
 * network). Telegram counts 30 sends in a sliding second; spacing them 1/29 s apart leaves
 * 34 ms, enough. When tests and benchmarks compress time, the second shrinks but the
 * jitter does not: the schedule slows down so that the room stays.
 */
export const JITTER_ROOM_MS = 20;

/**
 * The bot-wide rate to schedule at, in the platform's messages per (uncompressed) second:
 * the rule's rate, or less if the window would not leave JITTER_ROOM_MS for the
 * burst + perSecond sends it may hold.
 */
export function botPerSecond(rule: Rule, scale: number): number {
  const windowMs = 1000 / scale;
  return Math.min(rule.perSecond, ((rule.perSecond + rule.burst) * windowMs) / (windowMs + JITTER_ROOM_MS));
}

/** Zalo publishes no limits: a few messages per second per token, conservatively. */
export function zaloPacing(perSecond: number): PlatformPacing {
  return { bot: { perSecond, burst: 1 }, group: { perSecond: 1, burst: 1 }, private: { perSecond: 1, burst: 1 } };
}

/**
 * The platform said "too many": nobody sends on this budget before `ms` have passed. The
 * schedule's next free slot never moves back (slots already handed out stay valid).
 */
export async function pauseBudget(prisma: PrismaClient, key: string, ms: number): Promise<void> {
  await prisma.$executeRawUnsafe(
    `INSERT INTO "RateBucket" ("key", "tokens", "updatedAt", "pausedUntil") VALUES ($1, 0, clock_timestamp(), clock_timestamp() + $2 * interval '1 millisecond')
     ON CONFLICT ("key") DO UPDATE SET "updatedAt" = GREATEST("RateBucket"."updatedAt", clock_timestamp()),
       "pausedUntil" = GREATEST(COALESCE("RateBucket"."pausedUntil", clock_timestamp()), clock_timestamp() + $2 * interval '1 millisecond')`,
    key,
    ms,
  );
}

/**
 * The bot-wide budget as a schedule of send times (GCRA): one statement reserves `count`
 * consecutive slots `1/perSecond` apart, starting no earlier than the last reserved slot,
 * now, or the end of a pause. Sending each message at its slot keeps any one-second window
 * to perSecond + 1 messages — across every instance, with one round trip per batch. The
 * slots are on the database's clock (epoch ms), with the database's time of the statement;
 * DbClock maps them onto this process's clock.
 */
export async function reserveSlots(prisma: PrismaClient, key: string, perSecond: number, count: number): Promise<{ dbNowMs: number; slots: number[] }> {
  const interval = 1000 / perSecond;
  // One reading of the clock for the whole statement: read once for the new end and again
  // for "now" in RETURNING, the time the statement spent in between (ms on a loaded machine,
  // PGlite on the main thread) moved the first slot of an idle schedule onto the second.
  const rows = await prisma.$queryRawUnsafe<{ ahead_ms: number; now_ms: number }[]>(
    `WITH c AS (SELECT clock_timestamp() AS t)
     INSERT INTO "RateBucket" AS r ("key", "tokens", "updatedAt") SELECT $1, 0, c.t + $2 * interval '1 millisecond' FROM c
     ON CONFLICT ("key") DO UPDATE
       SET "updatedAt" = GREATEST(r."updatedAt" + $2 * interval '1 millisecond', excluded."updatedAt", COALESCE(r."pausedUntil" + $2 * interval '1 millisecond', excluded."updatedAt"))
     RETURNING EXTRACT(EPOCH FROM ("updatedAt" - (SELECT t FROM c))) * 1000 AS ahead_ms, EXTRACT(EPOCH FROM (SELECT t FROM c)) * 1000 AS now_ms`,
    key,
    interval * count,
  );
  const end = Number(rows[0]!.ahead_ms);
  const dbNowMs = Number(rows[0]!.now_ms);
  // The end is stored to the millisecond (TIMESTAMP(3)) while "now" has microseconds, so an
  // idle schedule's first slot may fall up to half a millisecond before now: it is kept there
  // (sent at once) rather than moved onto the next, which would break the spacing.
  return { dbNowMs, slots: Array.from({ length: count }, (_, i) => dbNowMs + end - interval * (count - i)) };
}

/** How far ahead of now the schedule's next free slot is, a pause included (ms; 0 if none). */
export async function scheduleAheadMs(prisma: PrismaClient, key: string): Promise<number> {
  const rows = await prisma.$queryRawUnsafe<{ ms: number }[]>(
    `SELECT EXTRACT(EPOCH FROM (GREATEST("updatedAt", COALESCE("pausedUntil", "updatedAt")) - clock_timestamp())) * 1000 AS ms FROM "RateBucket" WHERE "key" = $1`,
    key,
  );
  return rows.length ? Math.max(0, Number(rows[0]!.ms)) : 0;
}

/**
 * The database's clock as seen from this process, estimated as NTP does: each statement
 * that reads the database's time gives an offset within half its round trip, and the
 * sample with the shortest round trip among the last few is the one to trust. Mapping the
 * slots with the time a reply was read instead would shift a whole batch late whenever the
 * event loop was busy when it arrived, onto the slots of other instances; and the app
 * servers' own clocks may differ from each other.
 */
export class DbClock {
  private readonly samples: { rttMs: number; offsetMs: number }[] = [];

  /** A statement sent at `sentAt` and answered at `receivedAt` (local epoch ms) read the database's time `dbNowMs`. */
  observe(sentAt: number, receivedAt: number, dbNowMs: number): void {
    this.samples.push({ rttMs: receivedAt - sentAt, offsetMs: dbNowMs - (sentAt + receivedAt) / 2 });
    if (this.samples.length > DB_CLOCK_SAMPLES) this.samples.shift();
  }

  /** This process's epoch ms for the database's `dbMs`. */
  toLocal(dbMs: number): number {
    let best = this.samples[0];
    for (const s of this.samples) if (best && s.rttMs < best.rttMs) best = s;
    return dbMs - (best?.offsetMs ?? 0);
  }
}

const DB_CLOCK_SAMPLES = 32;

/**
 * Per-chat budgets for a whole batch in two statements: the chats (keys) that got a token
 * now. Each chat appears once; `rules` gives its bucket.
 */
export async function takeChatTokens(prisma: PrismaClient, chats: { key: string; rule: Rule }[], scale: number): Promise<Set<string>> {
  if (!chats.length) return new Set();
  const keys = chats.map((c) => c.key);
  const bursts = chats.map((c) => c.rule.burst);
  const rates = chats.map((c) => c.rule.perSecond * scale);
  await prisma.$executeRawUnsafe(
    `INSERT INTO "RateBucket" ("key", "tokens", "updatedAt") SELECT k, b, clock_timestamp() FROM unnest($1::text[], $2::float8[]) AS x(k, b) ON CONFLICT ("key") DO NOTHING`,
    keys,
    bursts,
  );
  const refill = `LEAST(x.b, r."tokens" + GREATEST(0, EXTRACT(EPOCH FROM (clock_timestamp() - r."updatedAt"))) * x.rate)`;
  const rows = await prisma.$queryRawUnsafe<{ key: string }[]>(
    `UPDATE "RateBucket" r SET "tokens" = ${refill} - 1, "updatedAt" = clock_timestamp()
       FROM unnest($1::text[], $2::float8[], $3::float8[]) AS x(k, b, rate)
      WHERE r."key" = x.k AND (r."pausedUntil" IS NULL OR r."pausedUntil" <= clock_timestamp()) AND ${refill} >= 1
      RETURNING r."key"`,
    keys,
    bursts,
    rates,
  );
  return new Set(rows.map((r) => r.key));
}
