/**
 * Crashes: the bot is killed with SIGKILL in the middle of a dialog and started again on
 * the same database; the officer carries on where they were, and nothing is lost.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { backends, createTestDatabase, type TestDatabase } from "../support/database.js";
import { startBotProcess, type BotProcess } from "../support/process.js";
import { SandboxClient, dm, text } from "../support/sandbox-client.js";
import { hai } from "../support/demo-people.js";

// Process starts: up to two minutes each on a busy two-core machine (startBotProcess waits that long).
describe.each(backends())("a process killed mid-dialog on %s", { timeout: 240_000 }, (backend) => {
  let dir = "";
  let db: TestDatabase | null = null;
  let bot: BotProcess | null = null;
  afterAll(async () => {
    if (bot) await bot.kill("SIGKILL");
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function env(): Promise<Record<string, string>> {
    if (backend === "pglite") {
      dir ||= await mkdtemp(path.join(tmpdir(), "thidua-restart-"));
      return { DATA_DIR: dir };
    }
    db ??= await createTestDatabase("postgres");
    return { DATABASE_URL: (db.config as { url: string }).url };
  }

  it("continues the report after a restart", async () => {
    bot = await startBotProcess(await env());
    let client = new SandboxClient(bot.url);
    const chat = dm(hai.userId);
    await client.say(hai, chat, "/baocao");
    await client.pick(hai, chat, "Tôi đồng ý");
    expect(text(await client.pick(hai, chat, "Đợt 2"))).toContain("(1/6)");
    await client.say(hai, chat, "2000");
    expect(text(await client.say(hai, chat, "15"))).toContain("(3/6)");

    expect(await bot.kill("SIGKILL")).toBe("SIGKILL");
    bot = await startBotProcess(await env());
    client = new SandboxClient(bot.url);

    // The transcript survived, and the dialog is still on the third figure.
    expect(text(await client.messages(chat.chatId))).toContain("(3/6)");
    expect(text(await client.say(hai, chat, "500000000"))).toContain("(4/6)");
    for (const n of ["0", "2", "30"]) await client.say(hai, chat, n);
    const summary = text(await client.say(hai, chat, "Đợt 2 dệt may vượt kế hoạch xuất khẩu 12%."));
    expect(summary).toContain("Lượt người tham gia: 2.000");
    expect(summary).toContain("Giá trị làm lợi của sáng kiến: 500.000.000 đồng");
    expect(text(await client.pick(hai, chat, "Gửi báo cáo"))).toContain("Đã gửi báo cáo Đợt 2 của Công đoàn Công ty Dệt may Thăng Long");
    expect(await bot.kill("SIGTERM")).toBe(0);
    bot = null;
  });
});
