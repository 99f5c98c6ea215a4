/**
 * Several doors in one process (Telegram, Zalo and the sandbox together), one person on
 * two platforms joined by /ketnoi, updates received but not answered before a crash, and
 * the real `npm start` entry point pointed at a Bot API server by TELEGRAM_API_ROOT.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.js";
import { createLogger } from "../../src/infra/log.js";
import { FakeTelegram } from "../fakes/telegram-server.js";
import { FakeZalo } from "../fakes/zalo-server.js";
import { testConfig } from "../support/app.js";
import { FakeClock } from "../support/clock.js";
import { startBotProcess } from "../support/process.js";
import { SandboxClient, dm } from "../support/sandbox-client.js";

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("Telegram, Zalo and the sandbox in one process", () => {
  let tg: FakeTelegram;
  let zl: FakeZalo;
  let dir: string;
  let app: App | null = null;
  const start = async () =>
    createApp(
      testConfig({
        database: { kind: "pglite", dataDir: dir },
        demoSeed: true,
        telegram: { token: tg.token, apiRoot: tg.apiRoot, mode: "polling" },
        zalo: { token: zl.token, apiRoot: zl.apiRoot, mode: "polling" },
      }),
      { clock: new FakeClock("2026-11-24T03:00:00.000Z"), log: createLogger("warn", () => undefined) },
    );

  beforeAll(async () => {
    tg = await FakeTelegram.start();
    zl = await FakeZalo.start();
    dir = await mkdtemp(path.join(tmpdir(), "thidua-together-"));
    app = await start();
  });
  afterAll(async () => {
    await app?.stop();
    await tg.stop();
    await zl.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers on every door at once", async () => {
    const lan = tg.user({ firstName: "Lan", lastName: "Đỗ Thị" });
    tg.sendText(lan, tg.privateChat(lan), "/lich");
    const hoa = zl.user({ displayName: "Phan Thị Hoa" });
    const hoaChat = zl.privateChat(hoa);
    zl.sendText(hoa, hoaChat, "/lich");
    const web = new SandboxClient(app!.url, () => app!.idle());
    const [fromWeb] = await web.say({ userId: "khach", userName: "Khách" }, dm("khach"), "/lich");
    await tg.waitForSent(lan.id, 1);
    await zl.waitForSent(hoaChat.id, 1);
    expect(fromWeb!.text).toContain("Lịch sắp tới:");
    expect(tg.sent(lan.id)[0]!.text).toContain("Lịch sắp tới:");
    expect(zl.sent(hoaChat.id)[0]!.text).toContain("Lịch sắp tới:");
  });

  it("joins a person's Zalo account to their Telegram account with /ketnoi", async () => {
    const tuan = tg.user({ firstName: "Tuấn", lastName: "Đặng Văn" });
    const tuanTg = tg.privateChat(tuan);
    tg.sendText(tuan, tuanTg, "/ketnoi");
    await tg.waitForSent(tuan.id, 1);
    tg.pressButton(tuan, tuanTg, tg.sent(tuan.id)[0]!.message_id, tg.sent(tuan.id)[0]!.buttons[0]!.data!); // consent
    const sent = await tg.waitForSent(tuan.id, (m) => /^\/ketnoi \S+$/.test(m.text ?? ""));
    const code = /^\/ketnoi (\S+)$/.exec(sent.at(-1)!.text!)![1]!;

    const tuanZl = zl.user({ displayName: "Tuấn Đặng" });
    const zlChat = zl.privateChat(tuanZl);
    zl.sendText(tuanZl, zlChat, `/ketnoi ${code}`);
    await zl.waitForSent(zlChat.id, 1);
    // A new account is asked for consent first, then joined.
    expect(zl.sent(zlChat.id)[0]!.text).toContain("Bạn có đồng ý không?");
    zl.sendText(tuanZl, zlChat, "1");
    await zl.waitForSent(zlChat.id, 3);
    expect(zl.sent(zlChat.id).map((m) => m.text).join("\n")).toContain("Đã kết nối");
    const viaTg = await app!.store.findPersonByIdentity(`tg:${tuan.id}`);
    const viaZl = await app!.store.findPersonByIdentity(`zalo:${tuanZl.id}`);
    expect(viaZl!.id).toBe(viaTg!.id);
  });

  it("answers after a restart what was received but not answered before a crash", async () => {
    // As if the process had stored this update and died before handling it.
    const minh = zl.user({ displayName: "Hoàng Văn Minh" });
    const chat = zl.privateChat(minh);
    zl.sendText(minh, chat, "xin chào"); // makes the chat known to Zalo
    await zl.waitForSent(chat.id, 1);
    await app!.stop();
    app = null;
    const lite = await import("../../src/infra/db/open.js").then((m) => m.openDatabase({ kind: "pglite", dataDir: dir }));
    await lite.prisma.inboundEvent.create({
      data: {
        key: "zalo:message.text.received:crashed-1",
        platform: "zalo",
        chatKey: `zalo:${chat.id}`,
        payload: { platform: "zalo", chatId: `zalo:${chat.id}`, chatKind: "private", userId: `zalo:${minh.id}`, userName: "Hoàng Văn Minh", text: "/lich", updateId: "zalo:message.text.received:crashed-1" },
      },
    });
    await lite.close();
    app = await start();
    await until(() => zl.sent(chat.id).length >= 2, 15_000, "the recovered answer");
    expect(zl.sent(chat.id)[1]!.text).toContain("Lịch sắp tới:");
    expect(await app.db.prisma.inboundEvent.count({ where: { handledAt: null } })).toBe(0);
  });
});

// A process start alone may take two minutes on a busy two-core machine (startBotProcess waits that long).
describe("npm start with TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT", { timeout: 240_000 }, () => {
  let tg: FakeTelegram;
  let dir: string;
  beforeAll(async () => {
    tg = await FakeTelegram.start();
    dir = await mkdtemp(path.join(tmpdir(), "thidua-env-"));
  });
  afterAll(async () => {
    await tg.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("talks to whatever Bot API server the environment names, and keeps the token out of its output", async () => {
    const bot = await startBotProcess({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, DATA_DIR: dir, SANDBOX: "on", LOG_LEVEL: "info" });
    try {
      const user = tg.user({ firstName: "An", lastName: "Nguyễn Văn" });
      tg.sendText(user, tg.privateChat(user), "/lich");
      const [answer] = await tg.waitForSent(user.id, 1, 30_000);
      expect(answer!.text).toContain("Lịch sắp tới:");
      expect(tg.calls.map((c) => c.method)).toEqual(expect.arrayContaining(["getMe", "setMyCommands", "deleteWebhook", "getUpdates", "sendMessage"]));
      expect(bot.output()).not.toContain(tg.token.split(":")[1]!);
    } finally {
      expect(await bot.kill("SIGTERM")).toBe(0);
    }
  });
});
