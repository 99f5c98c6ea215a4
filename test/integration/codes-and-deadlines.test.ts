/**
 * Where time decides the answer, with the clock moved by the test: invite codes expire,
 * members' codes serve many people, a guesser waits a whole hour (not less), and a report
 * sent on its deadline day is on time while one sent the day after is late. Each test sets
 * up what it needs itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInvite } from "../../src/core/usecases/invites.js";
import { systemEnv } from "../../src/core/usecases/env.js";
import type { UnitInviteKind } from "../../src/core/model.js";
import { backends } from "../support/database.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dm, text, type Speaker } from "../support/sandbox-client.js";

/** An instant given as Hà Nội wall-clock time. */
const hanoi = (local: string) => new Date(`${local}+07:00`);

describe.each(backends())("codes and deadlines over time on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => t?.stop());

  /** A code made by an administrator (the CLI's way), valid from the clock's now. */
  async function newCode(unitCode: string, kind: UnitInviteKind, opts: { days?: number; uses?: number } = {}) {
    const unit = (await t.app.store.getUnitByCode(unitCode))!;
    const env = (tx: Parameters<Parameters<TestApp["app"]["store"]["transaction"]>[0]>[0]) =>
      systemEnv("cli", { tx, now: t.clock.now(), translate: t.app.translator.translate, defaultLocale: "vi", timeZone: "Asia/Ho_Chi_Minh" });
    return t.app.store.transaction(async (tx) => createInvite(env(tx), unit, kind, opts));
  }
  /** A newcomer agrees to the notice once, so that each case exercises only its point. */
  async function newcomer(userId: string, userName: string): Promise<Speaker> {
    const who = { userId, userName };
    await t.client.say(who, dm(userId), "/start");
    await t.client.pick(who, dm(userId), "Tôi đồng ý");
    return who;
  }
  const roles = async (unitCode: string, kind: "OFFICER" | "MEMBER") => {
    const unit = (await t.app.store.getUnitByCode(unitCode))!;
    return t.app.db.prisma.role.count({ where: { unitId: unit.id, kind, revokedAt: null } });
  };

  it("an officer's code works until it expires, and after that is refused and changes nothing", async () => {
    t.clock.set(hanoi("2026-11-24T10:00:00"));
    const { code, expiresAt } = await newCode("DEMO-THUCPHAM", "OFFICER");
    expect(expiresAt.toISOString()).toBe(hanoi("2026-12-01T10:00:00").toISOString());
    const late = await newcomer("het-han-1", "Đỗ Văn Muộn");
    const officers = await roles("DEMO-THUCPHAM", "OFFICER");
    t.clock.set(hanoi("2026-12-01T10:00:01"));
    expect(text(await t.client.say(late, dm(late.userId), `/lienket ${code}`))).toBe("Mã này đã hết hạn. Hãy xin cán bộ đơn vị một mã mới.");
    expect(await roles("DEMO-THUCPHAM", "OFFICER")).toBe(officers);
    expect((await t.app.db.prisma.inviteCode.findFirstOrThrow({ where: { expiresAt } })).uses).toBe(0);

    // The same kind of code, a minute before its end: accepted.
    t.clock.set(hanoi("2026-11-24T10:00:00"));
    const { code: fresh } = await newCode("DEMO-THUCPHAM", "OFFICER");
    t.clock.set(hanoi("2026-12-01T09:59:00"));
    const onTime = await newcomer("het-han-2", "Đỗ Thị Kịp");
    expect(text(await t.client.say(onTime, dm(onTime.userId), `/lienket ${fresh}`))).toContain("Đồng chí đã trở thành cán bộ của Công đoàn Công ty CP Thực phẩm Hà Thành");
    expect(await roles("DEMO-THUCPHAM", "OFFICER")).toBe(officers + 1);
  });

  it("a members' code serves many people, one use each, up to its limit", async () => {
    t.clock.set(hanoi("2026-11-25T09:00:00"));
    const { code, maxUses } = await newCode("DEMO-HOACHAT", "MEMBER", { uses: 3 });
    expect(maxUses).toBe(3);
    const before = await roles("DEMO-HOACHAT", "MEMBER");
    for (let i = 1; i <= 3; i++) {
      const who = await newcomer(`doan-vien-${i}`, `Đoàn viên ${i}`);
      expect(text(await t.client.say(who, dm(who.userId), `/lienket ${code}`))).toContain("Công đoàn Tổng công ty Hóa chất Phương Bắc");
    }
    expect(await roles("DEMO-HOACHAT", "MEMBER")).toBe(before + 3);
    const invite = await t.app.db.prisma.inviteCode.findFirstOrThrow({ where: { kind: "MEMBER", maxUses: 3 }, include: { redemptions: true } });
    expect(invite.uses).toBe(3);
    expect(invite.redemptions).toHaveLength(3);
    // The fourth person finds it used up.
    const fourth = await newcomer("doan-vien-4", "Đoàn viên 4");
    expect(text(await t.client.say(fourth, dm(fourth.userId), `/lienket ${code}`))).toBe("Mã này đã được dùng hết lượt. Hãy xin cán bộ đơn vị một mã mới.");
    expect(await roles("DEMO-HOACHAT", "MEMBER")).toBe(before + 3);

    // By default a members' code is good for a whole unit's people, for a month.
    const { maxUses: defaultUses, expiresAt } = await newCode("DEMO-HOACHAT", "MEMBER");
    expect(defaultUses).toBe(1000);
    expect(expiresAt.toISOString()).toBe(hanoi("2026-12-25T09:00:00").toISOString());
  });

  it("after five wrong codes, a person waits a whole hour: still refused at 59 minutes, accepted at 61", async () => {
    t.clock.set(hanoi("2026-11-26T08:00:00"));
    const { code } = await newCode("DEMO-DETMAY", "MEMBER");
    const guesser = await newcomer("doan-mo", "Người Đoán Mò");
    for (let i = 0; i < 5; i++) {
      expect(text(await t.client.say(guesser, dm(guesser.userId), `/lienket AAAA-BBBB-CC${i}${i}`))).toContain("Mã không đúng");
    }
    const limited = "Đã nhập sai mã quá nhiều lần. Vui lòng thử lại sau một giờ.";
    t.clock.set(hanoi("2026-11-26T08:59:00"));
    expect(text(await t.client.say(guesser, dm(guesser.userId), `/lienket ${code}`))).toBe(limited);
    expect(await roles("DEMO-DETMAY", "MEMBER")).toBe(0);
    t.clock.set(hanoi("2026-11-26T09:01:00"));
    expect(text(await t.client.say(guesser, dm(guesser.userId), `/lienket ${code}`))).toContain("Công đoàn Công ty Dệt may Thăng Long");
    expect(await roles("DEMO-DETMAY", "MEMBER")).toBe(1);
  });

  /** An officer sends the Phase 2 report of their unit in private; the bot's last answer. */
  async function reportPhase2(who: Speaker) {
    await t.client.say(who, dm(who.userId), "/baocao");
    await t.client.pick(who, dm(who.userId), "Tôi đồng ý");
    await t.client.pick(who, dm(who.userId), "Đợt 2");
    for (const n of ["120", "2", "1000000", "500000", "0", "3"]) await t.client.say(who, dm(who.userId), n);
    await t.client.say(who, dm(who.userId), "Hoàn thành kế hoạch quý IV, không có tai nạn lao động.");
    return text(await t.client.pick(who, dm(who.userId), "Gửi báo cáo"));
  }
  const reportOf = async (unitCode: string) => {
    const unit = (await t.app.store.getUnitByCode(unitCode))!;
    return t.app.db.prisma.phaseReport.findFirstOrThrow({ where: { unitId: unit.id, phase: { ordinal: 2 } } });
  };

  it("a report sent late in the evening of its deadline day (10/01) is on time; one sent just after midnight is late", async () => {
    // 23:30 in Hà Nội on the deadline day is still 10/01 there (16:30 UTC).
    t.clock.set(hanoi("2027-01-10T23:30:00"));
    const onTime = await reportPhase2({ userId: "demo-giang", userName: "Ngô Thị Giang" });
    expect(onTime).toContain("Đã gửi báo cáo Đợt 2 của Công đoàn Công ty CP Pin Ắc quy Phương Nam");
    expect(onTime).not.toContain("nộp muộn");
    expect((await reportOf("DEMO-PINAQ")).late).toBe(false);

    t.clock.set(hanoi("2027-01-11T00:10:00"));
    const late = await reportPhase2({ userId: "demo-hai", userName: "Vũ Đức Hải" });
    expect(late).toContain("(ghi nhận nộp muộn)");
    expect((await reportOf("DEMO-DETMAY")).late).toBe(true);
  });
});
