/**
 * A door whose platform cannot be reached at start-up, as an operator meets it: the bot
 * still starts within the wait, says in one line which platform is unreachable (never the
 * token), /readyz answers 503 naming the door, and once the platform answers the door
 * opens by itself, /readyz is 200 again and people are answered. Against the fake servers
 * (down: every call answers a gateway's 502 page) and, as a process, against a port where
 * nothing listens.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { FakeTelegram } from "../fakes/telegram-server.js";
import { FakeZalo } from "../fakes/zalo-server.js";
import { freePort, startBot } from "../contract/doors.js";
import type { TestDatabase } from "../support/database.js";
import { startBotProcess, type BotProcess } from "../support/process.js";

interface Readiness {
  ok: boolean;
  down: string[];
  doors: Record<string, { up: boolean; problem: string | null }>;
}

async function readyz(url: string): Promise<{ status: number; body: Readiness }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Log lines at warn level or above, parsed. */
const loud = (logs: string[]) => logs.map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.level === "warn" || l.level === "error");

// Process starts: up to two minutes each on a busy two-core machine (startBotProcess waits that long).
describe("a door that cannot reach its platform at start-up", { timeout: 240_000 }, () => {
  let stopAll: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stopAll.reverse()) await stop().catch(() => undefined);
    stopAll = [];
  });
  const started = (s: { app: App; db: TestDatabase }) => stopAll.push(() => s.app.stop(), () => s.db.drop());

  it("Telegram: starts anyway, says so in one line, is not ready, and opens once Telegram answers", async () => {
    const tg = await FakeTelegram.start();
    stopAll.push(() => tg.stop());
    tg.down(true);
    const s = await startBot("pglite", { sandbox: false, platformWaitMs: 500, telegram: { token: tg.token, apiRoot: tg.apiRoot, mode: "polling" } });
    started(s);

    const before = await readyz(s.app.url);
    expect(before.status).toBe(503);
    expect(before.body.down).toEqual(["telegram"]);
    expect(before.body.doors.telegram).toEqual({ up: false, problem: "network error" });
    const said = loud(s.logs);
    expect(said).toHaveLength(1);
    expect(said[0]!.msg).toBe("telegram cannot be reached at TELEGRAM_API_ROOT; retrying in the background");
    expect(s.logs.join("\n")).not.toContain(tg.token.split(":")[1]!);

    tg.down(false);
    await until(async () => (await readyz(s.app.url)).status === 200, 30_000, "/readyz to be 200");
    expect((await readyz(s.app.url)).body).toMatchObject({ ok: true, down: [], doors: { telegram: { up: true, problem: null } } });
    const person = tg.user({ firstName: "Giang", languageCode: "vi" });
    tg.sendText(person, tg.privateChat(person), "/help");
    await tg.waitForSent(tg.privateChat(person), 1, 20_000);
  });

  it("Zalo: starts anyway, says so in one line, is not ready, and polls once Zalo answers", async () => {
    const zl = await FakeZalo.start();
    stopAll.push(() => zl.stop());
    zl.down(true);
    const s = await startBot("pglite", { sandbox: false, platformWaitMs: 500, zalo: { token: zl.token, apiRoot: zl.apiRoot, mode: "polling" } });
    started(s);

    const before = await readyz(s.app.url);
    expect(before.status).toBe(503);
    expect(before.body.down).toEqual(["zalo"]);
    expect(before.body.doors.zalo!.up).toBe(false);
    expect(before.body.doors.zalo!.problem).toMatch(/^HTTP 502/);
    const said = loud(s.logs);
    expect(said).toHaveLength(1);
    expect(said[0]!.msg).toBe("zalo cannot be reached at ZALO_API_ROOT; retrying in the background");
    expect(s.logs.join("\n")).not.toContain(zl.token);

    zl.down(false);
    await until(async () => (await readyz(s.app.url)).status === 200, 30_000, "/readyz to be 200");
    const person = zl.user({ displayName: "Ngô Thị Giang" });
    const chat = zl.privateChat(person);
    zl.sendText(person, chat, "/help");
    await zl.waitForSent(chat.id, 1, 20_000);
  });

  it("as a process, with nothing listening at TELEGRAM_API_ROOT: ready within the wait, one line on stderr, /readyz 503", async () => {
    const port = await freePort();
    const token = "7000000001:AAF-secret-token-never-in-logs-0123";
    let bot: BotProcess | null = null;
    try {
      bot = await startBotProcess({ DATA_DIR: "memory://", TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: `http://127.0.0.1:${port}`, PLATFORM_WAIT_SECONDS: "1" }, 100_000);
      const r = await readyz(bot.url);
      expect(r.status).toBe(503);
      expect(r.body.down).toEqual(["telegram"]);
      const lines = bot.output().split("\n").filter((l) => l.startsWith("{"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("telegram cannot be reached at TELEGRAM_API_ROOT");
      expect(bot.output()).not.toContain("secret-token-never-in-logs");
    } finally {
      await bot?.kill("SIGTERM");
    }
  }, 150_000); // a process start migrates a fresh database: slow on a busy machine, and the old code never got ready at all
});
