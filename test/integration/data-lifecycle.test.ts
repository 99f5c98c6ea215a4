/**
 * Personal data has a lifecycle: what a person typed and what the bot answered is kept
 * only as long as dedupe and crash recovery need it, no invite or link code is ever stored
 * in plaintext, and erasure leaves nothing of the person anywhere in the database — every
 * text and JSON column of every table is searched for their name, their words, their
 * platform id and the codes they saw or used.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { telegramDoor } from "../contract/doors.js";
import { joined } from "../contract/door.js";
import { people, places } from "../contract/world.js";
import { Prisma, type PrismaClient } from "../../src/generated/prisma/client.ts";
import { normaliseCode, REDACTED_CODE } from "../../src/core/codes.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dm, group, text } from "../support/sandbox-client.js";
import { FILE_KEEP_DAYS, HANDLED_KEEP_HOURS, OUTBOX_KEEP_DAYS } from "../../src/core/limits.js";

const { giang } = people;
const zeph = { id: "zeph", name: "Quách Zephyrine Thịnh" };
const WORDS = "Bánh chưng xanh Quyzzbekova lục lạc";
const GROUP_WORDS = "Tiếng trống Xylofontrix giữa trưa";
type TgDoor = Awaited<ReturnType<typeof telegramDoor>>;

/** Every (table, column) of the database whose text form contains `needle`, case-insensitively. */
async function findEverywhere(prisma: PrismaClient, needle: string): Promise<string[]> {
  const columns = await prisma.$queryRawUnsafe<{ table_name: string; column_name: string }[]>(
    `SELECT table_name::text, column_name::text FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name IN (SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')
      ORDER BY table_name, column_name`,
  );
  expect(columns.length).toBeGreaterThan(100);
  const hits: string[] = [];
  for (const c of columns) {
    const rows = await prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "${c.table_name}" WHERE "${c.column_name}"::text ILIKE $1`, `%${needle}%`);
    if (Number(rows[0]!.n) > 0) hits.push(`${c.table_name}.${c.column_name}`);
  }
  return hits;
}

function codeIn(text: string): string {
  const m = /\/(?:lienket|link|ketnoi|connect) ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(text);
  if (!m) throw new Error(`no code in: ${text}`);
  return m[1]!;
}

describe.each(backends())("personal data lifecycle on %s", (backend) => {
  let d: TgDoor;
  beforeAll(async () => {
    d = await telegramDoor(backend, "webhook");
  }, 120_000);
  afterAll(async () => d?.stop());

  const prisma = () => d.app.db.prisma;
  const codes: string[] = [];

  it("stores no code in plaintext, and keeps no payload or reply once an update is handled", async () => {
    await d.say(giang, places.dm(giang), "/start");
    await d.pick(giang, places.dm(giang), "Tôi đồng ý");
    await d.say(giang, places.dm(giang), "/moi");
    await d.pick(giang, places.dm(giang), "Mã cho đoàn viên theo dõi đơn vị");
    codes.push(codeIn(joined(await d.pick(giang, places.dm(giang), "Pin Ắc quy"))));
    await d.say(zeph, places.dm(zeph), "/start");
    await d.pick(zeph, places.dm(zeph), "Tôi đồng ý");
    expect(joined(await d.say(zeph, places.dm(zeph), `/lienket ${codes[0]}`))).toContain("Pin Ắc quy");
    codes.push(codeIn(joined(await d.say(zeph, places.dm(zeph), "/ketnoi"))));
    await d.app.idle();
    for (const code of codes) {
      expect(await findEverywhere(prisma(), code)).toEqual([]);
      expect(await findEverywhere(prisma(), normaliseCode(code)!)).toEqual([]);
    }
    expect(await prisma().inboundEvent.count({ where: { handledAt: { not: null }, NOT: { payload: { equals: Prisma.DbNull } } } })).toBe(0);
    expect(await prisma().inboundEvent.count({ where: { handledAt: null } })).toBe(0);
    const kept = await prisma().processedUpdate.findMany({ where: { key: { startsWith: "tg:" } }, select: { replies: true } });
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.filter((k) => k.replies !== null)).toEqual([]);
  });

  it("erases a person from every table: name, words, platform id and the codes they used", async () => {
    const paMembers = { id: "pa-members", kind: "group", title: "Đoàn viên CĐCS Pin Ắc quy" } as const;
    await d.prepareGroup(paMembers, [giang]);
    await d.say(zeph, places.dm(zeph), WORDS);
    await d.say(zeph, paMembers, GROUP_WORDS);
    const platformId = String(d.user(zeph).id);
    expect(await findEverywhere(prisma(), "Zephyrine")).not.toEqual([]);
    await d.say(zeph, places.dm(zeph), "/dulieu");
    await d.pick(zeph, places.dm(zeph), "Xóa dữ liệu của tôi");
    expect(joined(await d.pick(zeph, places.dm(zeph), "Xóa vĩnh viễn"))).toContain("Đã xóa dữ liệu cá nhân của bạn");
    await d.app.idle();
    const found: Record<string, string[]> = {};
    for (const needle of ["Zephyrine", "Quyzzbekova", "Xylofontrix", platformId, ...codes, ...codes.map((c) => normaliseCode(c)!)]) {
      const hits = await findEverywhere(prisma(), needle);
      if (hits.length) found[needle] = hits;
    }
    expect(found).toEqual({});
    // The person is gone, the unit's audit trail remains under the opaque person id.
    expect(await prisma().auditEvent.count({ where: { action: "person.erased" } })).toBe(1);
  });

  it("keeps the replies of an update not yet delivered with any code in them redacted", async () => {
    const code = "K7QM-4XZD-9RTA";
    await d.app.store.transaction(async (tx) => {
      expect(await tx.claimUpdate("tg:kept-reply", d.clock.now())).toBeNull();
      await tx.saveUpdateReplies("tg:kept-reply", [{ text: "Mã mời mới:" }, { text: `/lienket ${code}` }]);
    });
    const kept = await prisma().processedUpdate.findUniqueOrThrow({ where: { key: "tg:kept-reply" } });
    expect(kept.replies).toEqual([{ text: "Mã mời mới:" }, { text: `/lienket ${REDACTED_CODE}` }]);
    expect(await findEverywhere(prisma(), code)).toEqual([]);
  });

  it("purges handled updates after the keeping window; a redelivery inside it is still applied once", async () => {
    const chat = d.chat(places.dm(giang), giang);
    const before = d.tg.sent(chat).length;
    const u = d.tg.sendText(d.user(giang), chat, "/lich");
    await d.say(giang, places.dm(giang), "/help");
    const answered = d.tg.sent(chat).length;
    expect(answered).toBeGreaterThan(before);
    // Inside the window: the housekeeping keeps the key, the redelivery is recognised.
    d.clock.advance((HANDLED_KEEP_HOURS - 1) * 3_600_000);
    await d.app.housekeeping();
    d.tg.deliverAgain(u.update_id);
    await d.say(giang, places.dm(giang), "/help");
    const lich = d.tg.sent(chat).slice(before).filter((m) => (m.text ?? "").includes("Lịch sắp tới"));
    expect(lich.length).toBe(1);
    expect(await prisma().inboundEvent.count({ where: { key: `tg:${u.update_id}` } })).toBe(1);
    expect(await prisma().processedUpdate.count({ where: { key: `tg:${u.update_id}` } })).toBe(1);
    // Past the window: nothing of it is kept.
    d.clock.advance(2 * 3_600_000);
    await d.app.housekeeping();
    expect(await prisma().inboundEvent.count({ where: { key: `tg:${u.update_id}` } })).toBe(0);
    expect(await prisma().processedUpdate.count({ where: { key: `tg:${u.update_id}` } })).toBe(0);
    expect(await prisma().inboundEvent.count({ where: { receivedAt: { lt: new Date(d.clock.now().getTime() - HANDLED_KEEP_HOURS * 3_600_000) } } })).toBe(0);
  });

  // The outbox's lifecycle (on the same bot: these tests make their own people and rows).
  // On the app's clock, which the housekeeping reads.
  const daysAgo = (days: number) => new Date(d.clock.now().getTime() - days * 86_400_000);

  it("keeps a reply that waited in the outbox only until it is sent", async () => {
    const lua = { id: "lua-outbox", name: "Đinh Thị Lụa Xuyênkhung" };
    const chat = d.chat(places.dm(lua), lua);
    d.tg.failNext("sendMessage", { status: 502 }, 1, { chatId: chat.id });
    await d.say(lua, places.dm(lua), "/start");
    const waiting = await prisma().outboxMessage.findMany({ where: { kind: "reply", chatKey: `tg:${chat.id}` } });
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((r) => r.status === "PENDING" && r.text.length > 0)).toBe(true);
    await d.deliverOutbox();
    expect(d.tg.sent(chat).length).toBeGreaterThan(0);
    const sent = await prisma().outboxMessage.findMany({ where: { kind: "reply", chatKey: `tg:${chat.id}` } });
    expect(sent.map((r) => [r.status, r.text, r.choices])).toEqual(waiting.map(() => ["SENT", "", null]));
  });

  it(`deletes sent and failed rows after ${OUTBOX_KEEP_DAYS} days, a broadcast's only once it completed, and keeps its counts`, async () => {
    const unitId = (await prisma().unit.findFirstOrThrow({ where: { level: "GRASSROOTS" } })).id;
    const row = (key: string, status: "SENT" | "FAILED" | "PENDING", age: number, broadcastId: number | null = null) => ({
      key: `lifecycle:${key}`,
      kind: broadcastId ? "announcement" : "reminder",
      platform: "tg",
      chatKey: `tg:-9${key.length}${age}`,
      text: `Thông báo ${key}`,
      status,
      notBefore: daysAgo(age),
      broadcastId,
    });
    const done = await prisma().broadcast.create({ data: { unitId, chatKey: "tg:1", total: 2 } });
    const going = await prisma().broadcast.create({ data: { unitId, chatKey: "tg:1", total: 2 } });
    await prisma().outboxMessage.createMany({
      data: [
        row("old-sent", "SENT", OUTBOX_KEEP_DAYS + 1),
        row("old-failed", "FAILED", OUTBOX_KEEP_DAYS + 1),
        row("recent-sent", "SENT", OUTBOX_KEEP_DAYS - 1),
        row("old-pending", "PENDING", OUTBOX_KEEP_DAYS + 1),
        row("done-a", "SENT", OUTBOX_KEEP_DAYS + 2, done.id),
        row("done-b", "FAILED", OUTBOX_KEEP_DAYS + 2, done.id),
        row("going-a", "SENT", OUTBOX_KEEP_DAYS + 2, going.id),
        row("going-b", "PENDING", OUTBOX_KEEP_DAYS + 2, going.id),
      ],
    });
    const finished = await d.app.store.transaction((tx) => tx.completeBroadcast(done.id, new Date()));
    expect(finished).toMatchObject({ total: 2, sent: 1, failed: 1 });
    await d.app.housekeeping();
    const left = (await prisma().outboxMessage.findMany({ where: { key: { startsWith: "lifecycle:" } }, select: { key: true } })).map((r) => r.key).sort();
    expect(left).toEqual(["lifecycle:going-a", "lifecycle:going-b", "lifecycle:old-pending", "lifecycle:recent-sent"]);
    const progress = await d.app.store.transaction((tx) => tx.broadcastProgress(done.id));
    expect(progress).toMatchObject({ total: 2, sent: 1, failed: 1, pending: 0 });
  });
});

describe.each(backends())("codes in the web sandbox on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  }, 120_000);
  afterAll(async () => t?.stop());

  const lan = { userId: "demo-lan", userName: "Đỗ Thị Lan" }; // officer of Thực phẩm Hà Thành
  const minh = { userId: "demo-minh", userName: "Hoàng Văn Minh" };

  it("shows a new code to the officer who asked and works, but the transcript stores it redacted", async () => {
    await t.client.say(lan, dm(lan.userId), "/start");
    await t.client.pick(lan, dm(lan.userId), "Tôi đồng ý");
    await t.client.say(lan, dm(lan.userId), "/moi");
    await t.client.pick(lan, dm(lan.userId), "Mã cho đoàn viên theo dõi đơn vị");
    const code = codeIn(text(await t.client.pick(lan, dm(lan.userId), "Hà Thành")));
    await t.client.say(minh, dm(minh.userId), "/start");
    await t.client.pick(minh, dm(minh.userId), "Tôi đồng ý");
    expect(text(await t.client.say(minh, dm(minh.userId), `/lienket ${code.toLowerCase()}`))).toContain("Hà Thành");
    await t.app.idle();
    expect(await findEverywhere(t.app.db.prisma, code)).toEqual([]);
    expect(await findEverywhere(t.app.db.prisma, normaliseCode(code)!)).toEqual([]);
    expect(await t.app.db.prisma.sandboxMessage.count({ where: { text: { contains: REDACTED_CODE } } })).toBe(2);
  });

  it("answers a message the process stopped before answering with the replies kept then, not handling it again", async () => {
    const chat = dm(lan.userId);
    await t.client.say(lan, chat, "/lich");
    const prisma = t.app.db.prisma;
    // As if the process had stopped after the update's transaction and before the transcript got the answer.
    const asked = await prisma.sandboxMessage.findFirstOrThrow({ where: { chatKey: `web:${chat.chatId}`, fromBot: false }, orderBy: { seq: "desc" } });
    await prisma.sandboxMessage.deleteMany({ where: { chatKey: `web:${chat.chatId}`, seq: { gt: asked.seq } } });
    const inbound = { platform: "web", chatId: `web:${chat.chatId}`, chatKind: "private", userId: `web:${lan.userId}`, userName: lan.userName, text: "/lich" };
    await prisma.sandboxMessage.update({ where: { seq: asked.seq }, data: { handled: false, inbound } });
    await prisma.processedUpdate.update({ where: { key: `web:${asked.seq}` }, data: { replies: [{ text: "Câu trả lời đã giữ" }] } });
    expect(await t.app.sandbox!.recover()).toBe(1);
    const after = await t.client.messages(chat.chatId, Number(asked.seq));
    expect(after.map((m) => m.text)).toEqual(["Câu trả lời đã giữ"]);
    expect((await prisma.processedUpdate.findUniqueOrThrow({ where: { key: `web:${asked.seq}` } })).replies).toBeNull();
  });

  it("erases a sandbox person's lines from the transcript, in their chat and in groups", async () => {
    await t.client.say(minh, dm(minh.userId), "Lời nhắn Wobblethorpe riêng tư");
    await t.client.say(minh, group("grp-pinaq-members"), "Chuyện Snorkelvane trong nhóm");
    expect(await findEverywhere(t.app.db.prisma, "Snorkelvane")).toEqual(["SandboxMessage.text"]);
    await t.client.say(minh, dm(minh.userId), "/dulieu");
    await t.client.pick(minh, dm(minh.userId), "Xóa dữ liệu của tôi");
    expect(text(await t.client.pick(minh, dm(minh.userId), "Xóa vĩnh viễn"))).toContain("Đã xóa dữ liệu cá nhân của bạn");
    await t.app.idle();
    const found: Record<string, string[]> = {};
    for (const needle of ["Hoàng Văn Minh", "Wobblethorpe", "Snorkelvane"]) {
      const hits = await findEverywhere(t.app.db.prisma, needle);
      if (hits.length) found[needle] = hits;
    }
    expect(found).toEqual({});
    // The sandbox is the platform here: its chat shows the confirmation, and nothing else is left.
    expect(await findEverywhere(t.app.db.prisma, "demo-minh")).toEqual(["SandboxMessage.chatKey"]);
    const left = await t.app.db.prisma.sandboxMessage.findMany({ where: { chatKey: "web:dm-demo-minh" }, select: { fromBot: true, text: true } });
    expect(left).toEqual([{ fromBot: true, text: expect.stringContaining("Đã xóa dữ liệu cá nhân của bạn") as string }]);
  });
});

describe.each(backends())("files people receive on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  }, 120_000);
  afterAll(async () => t?.stop());

  const cuong = { userId: "demo-cuong", userName: "Lê Văn Cường" }; // officer of Hóa chất Phương Bắc, units below

  it(`keeps them ${FILE_KEEP_DAYS} days: the link stops working then, and the hourly housekeeping deletes them with no new file made`, async () => {
    await t.client.say(cuong, dm(cuong.userId), "/tiendo");
    const file = (await t.client.pick(cuong, dm(cuong.userId), "Tôi đồng ý")).find((m) => m.file)?.file;
    if (!file) throw new Error("/tiendo gave no picture");
    const id = file.url.slice(file.url.lastIndexOf("/") + 1);
    const prisma = t.app.db.prisma;
    // Files are stamped with the process's time, not the app's clock: age them by hand.
    const age = (hours: number) => prisma.storedFile.update({ where: { id }, data: { createdAt: new Date(Date.now() - hours * 3_600_000) } });
    const download = async () => (await fetch(`${t.app.url}${file.url}`)).status;
    expect(await download()).toBe(200);

    // An hour short of the keeping time: served, and kept by the housekeeping.
    await age(FILE_KEEP_DAYS * 24 - 1);
    expect(await download()).toBe(200);
    await t.app.housekeeping();
    expect(await prisma.storedFile.count({ where: { id } })).toBe(1);

    // An hour past it: refused at once, and gone after the next housekeeping.
    await age(FILE_KEEP_DAYS * 24 + 1);
    expect(await download()).toBe(404);
    await t.app.housekeeping();
    expect(await prisma.storedFile.count({ where: { id } })).toBe(0);
    expect(await download()).toBe(404);
  });
});
