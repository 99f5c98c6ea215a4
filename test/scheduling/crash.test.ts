/**
 * A broadcast to 2,000 groups (700 on PGlite), through the real process and the fake Bot
 * API, interrupted halfway:
 * - stopped with SIGTERM and started again: every group gets the message exactly once;
 * - killed with SIGKILL and started again: no group is missed, and the only duplicates are
 *   the sends that were in flight at that instant (counted and printed).
 * The bot paces itself ten times faster than Telegram allows (OUTBOX_RATE_SCALE) so that a
 * run takes seconds. The fake does not enforce Telegram's limits here: these tests are about
 * exactly-once across a restart, and a compressed flood model turns the scheduling jitter of
 * a busy machine into 429s whose retry_after stays whole real seconds (the limits and the
 * bot's answer to a 429 are the subject of delivery.test.ts and pacing-limits.test.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseConfig } from "../../src/infra/db/open.js";
import { DEFAULT_CONCURRENCY } from "../../src/infra/outbox/worker.js";
import { FakeTelegram } from "../fakes/telegram-server.js";
import { backends, createTestDatabase, type Backend, type TestDatabase } from "../support/database.js";
import { seedBroadcastWorld, type BroadcastWorld } from "../support/broadcast-world.js";
import { startBotProcess, type BotProcess } from "../support/process.js";

/**
 * Groups per broadcast: 2,000 on PostgreSQL; 700 on PGlite, whose delivery (each send a few
 * statements of the single embedded database) ran at about 50 a second on a quiet machine
 * and under 5 a second on a busy one, where 2,000 took longer than the waits below.
 */
const GROUPS_ON = { postgres: 2000, pglite: 700 } as const;
const SCALE = 10;
const TEXT = "Thông báo khẩn: toàn thể đoàn viên tham gia diễn tập phòng cháy chữa cháy lúc 14 giờ.";
/** Sends in flight at once in one process (the worker's concurrency). */
const IN_FLIGHT = DEFAULT_CONCURRENCY;

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// Two process starts and a paced broadcast, on a two-core machine that may be
// busy with something else: its own waits allow eight minutes (on a quiet one it takes one).
describe.each(backends())("a broadcast to hundreds of groups interrupted on %s", { timeout: 600_000 }, (backend: Backend) => {
  const GROUPS = GROUPS_ON[backend];
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  async function setup(): Promise<{ tg: FakeTelegram; world: BroadcastWorld; env: Record<string, string> }> {
    const tg = await FakeTelegram.start();
    cleanup.push(() => tg.stop());
    let config: DatabaseConfig;
    let env: Record<string, string>;
    if (backend === "pglite") {
      const dir = await mkdtemp(path.join(tmpdir(), "thidua-crash-"));
      cleanup.push(() => rm(dir, { recursive: true, force: true }));
      config = { kind: "pglite", dataDir: dir };
      env = { DATA_DIR: dir };
    } else {
      const db: TestDatabase = await createTestDatabase("postgres");
      cleanup.push(() => db.drop());
      config = db.config;
      env = { DATABASE_URL: (db.config as { url: string }).url };
    }
    const pre = await openDatabase(config);
    const world = await seedBroadcastWorld(pre.prisma, tg, GROUPS);
    await pre.close();
    return {
      tg,
      world,
      env: { ...env, TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, OUTBOX_RATE_SCALE: String(SCALE), OUTBOX_STALE_CLAIM_SECONDS: "3" },
    };
  }

  async function start(env: Record<string, string>): Promise<BotProcess> {
    const bot = await startBotProcess(env);
    cleanup.push(() => bot.kill("SIGKILL"));
    return bot;
  }

  /** The officer sends the announcement through Telegram, as in real life. */
  async function announce(tg: FakeTelegram, world: BroadcastWorld): Promise<void> {
    const chat = tg.privateChat(world.officer);
    const answered = async (n: number) => tg.waitForSent(world.officer.id, n, 20_000);
    tg.sendText(world.officer, chat, "/thongbao");
    const audience = (await answered(1)).at(-1)!;
    tg.pressButton(world.officer, chat, audience.message_id, audience.buttons.find((b) => b.text.startsWith("Đoàn viên"))!.data!);
    await answered(2);
    tg.sendText(world.officer, chat, TEXT);
    const preview = (await answered(3)).at(-1)!;
    expect(preview.text).toContain(`Sẽ gửi tới ${GROUPS.toLocaleString("vi-VN")} nhóm/người nhận`); // "2.000"
    tg.pressButton(world.officer, chat, preview.message_id, preview.buttons.find((b) => b.text === "Gửi thông báo")!.data!);
  }

  /** How many times each group got the announcement (one pass over what the fake saw: this runs every 25 ms). */
  const received = (tg: FakeTelegram, world: BroadcastWorld) => {
    const counts = new Map<string, number>();
    for (const m of tg.sent()) if ((m.text ?? "").endsWith(`thông báo:\n${TEXT}`)) counts.set(String(m.chat_id), (counts.get(String(m.chat_id)) ?? 0) + 1);
    return world.groupIds.map((id) => counts.get(String(id)) ?? 0);
  };
  const delivered = (tg: FakeTelegram, world: BroadcastWorld) => received(tg, world).filter((n) => n > 0).length;

  it("stopped with SIGTERM halfway and restarted: every group gets it exactly once", async () => {
    const { tg, world, env } = await setup();
    let bot = await start(env);
    await announce(tg, world);
    await until(() => delivered(tg, world) >= GROUPS / 3, 180_000, "a third of the groups");
    expect(await bot.kill("SIGTERM")).toBe(0);
    const atStop = delivered(tg, world);
    expect(atStop).toBeLessThan(GROUPS);
    bot = await start(env);
    await until(() => delivered(tg, world) === GROUPS, 300_000, "every group");
    await new Promise((r) => setTimeout(r, 500));
    expect(received(tg, world).filter((n) => n !== 1)).toEqual([]);
    await bot.kill("SIGTERM");
  });

  it("stopped with SIGTERM, gives back at once every row it had claimed (not after the stale-claim time)", async () => {
    const { tg, world, env } = await setup();
    // Claims go stale only after ten minutes: a row left claimed would still show as SENDING.
    const bot = await start({ ...env, OUTBOX_STALE_CLAIM_SECONDS: "600" });
    await announce(tg, world);
    await until(() => delivered(tg, world) >= 50, 120_000, `50 groups (${bot.output().slice(-2000)})`);
    expect(await bot.kill("SIGTERM")).toBe(0);
    const atStop = delivered(tg, world);
    const db = await openDatabase(env.DATABASE_URL ? { kind: "postgres", url: env.DATABASE_URL, poolSize: 2 } : { kind: "pglite", dataDir: env.DATA_DIR! });
    try {
      const rows = await db.prisma.outboxMessage.groupBy({ by: ["status"], where: { kind: "announcement" }, _count: { _all: true } });
      const count = (status: string) => rows.find((r) => r.status === status)?._count._all ?? 0;
      expect(count("SENDING")).toBe(0);
      expect(count("SENT")).toBe(atStop);
      expect(count("PENDING")).toBe(GROUPS - atStop);
    } finally {
      await db.close();
    }
  });

  it("killed with SIGKILL halfway and restarted: no group missed, duplicates only from sends in flight", async () => {
    const { tg, world, env } = await setup();
    let bot = await start(env);
    await announce(tg, world);
    await until(() => delivered(tg, world) >= GROUPS / 3, 180_000, "a third of the groups");
    expect(await bot.kill("SIGKILL")).toBe("SIGKILL");
    const callsAtKill = tg.calls.length;
    bot = await start(env);
    await until(() => delivered(tg, world) === GROUPS, 300_000, "every group");
    await new Promise((r) => setTimeout(r, 4000)); // past the stale-claim time: anything reclaimed would show
    const twice = received(tg, world).filter((n) => n > 1).length;
    expect(received(tg, world).filter((n) => n === 0)).toEqual([]);
    expect(received(tg, world).filter((n) => n > 2)).toEqual([]);
    expect(twice).toBeLessThanOrEqual(IN_FLIGHT);
    process.stdout.write(`[crash test, ${backend}] SIGKILL after ${callsAtKill} API calls: ${twice} group(s) got the message twice (in flight at the kill)\n`);
    await bot.kill("SIGTERM");
  });
});
