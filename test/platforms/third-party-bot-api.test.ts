/**
 * `npm start` against a Bot API server the project did not write: telegram-test-api, an
 * independent emulator of the Telegram Bot API (its own update store, its own answers, no
 * long polling, no setMyCommands). The bot must not depend on quirks of the project's own
 * fake: a person writes to it, presses a button, and gets answers.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { TelegramServer } from "telegram-test-api/lib/telegramServer.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBotProcess } from "../support/process.js";

const TOKEN = "4242424242:AAHthirdPartyServerTestToken_0123456789";

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

interface BotReply {
  message: { chat_id: number | string; text: string; reply_markup?: { inline_keyboard?: { text: string; callback_data?: string }[][] } };
}

// Process starts: up to two minutes each on a busy two-core machine (startBotProcess waits that long).
describe("npm start against telegram-test-api, a third-party Bot API server", { timeout: 240_000 }, () => {
  let server: TelegramServer;
  let apiRoot: string;
  let dir: string;
  beforeAll(async () => {
    const port = await freePort();
    apiRoot = `http://127.0.0.1:${port}`;
    server = new TelegramServer({ port, host: "127.0.0.1", storage: "RAM", storeTimeout: 600 });
    await server.start();
    dir = await mkdtemp(path.join(tmpdir(), "thidua-tta-"));
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers a command and a button press, and keeps the token out of its output", async () => {
    const bot = await startBotProcess({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: apiRoot, DATA_DIR: dir, SANDBOX: "off", LOG_LEVEL: "info" });
    try {
      const client = server.getClient(TOKEN, { userId: 5101, chatId: 5101, firstName: "An", userName: "an_nguyen", timeout: 20_000 });
      const replies = async (n: number): Promise<BotReply[]> => {
        const deadline = Date.now() + 20_000;
        for (;;) {
          const history = (await client.getUpdatesHistory()) as unknown as (BotReply | { updateId: number })[];
          const fromBot = history.filter((h): h is BotReply => "message" in h && typeof (h as BotReply).message.text === "string" && "chat_id" in (h as BotReply).message);
          if (fromBot.length >= n || Date.now() > deadline) return fromBot;
          await new Promise((r) => setTimeout(r, 100));
        }
      };

      await client.sendCommand(client.makeCommand("/lich"));
      const [calendar] = await replies(1);
      expect(calendar?.message.text).toContain("Lịch sắp tới:");

      // /start asks for consent with an inline keyboard; the press comes back as a callback query.
      await client.sendCommand(client.makeCommand("/start"));
      const notice = (await replies(2))[1]!;
      expect(notice.message.text).toContain("Bạn có đồng ý không?");
      const agree = notice.message.reply_markup?.inline_keyboard?.flat().find((b) => b.text === "Tôi đồng ý");
      expect(agree?.callback_data).toBeTruthy();
      await client.sendCallback(client.makeCallbackQuery(agree!.callback_data!, { message: { message_id: Number((notice as { messageId?: number }).messageId ?? 0) } }));
      const thanks = (await replies(3))[2];
      expect(thanks?.message.text).toContain("Cảm ơn bạn, đã ghi nhận sự đồng ý.");

      expect(bot.output()).not.toContain(TOKEN.split(":")[1]!);
    } finally {
      expect(await bot.kill("SIGTERM")).toBe(0);
    }
  });
});
