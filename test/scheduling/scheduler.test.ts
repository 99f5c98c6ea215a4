/**
 * The calendar posts on its own, on the demo world of the sandbox, with the clock moved by
 * the test: anniversaries on the morning of the day (round ones a week ahead too), deadline
 * reminders only to units that have not sent, the overdue list and the phase summary to the
 * level above; a group that switched a kind off; catch-up after downtime within the grace
 * window, once; too-old posts skipped; midnight and the 31/8 → 01/9 phase boundary.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, describePostgres } from "../support/database.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dm, group, text } from "../support/sandbox-client.js";
import { Prisma } from "../../src/generated/prisma/client.ts";

/** An instant given as Hà Nội wall-clock time. */
const hanoi = (local: string) => new Date(`${local}+07:00`);

describe.each(backends())("scheduled posts on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => t?.stop());

  async function tickAt(local: string) {
    t.clock.set(hanoi(local));
    const ran = await t.app.scheduler.tick();
    await t.client.deliverOutbox();
    return ran.filter((r) => r.ran);
  }
  const rows = (where: object) => t.app.db.prisma.outboxMessage.findMany({ where, orderBy: { id: "asc" } });
  const last = async (chatId: string) => (await t.client.lastBot(chatId))?.text ?? "";

  /**
   * Vũ Đức Hải reports Phase 2 for Dệt may Thăng Long on 02/01/2027, before the reminders:
   * the starting point of the reminder, catch-up and overdue tests, done once for whichever
   * of them runs first (each can run alone).
   */
  let haiReported: Promise<void> | undefined;
  const haiReportsPhase2 = () =>
    (haiReported ??= (async () => {
      const hai = { userId: "demo-hai", userName: "Vũ Đức Hải" };
      t.clock.set(hanoi("2027-01-02T15:00:00"));
      await t.client.say(hai, dm(hai.userId), "/baocao");
      await t.client.pick(hai, dm(hai.userId), "Tôi đồng ý");
      await t.client.pick(hai, dm(hai.userId), "Đợt 2");
      for (const n of ["900", "4", "80000000", "20000000", "1", "12"]) await t.client.say(hai, dm(hai.userId), n);
      await t.client.say(hai, dm(hai.userId), "Hoàn thành vượt kế hoạch quý IV, không có tai nạn lao động.");
      expect(text(await t.client.pick(hai, dm(hai.userId), "Gửi báo cáo"))).toContain("Đã gửi báo cáo Đợt 2");
    })());

  it("posts an anniversary on the morning of the day to members, once", async () => {
    expect(await tickAt("2027-02-03T06:59:00")).toEqual([]);
    const ran = await tickAt("2027-02-03T07:00:30");
    expect(ran.map((r) => r.key)).toEqual(["anniv:all:party_founding:2027-02-03"]);
    const expected = "🇻🇳 Hôm nay, 03/02/2027: Kỷ niệm 97 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 – 03/02/2027).";
    expect(await last("grp-pinaq-members")).toBe(expected);
    expect(await last("dm-demo-minh")).toBe(expected); // a member who follows privately
    // Officers' groups do not get anniversaries unless they ask for them.
    const ours = { kind: "anniversary", key: { startsWith: "anniv:all:party_founding:2027-02-03:" } };
    expect((await rows(ours)).map((r) => r.chatKey).sort()).toEqual(["web:dm-demo-minh", "web:grp-pinaq-members"]);
    expect(await tickAt("2027-02-03T07:05:00")).toEqual([]);
    expect(await rows(ours)).toHaveLength(2);
  });

  it("announces a round anniversary a week ahead as well", async () => {
    const ran = await tickAt("2030-01-27T07:01:00");
    expect(ran.map((r) => r.key)).toContain("anniv-early:all:party_founding:2030-02-03");
    expect(await last("grp-pinaq-members")).toBe(
      "📅 Còn 7 ngày nữa, ngày 03/02/2030: Kỷ niệm 100 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 – 03/02/2030) — năm tròn. Các công đoàn chuẩn bị các hoạt động chào mừng.",
    );
  });

  it("leaves out a group whose officers switched anniversaries off", async () => {
    const giang = { userId: "demo-giang", userName: "Ngô Thị Giang" };
    // The group's settings are put back afterwards: the other anniversary tests expect it to hear them.
    const members = { where: { key: "web:grp-pinaq-members" } };
    const { prefs } = await t.app.db.prisma.chat.findUniqueOrThrow(members);
    try {
      t.clock.set(hanoi("2027-04-28T10:00:00"));
      await t.client.say(giang, group("grp-pinaq-members"), "/caidat");
      expect(text(await t.client.pick(giang, group("grp-pinaq-members"), "Tôi đồng ý"))).toContain("• Ngày kỷ niệm: bật");
      expect(text(await t.client.pick(giang, group("grp-pinaq-members"), "Tắt: Ngày kỷ niệm"))).toContain("• Ngày kỷ niệm: tắt");
      await t.client.pick(giang, group("grp-pinaq-members"), "Đóng");
      await tickAt("2027-04-30T07:00:30");
      expect((await rows({ kind: "anniversary", key: { contains: "liberation" } })).map((r) => r.chatKey)).toEqual(["web:dm-demo-minh"]);
    } finally {
      await t.app.db.prisma.chat.update({ ...members, data: { prefs: prefs ?? Prisma.DbNull } });
    }
  });

  it("reminds only the units that have not sent, 7 days before, in their officers' chats", async () => {
    await haiReportsPhase2();
    // An reads the bot in English: his private reminder is worded in his language.
    const an = { where: { key: "web:demo-an" } };
    const anPerson = (await t.app.db.prisma.identity.findUniqueOrThrow({ ...an, select: { personId: true } })).personId;
    const { locale } = await t.app.db.prisma.person.findUniqueOrThrow({ where: { id: anPerson } });
    await t.app.db.prisma.person.update({ where: { id: anPerson }, data: { locale: "en" } });
    try {
      const ran = await tickAt("2027-01-03T08:00:30");
      expect(ran.map((r) => r.key)).toEqual(["remind:1:p2:7"]);
      // Every unit below the sector union except Dệt may; Phân bón has no officers' group, so
      // An hears it privately. Written (and so sent) level by level, by name within a level.
      const reminded = (await rows({ kind: "reminder", key: { startsWith: "remind:1:p2:7:" } })).map((r) => r.chatKey);
      expect(reminded).toEqual(["web:grp-cthn-officers", "web:grp-hoachat-officers", "web:dm-demo-an", "web:grp-pinaq-officers", "web:grp-thucpham-officers"]);
      expect(await last("grp-pinaq-officers")).toBe("⏰ Công đoàn Công ty CP Pin Ắc quy Phương Nam: còn 7 ngày (hạn 10/01/2027 – mặc định, chưa được ấn định) để gửi báo cáo kết quả Đợt 2. Dùng lệnh /baocao.");
      expect(await last("dm-demo-an")).toBe("⏰ Công đoàn Công ty CP Phân bón Sông Cầu: 7 days left (due 10/01/2027 – default, not yet set) to send the phase 2 report. Use /report.");
    } finally {
      await t.app.db.prisma.person.update({ where: { id: anPerson }, data: { locale } });
    }
  });

  it("catches up after downtime within the grace window, once, and skips what is too old", async () => {
    await haiReportsPhase2();
    expect(await tickAt("2027-01-07T07:59:00")).toEqual([]);
    // Down from 07:59 to 12:00: the 08:00 reminder is posted late, once.
    expect((await tickAt("2027-01-07T12:00:00")).map((r) => r.key)).toEqual(["remind:1:p2:3"]);
    // The clock is set back and forward again: nothing is posted twice.
    expect(await tickAt("2027-01-07T07:55:00")).toEqual([]);
    expect(await tickAt("2027-01-07T08:05:00")).toEqual([]);
    expect(await rows({ key: { startsWith: "remind:1:p2:3:" } })).toHaveLength(5);
    // Down from 08/01 to 10:00 on 10/01: the reminder of 09/01 08:00 is 26 hours old, beyond the 12-hour grace.
    t.clock.set(hanoi("2027-01-08T09:00:00"));
    await t.app.scheduler.tick();
    expect(await tickAt("2027-01-10T10:00:00")).toEqual([]);
    expect(await rows({ key: { startsWith: "remind:1:p2:1:" } })).toHaveLength(0);
  });

  it("sends the overdue list, and after the last phase the year's final review (tổng kết), to the level above the day after the deadline", async () => {
    await haiReportsPhase2();
    // A reward Công Thương Hà Nội decided for a direct worker of Dệt may, and a proposal still waiting at it.
    const db = t.app.db.prisma;
    const [cthnUnit, detmay] = [await t.app.store.getUnitByCode("DEMO-CTHN"), await t.app.store.getUnitByCode("DEMO-DETMAY")];
    const giayKhen = await db.commendationForm.findUniqueOrThrow({ where: { code: "giay_khen_ctcs" } });
    const nomination = { unitId: detmay!.id, campaignId: 1, nomineeKind: "PERSON" as const, achievement: "Sáng kiến tiết kiệm điện", formId: giayKhen.id, submittedAt: new Date() };
    await db.nomination.create({
      data: { ...nomination, nomineeName: "Nguyễn Thị Thu", directWorker: true, status: "APPROVED", grantedFormId: giayKhen.id, grantedByUnitId: cthnUnit!.id, decidedAt: new Date(), decisionNumber: "45/QĐ-CĐCTHN", decisionDate: new Date("2026-12-20") },
    });
    await db.nomination.create({ data: { ...nomination, nomineeName: "Trần Văn Lực", directWorker: true, atUnitId: cthnUnit!.id } });

    // A trade-union team under Pin Ắc quy: teams report only when the campaign includes them.
    const pinaq = (await t.app.store.getUnitByCode("DEMO-PINAQ"))!;
    // Minh follows Công Thương Hà Nội as a member too: its members read the review, not the officers' line on where it goes.
    const minh = (await t.app.store.findPersonByIdentity("web:demo-minh"))!;
    await t.app.store.transaction((tx) => tx.grantRole(minh.id, cthnUnit!.id, "MEMBER", null));

    const team = await db.unit.create({ data: { code: "DEMO-PINAQ-T1", name: "Tổ công đoàn Phân xưởng 1", level: "SECTION", parentId: pinaq.id, path: "", depth: pinaq.depth + 1, demo: true } });
    await db.unit.update({ where: { id: team.id }, data: { path: `${pinaq.path}${team.id}/` } });

    const ran = await tickAt("2027-01-11T09:00:30");
    expect(ran.map((r) => r.key)).toEqual(["overdue:1:p2", "summary:1:p2"]);
    expect(await last("grp-pinaq-officers")).not.toContain("Tổ công đoàn Phân xưởng 1");
    await db.unit.update({ where: { id: team.id }, data: { status: "CLOSED", closedAt: new Date() } });
    const hoachat = await t.client.messages("grp-hoachat-officers");
    expect(text(hoachat.filter((m) => m.from === "bot"))).toContain(
      "📋 Đã quá hạn gửi báo cáo kết quả Đợt 2 (10/01/2027 – mặc định, chưa được ấn định): 2/2 đơn vị trực thuộc Công đoàn Tổng công ty Hóa chất Phương Bắc chưa gửi: Công đoàn Công ty CP Phân bón Sông Cầu, Công đoàn Công ty CP Pin Ắc quy Phương Nam.",
    );
    const cthn = text((await t.client.messages("grp-cthn-officers")).filter((m) => m.from === "bot"));
    expect(cthn).toContain("1/2 đơn vị trực thuộc Công đoàn Công Thương Hà Nội chưa gửi: Công đoàn Công ty CP Thực phẩm Hà Thành.");
    // Phase 2 is the last: its summary is the year's final review, over both phases.
    expect(cthn).not.toContain("Sơ kết Đợt 2");
    expect(cthn).toContain("📊 Tổng kết phong trào thi đua năm 2026 – Công đoàn Công Thương Hà Nội (Kế hoạch 01/KH-CĐCT năm 2026):");
    expect(cthn).toContain("• Báo cáo Đợt 2: 0/2 đơn vị được chấp nhận, 1 đã gửi chưa được chấp nhận, 0 nộp muộn");
    expect(cthn).toContain("Tổng hợp số liệu cả năm (các báo cáo đã gửi):\n   – Lượt người tham gia: 900");
    expect(cthn).toContain("Điển hình được biểu dương trong năm (1, trong đó 1 công nhân trực tiếp sản xuất): Nguyễn Thị Thu (Công đoàn Công ty Dệt may Thăng Long)");
    expect(cthn).toContain(
      "Khen thưởng đã quyết định trong năm (1): Nguyễn Thị Thu (Công đoàn Công ty Dệt may Thăng Long) được Công đoàn Công Thương Hà Nội tặng Giấy khen (Quyết định số 45/QĐ-CĐCTHN ngày 20/12/2026)",
    );
    expect(cthn).toContain("Đề nghị khen thưởng tổng kết năm còn chờ xem xét: 1 (trong đó 1 công nhân trực tiếp sản xuất).");
    // Công đoàn Tổng công ty Hóa chất decided nothing and has nothing waiting.
    const hoachatFinal = text(hoachat.filter((m) => m.from === "bot"));
    expect(hoachatFinal).toContain("Chưa có quyết định khen thưởng nào trong năm.");
    expect(hoachatFinal).toContain("Chưa có điển hình nào được biểu dương trong năm.");
    // Each level's officers are told where the results go: their own upper unit (the sector union through its Ban Chính sách pháp luật).
    expect(cthn).toContain("Kết quả tổng kết gửi về Công đoàn Công Thương Việt Nam qua Ban Chính sách pháp luật.");
    // The sector union's final review rolls up all six units below, and goes up to Tổng Liên đoàn, not to itself.
    const sector = text((await t.client.messages("grp-cdctvn-officers")).filter((m) => m.from === "bot"));
    expect(sector).toContain("• Báo cáo Đợt 2: 0/6 đơn vị được chấp nhận, 1 đã gửi chưa được chấp nhận");
    expect(sector).toContain("Kết quả tổng kết gửi về Tổng Liên đoàn Lao động Việt Nam.");
    expect(sector).not.toContain("gửi về Công đoàn Công Thương Việt Nam");
    // …and names the reward decided two levels below it.
    expect(sector).toContain("Khen thưởng đã quyết định trong năm (1): Nguyễn Thị Thu (Công đoàn Công ty Dệt may Thăng Long) được Công đoàn Công Thương Hà Nội tặng Giấy khen");
    // Members read the review without the officers' line.
    const toMinh = (await rows({ kind: "summary", chatKey: "web:dm-demo-minh" })).map((r) => r.text);
    expect(toMinh).toHaveLength(1);
    expect(toMinh[0]).toContain("📊 Tổng kết phong trào thi đua năm 2026 – Công đoàn Công Thương Hà Nội");
    expect(toMinh[0]).not.toContain("Kết quả tổng kết gửi về");
    await t.app.store.transaction((tx) => tx.revokeRole(minh.id, cthnUnit!.id, "MEMBER", null, new Date()));
  });

  it("crosses midnight and the 31/8 → 01/9 phase boundary without a slip", async () => {
    expect(await tickAt("2026-08-31T23:59:30")).toEqual([]);
    expect(await tickAt("2026-09-01T00:00:30")).toEqual([]);
    expect(await tickAt("2026-09-01T23:59:59")).toEqual([]);
    expect((await tickAt("2026-09-02T07:00:10")).map((r) => r.key)).toEqual(["anniv:all:national_day:2026-09-02"]);
    expect(await last("dm-demo-minh")).toContain("Kỷ niệm 81 năm Quốc khánh nước Cộng hòa xã hội chủ nghĩa Việt Nam (02/09/1945 – 02/09/2026)");
    // Phase 1 ended on 31/8; its report is due 10/9: the first reminder comes on 3/9.
    expect((await tickAt("2026-09-03T08:00:05")).map((r) => r.key)).toEqual(["remind:1:p1:7"]);
    expect(await last("grp-pinaq-officers")).toContain("còn 7 ngày (hạn 10/09/2026 – mặc định, chưa được ấn định) để gửi báo cáo kết quả Đợt 1");
  });

  it("sends each level the phase summary of its subtree the day after the report deadline, naming the five newest exemplars commended below it, to officers and members", async () => {
    const db = t.app.db.prisma;
    const unit = async (code: string) => (await t.app.store.getUnitByCode(code))!;
    const [cthn, detmay, phanbon] = [await unit("DEMO-CTHN"), await unit("DEMO-DETMAY"), await unit("DEMO-PHANBON")];
    const phase1 = await db.phase.findFirstOrThrow({ where: { campaignId: 1, ordinal: 1 } });
    const giayKhen = await db.commendationForm.findUniqueOrThrow({ where: { code: "giay_khen_ctcs" } });
    // Six exemplars of Dệt may (under Công Thương Hà Nội) approved one day after another, the
    // last on 08/9; Phân bón's (under Hóa chất) on 05/9; one of Công Thương Hà Nội itself.
    const approved = (unitId: number, nomineeName: string, day: number, directWorker = true) => ({
      unitId, campaignId: 1, phaseId: phase1.id, nomineeKind: "PERSON" as const, nomineeName, achievement: "Sáng kiến", directWorker, formId: giayKhen.id,
      status: "APPROVED" as const, submittedAt: hanoi("2026-09-01T08:00:00"), decidedAt: hanoi(`2026-09-0${day}T10:00:00`),
    });
    const detmayNames = ["Lê Văn Một", "Lê Văn Hai", "Lê Văn Ba", "Lê Văn Bốn", "Lê Văn Năm", "Lê Văn Sáu"];
    const created = await db.$transaction([
      ...detmayNames.map((name, i) => db.nomination.create({ data: approved(detmay.id, name, i + 3, i !== 4) })),
      db.nomination.create({ data: approved(phanbon.id, "Đỗ Thị Phân", 5) }),
      db.nomination.create({ data: approved(cthn.id, "Phạm Văn Chính", 9) }),
    ]);
    const minh = (await t.app.store.findPersonByIdentity("web:demo-minh"))!;
    await t.app.store.transaction((tx) => tx.grantRole(minh.id, cthn.id, "MEMBER", null));
    try {
      const ran = await tickAt("2026-09-11T09:00:30");
      expect(ran.map((r) => r.key)).toContain("summary:1:p1");
      const summary = async (chatKey: string) => (await rows({ kind: "summary", key: { startsWith: "summary:1:p1:" }, chatKey })).map((r) => r.text);
      const [toCthn] = await summary("web:grp-cthn-officers");
      expect(toCthn).toMatch(/^📊 Sơ kết Đợt 1 – Công đoàn Công Thương Hà Nội: \d+\/2 đơn vị cấp dưới đã báo cáo/);
      // Newest first, five at most; its own exemplar is not one of the units below it.
      expect(toCthn).toContain(
        "Điển hình được biểu dương: Lê Văn Sáu (Công đoàn Công ty Dệt may Thăng Long); Lê Văn Năm (Công đoàn Công ty Dệt may Thăng Long); Lê Văn Bốn (Công đoàn Công ty Dệt may Thăng Long); Lê Văn Ba (Công đoàn Công ty Dệt may Thăng Long); Lê Văn Hai (Công đoàn Công ty Dệt may Thăng Long) (trong đó 4 công nhân trực tiếp sản xuất).",
      );
      // Two levels up, the sector union reads what all its subtree commended, its grandchildren's too.
      const [toSector] = await summary("web:grp-cdctvn-officers");
      expect(toSector).toContain("Điển hình được biểu dương: Phạm Văn Chính (Công đoàn Công Thương Hà Nội); Lê Văn Sáu (Công đoàn Công ty Dệt may Thăng Long); Lê Văn Năm");
      expect(toSector).not.toContain("Lê Văn Hai");
      // Hóa chất reads only its own subtree's.
      const [toHoachat] = await summary("web:grp-hoachat-officers");
      expect(toHoachat).toContain("Điển hình được biểu dương: Đỗ Thị Phân (Công đoàn Công ty CP Phân bón Sông Cầu) (trong đó 1 công nhân trực tiếp sản xuất).");
      // A member who follows Công Thương Hà Nội privately reads its summary; a unit with nothing below gets none.
      expect(await summary("web:dm-demo-minh")).toEqual([toCthn]);
      expect(await rows({ kind: "summary", key: { startsWith: `summary:1:p1:${detmay.id}:` } })).toEqual([]);
    } finally {
      await t.app.store.transaction((tx) => tx.revokeRole(minh.id, cthn.id, "MEMBER", null, new Date()));
      await db.nomination.deleteMany({ where: { id: { in: created.map((n) => n.id) } } });
    }
  });
});

describePostgres("three instances in the same cron minute", (backend) => {
  it("post once", async () => {
    const first = await startTestApp(backend);
    const { createApp } = await import("../../src/app.js");
    const { testConfig } = await import("../support/app.js");
    const { createLogger } = await import("../../src/infra/log.js");
    const others = [];
    for (let i = 0; i < 2; i++) others.push(await createApp(testConfig({ database: first.app.config.database }), { clock: first.clock, log: createLogger("silent") }));
    try {
      first.clock.set(hanoi("2027-05-19T07:00:20"));
      const results = await Promise.all([first.app, ...others].map((a) => a.scheduler.tick()));
      expect(results.flat().filter((r) => r.ran).map((r) => r.key)).toEqual(["anniv:all:hcm_birthday:2027-05-19"]);
      const posts = await first.app.db.prisma.outboxMessage.findMany({ where: { kind: "anniversary" } });
      expect(posts.map((p) => p.chatKey).sort()).toEqual(["web:dm-demo-minh", "web:grp-pinaq-members"]);
      expect(await first.app.db.prisma.scheduledRun.count()).toBe(1);
    } finally {
      for (const a of others) await a.stop();
      await first.stop();
    }
  });
});
