/**
 * A broadcast to 10,000 groups through the fake Telegram Bot API enforcing Telegram's
 * limits, with time compressed by `scale` (30 messages/s becomes 30·scale/s; 20 per
 * minute per group becomes 20 per 60/scale s; the bot's pacing is compressed alike through
 * OUTBOX_RATE_SCALE): the rate achieved as a fraction of the ceiling, duplicates, losses,
 * 429s, and the lag from the due time to the first send — with one server process, and
 * with two sharing one PostgreSQL (and one rate budget).
 *
 * The messages are written to the outbox before the servers start, all due 20 s later
 * (PGlite is one process: nothing else may open it while the server runs); the lag is
 * measured from that due time to the first send. The fake records each accepted
 * sendMessage as it arrives; the rate runs from the first to the last of them.
 */
import { randomBytes } from "node:crypto";
import { openDatabase } from "../src/infra/db/open.js";
import { FakeTelegram } from "../test/fakes/telegram-server.js";
import { seedBroadcastWorld } from "../test/support/broadcast-world.js";
import { RssSampler, startServer, type ServerProcess } from "./server.js";
import { emptyDatabase } from "./setup.js";

/** Telegram's published ceiling for one bot, messages per second. */
export const CEILING_PER_SECOND = 30;

/** One instance on each backend, and two instances on one PostgreSQL. */
export const BROADCAST_RUNS = ["pglite", "postgres", "postgres-2"] as const;
export type BroadcastRun = (typeof BROADCAST_RUNS)[number];

export interface BroadcastResult {
  groups: number;
  instances: number;
  /** Time compression of the fake's limits and of the bot's pacing. */
  scale: number;
  /** Sends per Telegram second (real sends per second ÷ scale), first to last send. */
  achievedPerSecond: number;
  ceilingPerSecond: number;
  fractionOfCeiling: number;
  /** First to last send, real milliseconds. */
  durationMs: number;
  /** Groups that got the message more than once. */
  duplicates: number;
  /** Groups that never got it. */
  losses: number;
  /** Sends the fake refused with 429 (the pacing aims at 0). */
  refused429: number;
  /** When each 429 came, real ms after the first send. */
  refused429AtMs: number[];
  /** Due time → first send, real milliseconds (not scaled: it is the worker's reaction). */
  lagToFirstSendMs: number;
  /** Messages sent by each instance (from the outbox's record of who claimed them). */
  sentByInstance: number[];
  rssMB: { peakPerInstance: number[] };
}

const TEXT = "Thông báo: Hội nghị tổng kết phong trào thi đua năm, 8 giờ sáng thứ Hai.";
/** How far ahead the broadcast is due when it is written (the servers start meanwhile). */
const DUE_AFTER_MS = 20_000;

/** Run `body` with `cleanup` owed until it has run (bench/run.ts also runs it on Ctrl-C). */
type Owing = <T>(cleanup: () => Promise<unknown>, body: () => Promise<T>) => Promise<T>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchBroadcast(opts: { backend: "pglite" | "postgres"; instances: number; groups: number; scale: number; say(line: string): void; owing: Owing }): Promise<BroadcastResult> {
  const { backend, instances, groups, scale, say, owing } = opts;
  const tg = await FakeTelegram.start();
  const db = await emptyDatabase(backend);
  const servers: ServerProcess[] = [];
  const cleanup = async () => {
    for (const s of servers.splice(0)) await s.stop().catch(() => undefined);
    await tg.stop();
    await db.cleanup();
  };
  return owing(cleanup, async () => {
    const pre = await openDatabase(db.config);
    const world = await seedBroadcastWorld(pre.prisma, tg, groups);
    // Due a fixed time ahead, long enough for the servers to start: the lag is measured from it.
    const due = Date.now() + DUE_AFTER_MS;
    for (let i = 0; i < world.groupIds.length; i += 2000) {
      await pre.prisma.outboxMessage.createMany({
        data: world.groupIds.slice(i, i + 2000).map((id) => ({ key: `bench-broadcast:${id}`, kind: "announcement", platform: "tg", chatKey: `tg:${id}`, text: TEXT, notBefore: new Date(due), dueAt: new Date(due) })),
      });
    }
    await pre.close();
    say(`${groups} groups queued, due in ${DUE_AFTER_MS / 1000} s; starting ${instances} server(s)`);

    const env = {
      ...db.env,
      SANDBOX: "off",
      DEMO_SEED: "off",
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      // Webhook mode: several instances cannot all long-poll one token, and no update is expected here.
      TELEGRAM_MODE: "webhook",
      TELEGRAM_WEBHOOK_SECRET: randomBytes(12).toString("hex"),
      PUBLIC_URL: "http://127.0.0.1:9",
      OUTBOX_RATE_SCALE: String(scale),
    };
    for (let i = 0; i < instances; i++) servers.push(await startServer(env, { label: `broadcast-${i + 1}` }));
    const samplers = servers.map((s) => new RssSampler(s.pid));
    for (const s of samplers) s.start();
    tg.enforceLimits({ scale });

    const received = new Map<number, number>();
    const sends: number[] = [];
    tg.onSent((m) => {
      if (m.chat_id >= 0 || m.text !== TEXT) return;
      received.set(m.chat_id, (received.get(m.chat_id) ?? 0) + 1);
      sends.push(Date.now());
    });

    if (Date.now() > due) say("the servers started after the due time; the lag includes start-up");
    const budgetMs = (groups / ((CEILING_PER_SECOND - 1) * scale)) * 1000 * 2 + 60_000;
    const deadline = Date.now() + budgetMs;
    while (received.size < groups && Date.now() < deadline) await sleep(100);
    // A little longer: anything sent twice would show now.
    await sleep(2000);
    const peaks = samplers.map((s) => Math.round(s.stop().peakMB * 10) / 10);
    for (const s of servers.splice(0)) await s.stop();

    // Who sent what: the outbox keeps the instance that claimed each sent row.
    const post = await openDatabase(db.config);
    const byInstance = await post.prisma.outboxMessage.groupBy({ by: ["claimedBy"], where: { status: "SENT", kind: "announcement" }, _count: { _all: true } });
    await post.close();

    const first = sends[0] ?? due;
    const last = sends.at(-1) ?? due;
    const durationMs = Math.max(1, last - first);
    const achievedPerSecond = (sends.length - 1) / (durationMs / 1000) / scale;
    const refusals = tg.calls.filter((c) => c.method === "sendMessage" && c.status === 429 && Number(c.params.chat_id) < 0);
    const duplicates = [...received.values()].filter((n) => n > 1).length;
    const losses = world.groupIds.filter((id) => !received.has(id)).length;
    say(`${sends.length} sends in ${(durationMs / 1000).toFixed(1)} s, ${achievedPerSecond.toFixed(2)}/s of ${CEILING_PER_SECOND}, ${duplicates} duplicates, ${losses} lost, ${refusals.length} refused`);
    return {
      groups,
      instances,
      scale,
      achievedPerSecond: Math.round(achievedPerSecond * 100) / 100,
      ceilingPerSecond: CEILING_PER_SECOND,
      fractionOfCeiling: Math.round((achievedPerSecond / CEILING_PER_SECOND) * 1000) / 1000,
      durationMs,
      duplicates,
      losses,
      refused429: refusals.length,
      refused429AtMs: refusals.map((c) => c.at - first),
      lagToFirstSendMs: first - due,
      sentByInstance: byInstance.map((r) => r._count._all).sort((a, b) => b - a),
      rssMB: { peakPerInstance: peaks },
    };
  });
}
