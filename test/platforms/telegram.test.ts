/**
 * The Telegram door under faults and at its edges, against the fake Bot API server:
 * forged and malformed webhooks, redelivered updates, 429 storms and outages while
 * answering, stale and foreign buttons, the bot removed from a group, a group migrated to
 * a supergroup, long texts, commands for other bots, the command menu, admin-only linking.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { telegramDoor } from "../contract/doors.js";
import { joined } from "../contract/door.js";
import { people, places } from "../contract/world.js";

const { an, cuong, giang } = people;
type TgDoor = Awaited<ReturnType<typeof telegramDoor>>;

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(backends())("Telegram by webhook on %s", (backend) => {
  let d: TgDoor;
  beforeAll(async () => {
    d = await telegramDoor(backend, "webhook");
    await d.prepareGroup(places.hcOfficers, [cuong]);
    await d.say(cuong, places.dm(cuong), "/start");
    await d.pick(cuong, places.dm(cuong), "Tôi đồng ý");
  });
  afterAll(async () => d?.stop());

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${d.app.url}/webhooks/telegram`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const events = () => d.app.db.prisma.inboundEvent.count();

  it("refuses forged, malformed and oversized webhook requests, processing nothing", async () => {
    const before = await events();
    const update = JSON.stringify({ update_id: 999_001, message: { message_id: 1, date: 1, chat: { id: 1, type: "private", first_name: "X" }, from: { id: 1, is_bot: false, first_name: "X" }, text: "/help" } });
    expect((await post(update, {})).status).toBe(401);
    expect((await post(update, { "x-telegram-bot-api-secret-token": "wrong" })).status).toBe(401);
    expect((await post(update, { "x-telegram-bot-api-secret-token": `${d.secret}x` })).status).toBe(401);
    const ok = { "x-telegram-bot-api-secret-token": d.secret };
    expect((await post("{not json", ok)).status).toBe(400);
    expect((await post(`[${update}]`, ok)).status).toBe(400);
    expect((await post(JSON.stringify({ message: {} }), ok)).status).toBe(400);
    expect((await post(JSON.stringify({ update_id: 1, pad: "x".repeat(1_100_000) }), ok)).status).toBe(413);
    expect(await events()).toBe(before);
  });

  it("handles a redelivered update once", async () => {
    const chat = d.chat(places.dm(giang), giang);
    const before = d.tg.sent(chat).length;
    const u = d.tg.sendText(d.user(giang), chat, "/lich");
    await until(async () => d.tg.sent(chat).length > before, 10_000, "the answer");
    d.tg.deliverAgain(u.update_id);
    await until(() => d.tg.pendingUpdateCount === 0);
    await d.app.idle();
    expect(d.tg.sent(chat).length - before).toBe(1);
    expect(await d.app.db.prisma.inboundEvent.count({ where: { key: `tg:${u.update_id}` } })).toBe(1);
  });

  it("keeps the answers through a 429 storm and sends them when Telegram allows", async () => {
    const chat = d.chat(places.dm(giang), giang);
    d.tg.failNext("sendMessage", { status: 429, retryAfter: 1 }, 3);
    const before = d.tg.sent(chat).length;
    const at = Date.now();
    expect(await d.say(giang, places.dm(giang), "/help")).toEqual([]);
    const queued = await d.app.db.prisma.outboxMessage.findFirstOrThrow({ where: { kind: "reply", status: "PENDING" } });
    expect(queued.notBefore.getTime()).toBeGreaterThanOrEqual(at + 900);
    // The worker obeys retry_after: nothing is sent before it, and the 429s are used up by retries.
    await until(async () => (await d.app.outbox.tick(), d.tg.sent(chat).length > before), 20_000, "the delivery");
    expect(Date.now() - at).toBeGreaterThanOrEqual(1000);
    expect(d.tg.sent(chat).slice(before).map((m) => m.text)[0]).toContain("Các lệnh dùng được ở đây");
    expect(d.tg.sent(chat).length - before).toBe(1);
  });

  it("answers after an outage in the middle of a dialog", async () => {
    const chat = d.chat(places.dm(giang), giang);
    await d.say(giang, places.dm(giang), "/baocao");
    await d.pick(giang, places.dm(giang), "Tôi đồng ý");
    const prompt = d.tg.sent(chat).filter((m) => m.buttons.length).at(-1)!;
    const before = d.tg.sent(chat).length;
    // Telegram fails as the bot answers, and stays down for a while.
    d.tg.failNext("sendMessage", { status: 502 }, 1);
    d.tg.pressButton(d.user(giang), chat, prompt.message_id, prompt.buttons.find((b) => b.text.startsWith("Đợt 2"))!.data!);
    await until(async () => (await d.app.db.prisma.outboxMessage.count({ where: { kind: "reply", status: "PENDING" } })) > 0, 10_000, "the queued reply");
    d.tg.down(true);
    try {
      await d.app.outbox.tick();
      expect(d.tg.sent(chat).length).toBe(before);
    } finally {
      d.tg.down(false);
    }
    // Both replies arrive, in order, paced at about one a second in a private chat.
    await until(async () => (await d.app.outbox.tick(), d.tg.sent(chat).length >= before + 2), 30_000, "the replies after the outage");
    const after = d.tg.sent(chat).slice(before).map((m) => m.text ?? "");
    expect(after[0]).toContain("Báo cáo Đợt 2 (hạn 10/01/2027 – mặc định, chưa được ấn định)");
    expect(after[1]).toContain("(1/6)");
    // The reply kept its place in the dialog: the officer goes on.
    expect(joined(await d.say(giang, places.dm(giang), "12"))).toContain("(2/6)");
    await d.say(giang, places.dm(giang), "/huy");
  });

  it("answers an old button and someone else's button politely, changing nothing", async () => {
    await d.say(giang, places.dm(giang), "/dangky");
    await d.pick(giang, places.dm(giang), "Thêm nội dung"); // a newer prompt replaces the menu
    expect(joined(await d.pressAgain!(giang, places.dm(giang), 1, "Thêm nội dung"))).toContain("Nút này đã cũ hoặc dành cho người khác");
    // In the officers' group, Cường (an officer) opens the registration of his unit; Giang,
    // who is no officer of it, presses his button: politely refused, nothing changes.
    expect(joined(await d.say(cuong, places.hcOfficers, "/dangky"))).toContain("Đăng ký thi đua năm 2026 của Công đoàn Tổng công ty Hóa chất Phương Bắc");
    expect(joined(await d.pick(giang, places.hcOfficers, "Thêm nội dung"))).toContain("Nút này đã cũ hoặc dành cho người khác");
    const hc = (await d.app.store.getUnitByCode("HC"))!;
    const campaign = (await d.app.store.listCampaigns())[0]!;
    expect((await d.app.store.getRegistration(hc.id, campaign.id))?.themes ?? []).toEqual([]);
    expect(await d.app.db.prisma.dialogState.findUnique({ where: { key: `${d.chatKey(places.hcOfficers)}|${d.userKey(giang)}` } })).toBeNull();
    await d.say(cuong, places.hcOfficers, "/huy");
  });

  it("ignores commands for other bots, and sends no HTML", async () => {
    expect(await d.say(cuong, places.hcOfficers, "/help@some_other_bot")).toEqual([]);
    expect(joined(await d.say(cuong, places.hcOfficers, `/help@${d.tg.bot.username}`))).toContain("Các lệnh dùng được ở đây");
    expect(d.tg.calls.filter((c) => c.method === "sendMessage").every((c) => c.params.parse_mode === undefined)).toBe(true);
  });

  it("registers the command menu in Vietnamese and English", async () => {
    expect(d.tg.commandsFor("")!.map((c) => c.command)).toEqual(expect.arrayContaining(["dangky", "baocao", "duyet", "lich", "huy"]));
    expect(d.tg.commandsFor("en")!.map((c) => c.command)).toEqual(expect.arrayContaining(["themes", "report", "review", "calendar", "cancel"]));
    expect(d.tg.commandsFor("")!.find((c) => c.command === "baocao")?.description).toBe("báo cáo kết quả đợt thi đua");
    expect(d.tg.commandsFor("", { type: "all_group_chats" })!.map((c) => c.command)).not.toContain("moi");
  });

  it("splits long texts under 4096 characters", async () => {
    const key = d.userKey(giang);
    const before = d.tg.sent(d.chat(places.dm(giang), giang)).length;
    await d.app.telegram!.send(key, { text: `${"Dòng thông báo dài.\n".repeat(600)}Hết.`, choices: [{ id: "x.0", label: "Đóng" }] });
    const parts = d.tg.sent(d.chat(places.dm(giang), giang)).slice(before);
    expect(parts.length).toBe(3);
    expect(parts.every((p) => (p.text ?? "").length <= 4096)).toBe(true);
    expect(parts.at(-1)!.buttons.map((b) => b.text)).toEqual(["Đóng"]);
    expect(parts.map((p) => p.text).join("\n")).toBe(`${"Dòng thông báo dài.\n".repeat(600)}Hết.`.trimEnd().replace(/\n$/, ""));
  });

  it("lets only a group's administrators link it", async () => {
    const grp = { id: "pa-officers", kind: "group", title: "Cán bộ Pin Ắc quy" } as const;
    await d.prepareGroup(grp, [an]); // An administers it, Giang does not
    await d.say(giang, places.dm(giang), "/moi");
    await d.pick(giang, places.dm(giang), "Mã liên kết nhóm cán bộ");
    const code = /\/lienket (\S+)/.exec(joined(await d.pick(giang, places.dm(giang), "Pin Ắc quy")))![1]!;
    expect(joined(await d.say(giang, grp, `/lienket ${code}`))).toBe("Chỉ quản trị viên của nhóm mới được liên kết nhóm với đơn vị.");
    d.tg.setAdmin(d.chat(grp), d.user(giang), true);
    // Nothing was linked (the refusal rolled back everything, even the chat's first sighting).
    expect((await d.app.store.getChat(d.chatKey(grp)))?.unitId ?? null).toBeNull();
  });

  it("marks a group the bot was removed from, and tells its officers privately", async () => {
    const group = d.chat(places.hcOfficers);
    d.tg.removeBotFromGroup(group, d.user(cuong));
    await until(async () => !(await d.app.store.getChat(d.chatKey(places.hcOfficers)))!.active, 10_000, "the chat marked inactive");
    const notice = "Bot đã bị gỡ khỏi nhóm “Cán bộ CĐ Hóa chất” của Công đoàn Tổng công ty Hóa chất Phương Bắc";
    await until(async () => (await d.app.outbox.tick(), joined(await d.replies(places.dm(cuong))).includes(notice)), 10_000, "the notice to the officer");
    d.tg.addBotToGroup(group, d.user(cuong));
    await until(async () => (await d.app.store.getChat(d.chatKey(places.hcOfficers)))!.active, 10_000, "the chat active again");
  });

  it("follows a group that became a supergroup", async () => {
    const basic = d.tg.group({ title: "Cán bộ Hóa chất (nhóm thường)", type: "group" });
    d.tg.addBotToGroup(basic, d.user(cuong));
    const old = `tg:${basic.id}`;
    const hc = (await d.app.store.getUnitByCode("HC"))!;
    await d.app.store.transaction(async (tx) => {
      const chat = await tx.upsertChat({ key: old, platform: "tg", kind: "group", title: basic.title, personId: null });
      await tx.linkChat(chat.id, hc.id, "MEMBERS", (await tx.findPersonByIdentity(d.userKey(cuong)))!.id, new Date());
    });
    const grown = d.tg.migrateGroup(basic, d.user(cuong));
    await until(async () => (await d.app.store.getChat(`tg:${grown.id}`)) !== null, 10_000, "the new id");
    expect((await d.app.store.getChat(`tg:${grown.id}`))).toMatchObject({ unitId: hc.id, purpose: "MEMBERS", active: true });
    // A message queued for the old id reaches the new one.
    await d.app.store.enqueue([{ key: "test:migrated", kind: "test", chatKey: old, text: "Gửi sau khi nhóm đổi mã" }]);
    // Paced like any send, it may be due a moment later than now: tick until it leaves.
    await until(
      async () => {
        await d.app.outbox.tick();
        return d.tg.sent(grown.id).some((m) => m.text === "Gửi sau khi nhóm đổi mã");
      },
      10_000,
      "the message at the new id",
    );
    expect(d.tg.sent(basic.id).map((m) => m.text)).not.toContain("Gửi sau khi nhóm đổi mã");
  });

  it("follows many groups migrating at once, whichever side of the migration arrives first", async () => {
    const hc = (await d.app.store.getUnitByCode("HC"))!;
    const officer = (await d.app.store.findPersonByIdentity(d.userKey(cuong)))!.id;
    const groups = [];
    for (let i = 0; i < 12; i++) {
      const basic = d.tg.group({ title: `Tổ Hóa chất ${i + 1}`, type: "group" });
      d.tg.addBotToGroup(basic, d.user(cuong));
      await d.app.store.transaction(async (tx) => {
        const chat = await tx.upsertChat({ key: `tg:${basic.id}`, platform: "tg", kind: "group", title: basic.title, personId: null });
        await tx.linkChat(chat.id, hc.id, "MEMBERS", officer, new Date());
      });
      groups.push(basic);
    }
    await until(() => d.tg.pendingUpdateCount === 0);
    await d.app.idle();
    // All at once, half of them reported new side first, each followed at once by a message
    // in the new group: every one must end linked under its new id, and only there.
    const grown = groups.map((basic, i) => d.tg.migrateGroup(basic, d.user(cuong), { newSideFirst: i % 2 === 0 }));
    grown.forEach((g) => d.tg.sendText(d.user(cuong), g, "/lich"));
    await until(() => d.tg.pendingUpdateCount === 0);
    await d.app.idle();
    for (const [i, g] of grown.entries()) {
      expect(await d.app.store.getChat(`tg:${g.id}`), `group ${i + 1}`).toMatchObject({ unitId: hc.id, purpose: "MEMBERS", active: true });
      const old = await d.app.store.getChat(`tg:${groups[i]!.id}`);
      expect(old === null || (!old.active && old.unitId === null), `old id of group ${i + 1}`).toBe(true);
      expect(await d.app.db.prisma.chat.count({ where: { key: { in: [`tg:${g.id}`, `tg:${groups[i]!.id}`] }, unitId: { not: null } } })).toBe(1);
    }
  });
});

describe.each(backends())("Telegram by polling on %s", (backend) => {
  let d: TgDoor;
  beforeAll(async () => {
    d = await telegramDoor(backend, "polling");
  });
  afterAll(async () => d?.stop());

  it("keeps polling through an outage and answers what was said meanwhile", async () => {
    const chat = d.chat(places.dm(giang), giang);
    d.tg.down(true);
    await new Promise((r) => setTimeout(r, 300));
    d.tg.sendText(d.user(giang), chat, "/lich");
    await new Promise((r) => setTimeout(r, 500));
    expect(d.tg.sent(chat)).toEqual([]);
    d.tg.down(false);
    await d.tg.waitForSent(chat, 1, 20_000);
    expect(d.tg.sent(chat)[0]!.text).toContain("Lịch sắp tới:");
  });

  it("answers a duplicate delivery once", async () => {
    const chat = d.chat(places.dm(an), an);
    const u = d.tg.sendText(d.user(an), chat, "/lich");
    await d.tg.waitForSent(chat, 1, 10_000);
    d.tg.deliverAgain(u.update_id);
    await until(() => d.tg.pendingUpdateCount === 0);
    await new Promise((r) => setTimeout(r, 300));
    await d.app.idle();
    expect(d.tg.sent(chat)).toHaveLength(1);
  });
});
