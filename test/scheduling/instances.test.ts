/**
 * Two instances on one PostgreSQL delivering one broadcast with one bot token, against the
 * fake Bot API enforcing Telegram's limits (time compressed ×5): they share the rows (each
 * group gets the message once) and the token's rate budget (Telegram never has to refuse,
 * and no window of Telegram's second holds more than 30 sends between them).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.js";
import { openDatabase } from "../../src/infra/db/open.js";
import { createLogger } from "../../src/infra/log.js";
import { FakeTelegram } from "../fakes/telegram-server.js";
import { testConfig } from "../support/app.js";
import { seedBroadcastWorld, type BroadcastWorld } from "../support/broadcast-world.js";
import { createTestDatabase, describePostgres, type TestDatabase } from "../support/database.js";

const SCALE = 5;
const GROUPS = 400;
const TEXT = "Thông báo: Đại hội Công đoàn cơ sở khai mạc lúc 8 giờ thứ Hai.";

describePostgres("two instances delivering one broadcast", (backend) => {
  let tg: FakeTelegram;
  let db: TestDatabase;
  let world: BroadcastWorld;
  const apps: App[] = [];

  beforeAll(async () => {
    tg = await FakeTelegram.start();
    db = await createTestDatabase(backend);
    const pre = await openDatabase(db.config);
    world = await seedBroadcastWorld(pre.prisma, tg, GROUPS);
    await pre.close();
    for (let i = 0; i < 2; i++) {
      apps.push(
        await createApp(
          testConfig({
            database: db.config,
            sandbox: false,
            demoSeed: false,
            // Webhooks: two instances cannot both long-poll one token.
            telegram: { token: tg.token, apiRoot: tg.apiRoot, mode: "webhook", webhookSecret: randomBytes(12).toString("hex") },
            publicUrl: "http://127.0.0.1:9",
            delivery: { zaloPerSecond: 5, rateScale: SCALE, staleClaimMs: 120_000 },
          }),
          { log: createLogger("warn", () => undefined) },
        ),
      );
    }
    tg.enforceLimits({ scale: SCALE });
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await tg?.stop();
    await db?.drop();
  });

  it("share the rows and the token's budget: every group once, nothing refused", async () => {
    await apps[0]!.db.prisma.outboxMessage.createMany({
      data: world.groupIds.map((id) => ({ key: `instances:${id}`, kind: "announcement", platform: "tg", chatKey: `tg:${id}`, text: TEXT })),
    });
    const inGroups = () => world.groupIds.map((id) => tg.sent(id).filter((m) => m.text === TEXT).length);
    const deadline = Date.now() + 60_000;
    // Both deliver at once until every group has it (each tick drains its own send queue).
    await Promise.all(
      apps.map(async (app) => {
        while (inGroups().some((n) => n === 0) && Date.now() < deadline) {
          if (!(await app.outbox.tick())) await new Promise((r) => setTimeout(r, 20));
        }
      }),
    );
    expect(inGroups()).toEqual(world.groupIds.map(() => 1));
    expect(tg.calls.filter((c) => c.status === 429).length).toBe(0);

    const times = tg.calls.filter((c) => c.method.toLowerCase() === "sendmessage" && c.status === 200).map((c) => c.at).sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000 / SCALE) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    expect(busiest).toBeLessThanOrEqual(30);

    // Both took part: the rows record who sent them.
    const byInstance = await apps[0]!.db.prisma.outboxMessage.groupBy({ by: ["claimedBy"], where: { status: "SENT" }, _count: { _all: true } });
    expect(byInstance).toHaveLength(2);
    for (const r of byInstance) expect(r._count._all).toBeGreaterThan(GROUPS / 10);
  });
});
