/**
 * The Zalo door under faults and at its edges, against the fake Zalo Bot API server:
 * forged and malformed webhooks, redelivered events, content the bot cannot read, unknown
 * events, 429 and outages while answering, a refused token, long texts, and members who
 * follow a unit in a private chat.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { zaloDoor } from "../contract/doors.js";
import { joined } from "../contract/door.js";
import { people, places } from "../contract/world.js";

const { cuong, giang, minh } = people;
type ZDoor = Awaited<ReturnType<typeof zaloDoor>>;

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(backends())("Zalo by webhook on %s", (backend) => {
  let d: ZDoor;
  const secret = "zalo-webhook-secret-0123";
  beforeAll(async () => {
    d = await zaloDoor(backend, "webhook");
  });
  afterAll(async () => d?.stop());

  const post = (body: string, headers: Record<string, string>) => fetch(`${d.app.url}/webhooks/zalo`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

  it("refuses forged, malformed, array and oversized webhook bodies, processing nothing", async () => {
    const before = await d.app.db.prisma.inboundEvent.count();
    const event = JSON.stringify({ ok: true, result: { event_name: "message.text.received", message: { message_id: "m1", date: 1, from: { id: "1", display_name: "X" }, chat: { id: "1", chat_type: "PRIVATE" }, text: "/help" } } });
    expect((await post(event, {})).status).toBe(401);
    expect((await post(event, { "x-bot-api-secret-token": "not-the-secret" })).status).toBe(401);
    const ok = { "x-bot-api-secret-token": secret };
    expect((await post("{oops", ok)).status).toBe(400);
    expect((await post(`[${event}]`, ok)).status).toBe(400);
    expect((await post(JSON.stringify({ ok: true }), ok)).status).toBe(400);
    expect((await post(JSON.stringify({ result: { pad: "x".repeat(300_000) } }), ok)).status).toBe(413);
    expect(await d.app.db.prisma.inboundEvent.count()).toBe(before);
  });

  it("handles a redelivered event once", async () => {
    const chat = d.chat(places.dm(giang), giang);
    const e = d.zl.sendText(d.user(giang), chat, "/lich");
    await d.zl.waitForSent(chat.id, 1);
    d.zl.deliverAgain(e);
    await d.zl.settled();
    await d.app.idle();
    expect(d.zl.sent(chat.id)).toHaveLength(1);
  });

  it("says it reads text only, in private; ignores unknown events and group images", async () => {
    const chat = d.chat(places.dm(giang), giang);
    const before = d.zl.sent(chat.id).length;
    d.zl.sendImage(d.user(giang), chat, { url: "https://example.invalid/a.jpg" });
    d.zl.sendUnsupported(d.user(giang), chat);
    d.zl.sendUnknownEvent(d.user(giang), chat, "message.reaction.received");
    await d.zl.waitForSent(chat.id, before + 2);
    await d.zl.settled();
    await d.app.idle();
    const said = d.zl.sent(chat.id).slice(before).map((m) => m.text);
    expect(said).toEqual(["Bot chỉ đọc được tin nhắn chữ. Vui lòng gõ câu trả lời hoặc lệnh (ví dụ /help).", "Bot chỉ đọc được tin nhắn chữ. Vui lòng gõ câu trả lời hoặc lệnh (ví dụ /help)."]);
    const group = d.chat(places.hcOfficers);
    const inGroup = d.zl.sent(group.id).length;
    d.zl.sendSticker(d.user(cuong), group, "sticker-1");
    await d.zl.settled();
    await d.app.idle();
    expect(d.zl.sent(group.id)).toHaveLength(inGroup);
  });

  it("keeps replies through a 429 and an outage, and sends them when Zalo is back", async () => {
    const chat = d.chat(places.dm(giang), giang);
    const before = d.zl.sent(chat.id).length;
    d.zl.failNext("sendMessage", { status: 429 }, 1);
    d.zl.sendText(d.user(giang), chat, "/lich");
    await until(async () => (await d.app.db.prisma.outboxMessage.count({ where: { kind: "reply", status: "PENDING" } })) > 0, 10_000, "the queued reply");
    d.zl.down(true);
    try {
      await d.app.outbox.tick();
      expect(d.zl.sent(chat.id)).toHaveLength(before);
    } finally {
      d.zl.down(false);
    }
    await until(async () => (await d.app.outbox.tick(), d.zl.sent(chat.id).length > before), 30_000, "the delivery");
    expect(d.zl.sent(chat.id).at(-1)!.text).toContain("Lịch sắp tới:");
  });

  it("marks a chat that refused the bot (403) gone after one try, as Telegram's 403, instead of retrying it as a refused token", async () => {
    const group = d.chat(places.hcOfficers);
    const key = d.chatKey(places.hcOfficers);
    expect((await d.app.store.getChat(key))!.active).toBe(true);
    d.zl.block(group.id);
    try {
      await d.app.store.enqueue([{ key: "test:zalo-refused", kind: "announcement", chatKey: key, text: "Lịch trực Tết đã được gửi qua email." }]);
      const row = async () => d.app.db.prisma.outboxMessage.findUniqueOrThrow({ where: { key: "test:zalo-refused" } });
      await until(async () => (await d.app.outbox.tick(), d.zl.calls.some((c) => c.params.chat_id === group.id && c.status === 403)), 20_000, "the refused send");
      await until(async () => (await row()).status !== "SENDING", 10_000, "the refused send to be recorded");
      expect(await row()).toMatchObject({ status: "FAILED", attempts: 1 });
      expect((await d.app.store.getChat(key))!.active).toBe(false);
      await d.app.outbox.tick();
      expect(d.zl.calls.filter((c) => c.method === "sendMessage" && c.params.chat_id === group.id && c.status === 403)).toHaveLength(1);
    } finally {
      d.zl.block(group.id, false);
      await d.app.store.setChatActive(key, true);
    }
  });

  it("splits long texts under 2000 characters and numbers the choices", async () => {
    const chat = d.chat(places.dm(giang), giang);
    const before = d.zl.sent(chat.id).length;
    await d.app.zalo!.send(d.chatKey(places.dm(giang), giang), { text: "Thông báo rất dài. ".repeat(250), choices: [{ id: "a.0", label: "Đồng ý" }, { id: "a.1", label: "Không" }] });
    const parts = d.zl.sent(chat.id).slice(before);
    expect(parts.length).toBe(3);
    expect(parts.every((p) => p.text.length <= 2000)).toBe(true);
    expect(parts.at(-1)!.text.endsWith("\n\n1. Đồng ý\n2. Không")).toBe(true);
  });

  it("lets a member follow a unit privately with its code, receive its announcements, and stop", async () => {
    await d.say(giang, places.dm(giang), "/moi");
    await d.pick(giang, places.dm(giang), "Tôi đồng ý").catch(() => undefined);
    await d.pick(giang, places.dm(giang), "Mã cho đoàn viên theo dõi đơn vị");
    const code = /\/lienket (\S+)/.exec(joined(await d.pick(giang, places.dm(giang), "Pin Ắc quy")))![1]!;
    await d.say(minh, places.dm(minh), `/lienket ${code}`);
    expect(joined(await d.pick(minh, places.dm(minh), "Tôi đồng ý"))).toContain("Bạn đã đăng ký theo dõi Công đoàn Công ty CP Pin Ắc quy Phương Nam");

    await d.say(giang, places.dm(giang), "/thongbao");
    await d.pick(giang, places.dm(giang), "Đoàn viên");
    expect(joined(await d.say(giang, places.dm(giang), "Chiều thứ Sáu, đoàn viên tham gia ngày hội an toàn lao động."))).toContain("Sẽ gửi tới 1 nhóm/người nhận");
    await d.pick(giang, places.dm(giang), "Gửi thông báo");
    await d.app.outbox.tick();
    expect(joined(await d.replies(places.dm(minh)))).toContain("Chiều thứ Sáu, đoàn viên tham gia ngày hội an toàn lao động.");

    expect(joined(await d.say(minh, places.dm(minh), "/huy"))).toContain("Thôi nhận thông báo của đơn vị nào?");
    expect(joined(await d.pick(minh, places.dm(minh), "Pin Ắc quy"))).toContain("Bạn sẽ không nhận thông báo của Công đoàn Công ty CP Pin Ắc quy Phương Nam tại đây nữa.");
    expect(joined(await d.say(minh, places.dm(minh), "/huytheodoi"))).toBe("Bạn không theo dõi đơn vị nào tại đây.");
  });
});

describe.each(backends())("Zalo by polling on %s", (backend) => {
  let d: ZDoor;
  beforeAll(async () => {
    d = await zaloDoor(backend, "polling");
  });
  afterAll(async () => d?.stop());

  it("polls one call at a time, backs off through an outage, and answers what was said meanwhile", async () => {
    const chat = d.chat(places.dm(giang), giang);
    d.zl.down(true);
    d.zl.sendText(d.user(giang), chat, "/lich");
    await new Promise((r) => setTimeout(r, 1500));
    const duringOutage = d.zl.calls.filter((c) => c.method === "getUpdates" && c.status === 502).length;
    expect(duringOutage).toBeGreaterThanOrEqual(1);
    expect(duringOutage).toBeLessThanOrEqual(3); // backoff, not a busy loop
    d.zl.down(false);
    // Either the event waited in Zalo's queue, or it was taken and the reply queued in the outbox.
    await until(async () => (await d.app.outbox.tick(), d.zl.sent(chat.id).length > 0), 30_000, "the answer");
    expect(d.zl.sent(chat.id)[0]!.text).toContain("Lịch sắp tới:");
    expect(d.zl.stats().peakConcurrentPolls).toBe(1);
  });

  it("stops polling when the token is refused", async () => {
    d.zl.revokeToken();
    await until(() => d.zl.calls.some((c) => c.method === "getUpdates" && c.status === 401), 40_000, "a refused poll");
    const refused = d.zl.calls.filter((c) => c.method === "getUpdates").length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(d.zl.calls.filter((c) => c.method === "getUpdates").length).toBe(refused);
  });
});

describe("the zalo-webhook CLI command", () => {
  it("sets, shows and deletes Zalo's webhook for the operator", async () => {
    const { runCli } = await import("../../src/cli/cli.js");
    const { FakeZalo } = await import("../fakes/zalo-server.js");
    const zl = await FakeZalo.start();
    try {
      const env = { ZALO_BOT_TOKEN: zl.token, ZALO_API_ROOT: zl.apiRoot, ZALO_MODE: "webhook", ZALO_WEBHOOK_SECRET: "a-secret-of-16ch", PUBLIC_URL: "http://127.0.0.1:9" };
      const run = async (...argv: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await runCli(argv, env, (l) => out.push(l), (l) => err.push(l));
        return { code, out: out.join("\n"), err: err.join("\n") };
      };
      expect(await run("zalo-webhook", "info")).toMatchObject({ code: 0, out: "Zalo chưa có webhook: bot nhận tin bằng cách hỏi liên tục (polling)." });
      expect(await run("zalo-webhook", "set")).toMatchObject({ code: 0, out: "Đã đặt webhook Zalo: http://127.0.0.1:9/webhooks/zalo. Chạy bot với ZALO_MODE=webhook." });
      expect(zl.webhook).toEqual({ url: "http://127.0.0.1:9/webhooks/zalo", secret: "a-secret-of-16ch" });
      expect((await run("zalo-webhook", "info")).out).toContain("http://127.0.0.1:9/webhooks/zalo");
      expect((await run("zalo-webhook", "delete")).code).toBe(0);
      expect(zl.webhook).toBeNull();
      expect((await run("zalo-webhook", "frob")).code).toBe(2);
      expect(JSON.stringify(zl.calls)).not.toContain(zl.token);
    } finally {
      await zl.stop();
    }
  });
});
