/**
 * The fake Telegram server against real grammY and @grammyjs/runner: if these pass, the
 * fake speaks the Bot API well enough for the adapter's tests.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Bot, GrammyError, HttpError, InlineKeyboard, InputFile, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import { run } from "@grammyjs/runner";
import { FakeTelegram, type TgUser } from "./telegram-server.js";

let tg: FakeTelegram;
let an: TgUser;

beforeEach(async () => {
  tg = await FakeTelegram.start();
  an = tg.user({ firstName: "An", lastName: "Nguyễn Văn", username: "an_cd", languageCode: "vi" });
});
afterEach(async () => {
  await tg.stop();
});

const newBot = (timeoutSeconds?: number) => new Bot(tg.token, { client: { apiRoot: tg.apiRoot, ...(timeoutSeconds ? { timeoutSeconds } : {}) } });

async function grammyError(p: Promise<unknown>): Promise<GrammyError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof GrammyError)) throw new Error(`expected a GrammyError, got ${String(e)}`);
  return e;
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe("fake Telegram Bot API", () => {
  it("answers getMe for bot.init(), 401 for a wrong token, 404 for an unknown method", async () => {
    const bot = newBot();
    await bot.init();
    expect(bot.botInfo).toMatchObject({ id: tg.bot.id, is_bot: true, username: "thidua_test_bot" });
    const wrong = new Bot("1:wrong", { client: { apiRoot: tg.apiRoot } });
    expect(await grammyError(wrong.init())).toMatchObject({ error_code: 401, description: "Unauthorized" });
    expect(await grammyError(bot.api.raw.getChat({ chat_id: an.id }))).toMatchObject({ error_code: 404, description: "Not Found: method not found" });
  });

  it("delivers a button press to a runner, which answers it and edits the message", async () => {
    const bot = newBot();
    const pressed: string[] = [];
    bot.on("callback_query:data", async (ctx) => {
      pressed.push(ctx.callbackQuery.data);
      await ctx.answerCallbackQuery({ text: "Đã nhận" });
      await ctx.editMessageText("Đã chọn: đăng ký");
    });
    tg.sendText(an, an.id, "/start");
    const runner = run(bot);
    try {
      const menu = await bot.api.sendMessage(an.id, "Chọn việc:", { reply_markup: new InlineKeyboard().text("Đăng ký", "reg:1").text("Hủy", "cancel") });
      expect(tg.sent(an.id)[0]?.buttons).toEqual([{ text: "Đăng ký", data: "reg:1" }, { text: "Hủy", data: "cancel" }]);
      const press = tg.pressButton(an, an.id, menu.message_id, "reg:1");
      const [edit] = await tg.waitForSent(an.id, (m) => m.edited);
      expect(pressed).toEqual(["reg:1"]);
      expect(edit).toMatchObject({ method: "editMessageText", message_id: menu.message_id, text: "Đã chọn: đăng ký", buttons: [] });
      expect(tg.callbackAnswers).toMatchObject([{ callback_query_id: press.callback_query?.id, text: "Đã nhận" }]);
      // An answered query cannot be answered again; the keyboard is gone, so is the button.
      expect((await grammyError(bot.api.answerCallbackQuery(press.callback_query?.id ?? ""))).description).toMatch(/query is too old/);
      expect(() => tg.pressButton(an, an.id, menu.message_id, "reg:1")).toThrow(/no button "reg:1"/);
    } finally {
      await runner.stop();
    }
  });

  it("bot.start() gets commands with entities, and a duplicate delivery has the same update_id", async () => {
    const bot = newBot();
    const seen: number[] = [];
    bot.command("lienket", async (ctx) => {
      seen.push(ctx.update.update_id);
      await ctx.reply(`Mã: ${ctx.match}`);
    });
    const u = tg.sendText(an, an.id, "/lienket@thidua_test_bot ABC123");
    expect(u.message?.entities).toEqual([{ type: "bot_command", offset: 0, length: "/lienket@thidua_test_bot".length }]);
    const polling = bot.start();
    await tg.waitForSent(an.id, 1);
    tg.deliverAgain(u.update_id);
    const replies = await tg.waitForSent(an.id, 2);
    expect(replies.map((m) => m.text)).toEqual(["Mã: ABC123", "Mã: ABC123"]);
    expect(seen).toEqual([u.update_id, u.update_id]);
    await bot.stop();
    await polling;
    // grammY: deleteWebhook first, then long polls of 30 s, allowed_updates [] on the first one only.
    const polls = tg.calls.filter((c) => c.method === "getUpdates");
    expect(tg.calls.some((c) => c.method === "deleteWebhook")).toBe(true);
    expect(polls[0]?.params).toMatchObject({ timeout: 30, allowed_updates: [] });
    expect(polls.at(-1)?.params).toEqual({ offset: u.update_id + 1, limit: 1 });
  });

  it("holds getUpdates until an update arrives, forgets confirmed ones, times out empty", async () => {
    const bot = newBot();
    const t0 = Date.now();
    setTimeout(() => tg.sendText(an, an.id, "xin chào"), 300);
    const updates = await bot.api.getUpdates({ timeout: 5 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(updates.map((x) => x.message?.text)).toEqual(["xin chào"]);
    const offset = (updates[0]?.update_id ?? 0) + 1;
    expect(await bot.api.getUpdates({ offset: 0, timeout: 0 })).toHaveLength(1); // not confirmed yet
    const t1 = Date.now();
    expect(await bot.api.getUpdates({ offset, timeout: 1 })).toEqual([]);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(900);
    expect(tg.pendingUpdateCount).toBe(0);
  });

  it("POSTs updates to a webhook with the secret header, retrying a failed delivery", async () => {
    const received: { secret: string | undefined; update: Update }[] = [];
    let fail = 1;
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        received.push({ secret: req.headers["x-telegram-bot-api-secret-token"] as string | undefined, update: JSON.parse(body) as Update });
        res.writeHead(fail-- > 0 ? 500 : 200).end();
      });
    });
    const url = await listen(server);
    try {
      const bot = newBot();
      expect(await grammyError(bot.api.setWebhook(`${url}/tg`, { secret_token: "khong hop le!" }))).toMatchObject({ description: "Bad Request: secret token contains unallowed characters" });
      await bot.api.setWebhook(`${url}/tg`, { secret_token: "s3cret_Token-1" });
      expect(tg.webhook).toMatchObject({ url: `${url}/tg`, secret: "s3cret_Token-1" });
      expect(await grammyError(bot.api.getUpdates())).toMatchObject({ error_code: 409 });
      const u = tg.sendText(an, an.id, "/start");
      await vi.waitFor(() => expect(tg.deliveries.map((d) => [d.update_id, d.attempt, d.status])).toEqual([[u.update_id, 1, 500], [u.update_id, 2, 200]]), { timeout: 3000 });
      expect(received.map((r) => r.secret)).toEqual(["s3cret_Token-1", "s3cret_Token-1"]);
      expect(received[1]?.update).toEqual(u);
      expect(await bot.api.getWebhookInfo()).toMatchObject({ url: `${url}/tg`, pending_update_count: 0, last_error_message: "Wrong response from the webhook: 500 Internal Server Error" });
      await bot.api.deleteWebhook();
      expect(await bot.api.getUpdates({ timeout: 0 })).toEqual([]);
    } finally {
      await close(server);
    }
  });

  it("drives grammY's own webhookCallback", async () => {
    const bot = newBot();
    bot.command("start", (ctx) => ctx.reply("Chào anh An"));
    await bot.init();
    const server = http.createServer(webhookCallback(bot, "http", { secretToken: "abc" }));
    const url = await listen(server);
    try {
      await bot.api.setWebhook(url, { secret_token: "abc" });
      tg.sendText(an, an.id, "/start");
      const [reply] = await tg.waitForSent(an.id, 1);
      expect(reply?.text).toBe("Chào anh An");
      await vi.waitFor(() => expect(tg.deliveries.map((d) => d.status)).toEqual([200]));
    } finally {
      await close(server);
    }
  });

  it("injects 429, 500, 502, resets and hangs", async () => {
    const bot = newBot(1);
    tg.sendText(an, an.id, "/start");
    tg.failNext("sendMessage", { status: 429, retryAfter: 7 });
    const flood = await grammyError(bot.api.sendMessage(an.id, "một"));
    expect(flood).toMatchObject({ error_code: 429, description: "Too Many Requests: retry after 7", parameters: { retry_after: 7 } });
    tg.failNext("sendMessage", { status: 500 });
    expect((await grammyError(bot.api.sendMessage(an.id, "một"))).error_code).toBe(500);
    tg.failNext("sendMessage", { status: 502 });
    await expect(bot.api.sendMessage(an.id, "một")).rejects.toBeInstanceOf(HttpError); // nginx HTML, not JSON
    tg.failNext("sendMessage", { reset: true });
    await expect(bot.api.sendMessage(an.id, "một")).rejects.toBeInstanceOf(HttpError);
    expect(tg.sent()).toEqual([]);
    // Telegram sent it but the answer never came: the client times out (1 s here).
    tg.failNext("sendMessage", { hangMs: 5000, performed: true });
    const late = await bot.api.sendMessage(an.id, "hai").catch((e: unknown) => e);
    expect(late).toBeInstanceOf(HttpError);
    expect(String((late as HttpError).error)).toMatch(/Request to 'sendMessage' timed out after 1 seconds/);
    expect(tg.sent().map((m) => m.text)).toEqual(["hai"]);
    tg.down(true);
    await expect(bot.api.getMe()).rejects.toBeInstanceOf(HttpError);
    tg.down(false);
    await bot.api.sendMessage(an.id, "ba");
    expect(tg.calls.filter((c) => c.method === "sendMessage").map((c) => c.status)).toEqual([429, 500, 502, 0, 0, 200]);
  });

  it("answers 403 where the bot may not write, and reports its membership", async () => {
    const bot = newBot();
    const chi = tg.user({ firstName: "Chi" });
    expect((await grammyError(bot.api.sendMessage(chi.id, "x"))).description).toBe("Forbidden: bot can't initiate conversation with a user");
    expect((await grammyError(bot.api.sendMessage(987654321, "x"))).description).toBe("Bad Request: chat not found");
    const g = tg.group({ title: "Nhóm cán bộ", creator: an });
    expect(await grammyError(bot.api.sendMessage(g.id, "x"))).toMatchObject({ error_code: 403, description: "Forbidden: bot is not a member of the group chat" });
    const added = tg.addBotToGroup(g, an);
    expect(added.my_chat_member).toMatchObject({ from: { id: an.id }, old_chat_member: { status: "left" }, new_chat_member: { status: "member", user: { id: tg.bot.id } } });
    await bot.api.sendMessage(g.id, "Chào cả nhóm");
    expect(await bot.api.getChatMember(g.id, an.id)).toMatchObject({ status: "creator" });
    tg.setAdmin(g, chi, true);
    expect(await bot.api.getChatMember(g.id, chi.id)).toMatchObject({ status: "administrator" });
    tg.removeBotFromGroup(g, an);
    expect(await grammyError(bot.api.sendMessage(g.id, "x"))).toMatchObject({ error_code: 403, description: "Forbidden: bot was kicked from the group chat" });
    const kinds = (await bot.api.getUpdates()).map((x) => (x.my_chat_member ? `my_chat_member:${x.my_chat_member.new_chat_member.status}` : x.message?.new_chat_members ? "new_chat_members" : "?"));
    expect(kinds).toEqual(["my_chat_member:member", "new_chat_members", "my_chat_member:kicked"]);
    tg.sendText(an, an.id, "/start");
    tg.blockBot(an);
    expect((await grammyError(bot.api.sendMessage(an.id, "x"))).description).toBe("Forbidden: bot was blocked by the user");
  });

  it("refuses sends to a migrated group with migrate_to_chat_id", async () => {
    const bot = newBot();
    const g = tg.group({ title: "Công đoàn Công ty A", creator: an });
    tg.addBotToGroup(g, an);
    const sg = tg.migrateGroup(g);
    expect(String(sg.id)).toMatch(/^-100\d+$/);
    const err = await grammyError(bot.api.sendMessage(g.id, "x"));
    expect(err).toMatchObject({ error_code: 400, description: "Bad Request: group chat was upgraded to a supergroup chat", parameters: { migrate_to_chat_id: sg.id } });
    await bot.api.sendMessage(sg.id, "Chào nhóm mới");
    const messages = (await bot.api.getUpdates()).flatMap((x) => (x.message ? [x.message] : []));
    expect(messages.filter((m) => m.migrate_to_chat_id !== undefined || m.migrate_from_chat_id !== undefined)).toMatchObject([
      { chat: { id: g.id }, migrate_to_chat_id: sg.id },
      { chat: { id: sg.id, type: "supergroup" }, migrate_from_chat_id: g.id },
    ]);
  });

  it("parses document uploads from grammY's multipart, keeps file names and bytes", async () => {
    const bot = newBot();
    tg.sendText(an, an.id, "/xuat");
    const msg = await bot.api.sendDocument(an.id, new InputFile(Buffer.from("xin chào"), "bao-cao.xlsx"), { caption: "Báo cáo <b>quý 1</b>", parse_mode: "HTML" });
    const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    expect(msg.document).toMatchObject({ file_name: "bao-cao.xlsx", file_size: Buffer.byteLength("xin chào"), mime_type: xlsx });
    expect(msg.caption).toBe("Báo cáo quý 1");
    const [sent] = tg.sent(an.id);
    expect(sent?.document).toMatchObject({ filename: "bao-cao.xlsx", size: 9, mime: xlsx }); // "à" is 2 bytes
    expect(sent?.document?.bytes.toString("utf8")).toBe("xin chào");
    // Unquoted, non-ASCII, with a ";" — grammY sends it raw.
    const odd = await bot.api.sendDocument(an.id, new InputFile(Buffer.from("a;b\n"), "Báo cáo; tháng 5.csv"));
    expect(odd.document).toMatchObject({ file_name: "Báo cáo; tháng 5.csv", mime_type: "text/csv" });
    const again = await bot.api.sendDocument(an.id, msg.document?.file_id ?? "");
    expect(again.document?.file_id).toBe(msg.document?.file_id);
    const call = tg.calls.find((c) => c.method === "sendDocument");
    expect(call?.params).toMatchObject({ chat_id: String(an.id), document: { filename: "bao-cao.xlsx", size: 9 } });
  });

  it("validates texts, keyboards and parse modes like Telegram", async () => {
    const bot = newBot();
    tg.sendText(an, an.id, "/start");
    expect((await grammyError(bot.api.sendMessage(an.id, " "))).description).toBe("Bad Request: message text is empty");
    expect((await grammyError(bot.api.sendMessage(an.id, "a".repeat(4097)))).description).toBe("Bad Request: message is too long");
    await bot.api.sendMessage(an.id, "ă".repeat(4096));
    // 33 Vietnamese letters are 66 bytes: too long for callback_data.
    const tooLong = new InlineKeyboard().text("Đăng ký", "đ".repeat(33));
    expect((await grammyError(bot.api.sendMessage(an.id, "x", { reply_markup: tooLong }))).description).toBe("Bad Request: BUTTON_DATA_INVALID");
    expect((await grammyError(bot.api.sendMessage(an.id, "Chào <Anh Ba>", { parse_mode: "HTML" }))).description).toMatch(/^Bad Request: can't parse entities: Unsupported start tag "anh"/);
    expect((await grammyError(bot.api.sendMessage(an.id, "Hạn 30.06", { parse_mode: "MarkdownV2" }))).description).toMatch(/Character '\.' is reserved/);
    const m = await bot.api.sendMessage(an.id, "<b>Hạn</b> 30/06", { parse_mode: "HTML" });
    expect(m).toMatchObject({ text: "Hạn 30/06", entities: [{ type: "bold", offset: 0, length: 3 }] });
    expect((await grammyError(bot.api.editMessageText(an.id, m.message_id, "<b>Hạn</b> 30/06", { parse_mode: "HTML" }))).description).toMatch(/^Bad Request: message is not modified/);
  });

  it("keeps commands per language and scope", async () => {
    const bot = newBot();
    const viCommands = [{ command: "start", description: "Bắt đầu" }, { command: "baocao", description: "Báo cáo giai đoạn" }];
    const en = [{ command: "start", description: "Start" }, { command: "report", description: "Report a phase" }];
    await bot.api.setMyCommands(viCommands);
    await bot.api.setMyCommands(en, { language_code: "en" });
    await bot.api.setMyCommands([{ command: "tiendo", description: "Tiến độ" }], { scope: { type: "all_group_chats" } });
    expect(tg.commandsFor()).toEqual(viCommands);
    expect(tg.commandsFor("en")).toEqual(en);
    expect(tg.commandsFor("", { type: "all_group_chats" })).toEqual([{ command: "tiendo", description: "Tiến độ" }]);
    expect(await bot.api.getMyCommands({ language_code: "en" })).toEqual(en);
    expect((await grammyError(bot.api.setMyCommands([{ command: "BaoCao", description: "x" }]))).description).toBe("Bad Request: BOT_COMMAND_INVALID");
    await bot.api.deleteMyCommands({ language_code: "en" });
    expect(tg.commandsFor("en")).toBeUndefined();
    expect(tg.commands).toHaveLength(2);
  });

  it("limits model: the 21st message into a group within a minute gets 429", async () => {
    const bot = newBot();
    tg.enforceLimits({ scale: 1 });
    const g = tg.group({ title: "Nhóm đoàn viên", type: "supergroup", creator: an });
    tg.addBotToGroup(g, an);
    for (let i = 1; i <= 20; i++) await bot.api.sendMessage(g.id, `Tin ${i}`);
    const err = await grammyError(bot.api.sendMessage(g.id, "Tin 21"));
    expect(err.error_code).toBe(429);
    expect(err.parameters.retry_after).toBeGreaterThanOrEqual(59);
    expect(err.parameters.retry_after).toBeLessThanOrEqual(60);
    // A private chat: one a second.
    tg.sendText(an, an.id, "/start");
    await bot.api.sendMessage(an.id, "riêng 1");
    expect((await grammyError(bot.api.sendMessage(an.id, "riêng 2"))).parameters.retry_after).toBe(1);
    expect(tg.stats()).toEqual({
      sentOk: 21,
      rejected429: 2,
      byChat: { [String(g.id)]: { sentOk: 20, rejected429: 1 }, [String(an.id)]: { sentOk: 1, rejected429: 1 } },
    });
  });
});
