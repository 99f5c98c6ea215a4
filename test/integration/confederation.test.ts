/**
 * Tổng Liên đoàn and the sector union's plan, through the sandbox: a TLĐ officer reads
 * the plan that Công đoàn Công Thương Việt Nam issued below it — its progress where it is
 * carried out, and what reached TLĐ with each item's path — but registers nothing under
 * it. Where TLĐ has no officer in the bot, the sector union sees the registrations to send
 * to TLĐ, marks them sent, and nothing is left waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dm, group, text, type Speaker, type Where } from "../support/sandbox-client.js";
import { binh, cuong, dung, giang, hai, khanh, consent } from "../support/demo-people.js";

const tldGroup = group("grp-tld-officers");
const binhGroup = group("grp-cdctvn-officers");

describe.each(backends())("Tổng Liên đoàn and the sector union's plan on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await consent(t, [khanh, binh, cuong, dung, giang, hai]);
  });
  afterAll(async () => t?.stop());

  const say = (who: Speaker, where: Where, input: string) => t.client.say(who, where, input);
  const pick = (who: Speaker, where: Where, label: string | RegExp) => t.client.pick(who, where, label);
  const db = () => t.app.db.prisma;

  /** A grassroots union registers two themes; its upper union and the sector union forward them to TLĐ. */
  async function registerUpToTld(who: Speaker, upper: Speaker) {
    const where = dm(who.userId);
    await say(who, where, "/dangky");
    for (const title of ["Sản xuất 1 triệu sản phẩm đạt chuẩn", "Đào tạo 200 công nhân bậc 3/7"]) {
      await pick(who, where, "Thêm nội dung");
      await pick(who, where, "Lao động giỏi");
      await say(who, where, title);
      for (const answer of ["Kế hoạch sản xuất kinh doanh năm 2026", "Ban Chấp hành Công đoàn", "Sản lượng", "sản phẩm", "1.000.000"]) await say(who, where, answer);
      await pick(who, where, "Hoàn tất");
    }
    await pick(who, where, "Gửi cấp trên");
    await pick(who, where, /^Gửi$/);
    await say(upper, dm(upper.userId), "/duyet");
    await pick(upper, dm(upper.userId), "Đăng ký thi đua");
    await pick(upper, dm(upper.userId), "Chấp nhận, chuyển lên Công đoàn Công Thương Việt Nam");
    expect(text(await pick(upper, dm(upper.userId), "Không có ý kiến"))).toContain("Đã chuyển lên cấp trên");
    await say(binh, binhGroup, "/duyet");
    await pick(binh, binhGroup, "Đăng ký thi đua");
    await pick(binh, binhGroup, "Chấp nhận, chuyển lên Tổng Liên đoàn Lao động Việt Nam");
    expect(text(await pick(binh, binhGroup, "Không có ý kiến"))).toContain("Đã chuyển lên cấp trên");
  }

  it("shows a TLĐ officer the progress of the sector union's plan and what reached TLĐ, with each item's path", async () => {
    // Before anything reached it: the plan is found (not "no plan applies to Tổng Liên đoàn").
    const before = text(await say(khanh, tldGroup, "/tiendo"));
    expect(before).not.toContain("Chưa có kế hoạch thi đua nào");
    expect(before).toContain("Kế hoạch 01/KH-CĐCT năm 2026 do Công đoàn Công Thương Việt Nam ban hành; dưới đây là tiến độ của các đơn vị thực hiện kế hoạch.");
    expect(before).toContain("Hồ sơ các đơn vị cấp dưới đã gửi tới Tổng Liên đoàn Lao động Việt Nam: 0, trong đó 0 đang chờ xem xét");
    expect(before).toContain("Tiến độ Kế hoạch 01/KH-CĐCT năm 2026 – các đơn vị trực thuộc Công đoàn Công Thương Việt Nam");
    // The units that carry out the plan: the six below the sector union, not TLĐ's whole tree (which holds the sector union too).
    expect(before).toContain("Số đơn vị cấp dưới phải đăng ký, báo cáo: 6");
    expect(before).not.toContain("Tình hình của Tổng Liên đoàn");
    expect(text(await say(khanh, tldGroup, "/hoso"))).toContain(
      "Chưa có hồ sơ nào của các đơn vị cấp dưới được gửi tới Tổng Liên đoàn Lao động Việt Nam trong Kế hoạch 01/KH-CĐCT năm 2026.",
    );

    await registerUpToTld(giang, cuong);
    const after = text(await say(khanh, tldGroup, "/tiendo"));
    expect(after).toContain("Hồ sơ các đơn vị cấp dưới đã gửi tới Tổng Liên đoàn Lao động Việt Nam: 1, trong đó 1 đang chờ xem xét");
    expect(after).toContain("Đăng ký thi đua: 1/6 đơn vị đã gửi – 1 đã được chấp nhận, 0 đã gửi, chưa được chấp nhận");

    const records = await say(khanh, tldGroup, "/hoso");
    expect(text(records)).toContain("Hồ sơ các đơn vị cấp dưới đã gửi tới Tổng Liên đoàn Lao động Việt Nam trong Kế hoạch 01/KH-CĐCT năm 2026: 1.");
    expect(records.at(-1)!.choices!.map((c) => c.label)).toContain("Đăng ký thi đua – Công đoàn Công ty CP Pin Ắc quy Phương Nam (2 nội dung) – đã chấp nhận");
    const item = text(await pick(khanh, tldGroup, "Đăng ký thi đua – Công đoàn Công ty CP Pin Ắc quy Phương Nam"));
    expect(item).toContain("Sản xuất 1 triệu sản phẩm đạt chuẩn");
    expect(item).toContain("Công đoàn Tổng công ty Hóa chất Phương Bắc chấp nhận, chuyển lên Công đoàn Công Thương Việt Nam (đ/c Lê Văn Cường)");
    expect(item).toContain("Công đoàn Công Thương Việt Nam chấp nhận, chuyển lên Tổng Liên đoàn Lao động Việt Nam (đ/c Trần Thị Bình)");
    expect(item).toContain("Hiện đang chờ: Tổng Liên đoàn Lao động Việt Nam xem xét.");
    await pick(khanh, tldGroup, "Đóng");

    // TLĐ acknowledges it; it stays on TLĐ's records, no longer waiting.
    await say(khanh, tldGroup, "/duyet");
    await pick(khanh, tldGroup, "Đăng ký thi đua");
    expect(text(await pick(khanh, tldGroup, "Ghi nhận đăng ký"))).toContain("Đã ghi nhận đăng ký");
    expect(text(await say(khanh, tldGroup, "/tiendo"))).toContain("Hồ sơ các đơn vị cấp dưới đã gửi tới Tổng Liên đoàn Lao động Việt Nam: 1, trong đó 0 đang chờ xem xét");
    await say(khanh, tldGroup, "/hoso");
    const filed = text(await pick(khanh, tldGroup, "Đăng ký thi đua – Công đoàn Công ty CP Pin Ắc quy Phương Nam"));
    expect(filed).toContain("Tổng Liên đoàn Lao động Việt Nam ghi nhận (đ/c Phan Văn Khánh)");
    expect(filed).not.toContain("Hiện đang chờ");
    await pick(khanh, tldGroup, "Đóng");

    // Reading is all TLĐ does with a plan issued below it: it registers and reports under plans that apply to it.
    expect(text(await say(khanh, tldGroup, "/dangky"))).toContain("Chưa có kế hoạch thi đua nào đang áp dụng cho Tổng Liên đoàn Lao động Việt Nam");
    expect(text(await say(khanh, tldGroup, "/baocao"))).toContain("Chưa có kế hoạch thi đua nào đang áp dụng cho Tổng Liên đoàn Lao động Việt Nam");
  });

  it("lets the sector union mark registrations sent to a TLĐ that has no officer in the bot; nothing is left waiting", async () => {
    const tld = (await t.app.store.getUnitByCode("DEMO-TLD"))!;
    const person = (await t.app.store.findPersonByIdentity("web:demo-khanh"))!;
    await t.app.store.transaction((tx) => tx.revokeRole(person.id, tld.id, "OFFICER", null, new Date()));
    try {
      await registerUpToTld(hai, dung);
      const detmay = (await t.app.store.getUnitByCode("DEMO-DETMAY"))!;
      const reg = await db().themeRegistration.findFirstOrThrow({ where: { unitId: detmay.id } });
      expect(reg).toMatchObject({ status: "APPROVED", atUnitId: tld.id });

      // The sender is told whom it waits for, and that nobody there uses the bot.
      await say(hai, dm(hai.userId), "/hoso");
      expect(text(await pick(hai, dm(hai.userId), "Đăng ký thi đua"))).toContain(
        "Hiện đang chờ: Tổng Liên đoàn Lao động Việt Nam xem xét.\nTổng Liên đoàn Lao động Việt Nam chưa có cán bộ nào dùng bot",
      );
      await pick(hai, dm(hai.userId), "Đóng");

      // The sector union's /duyet lists it as one to send to TLĐ.
      const list = await say(binh, binhGroup, "/duyet");
      expect(text(list)).toContain("Hồ sơ chờ Công đoàn Công Thương Việt Nam xem xét: 1");
      expect(list.at(-1)!.choices!.map((c) => c.label)).toContain("Gửi Tổng Liên đoàn: đăng ký thi đua – Công đoàn Công ty Dệt may Thăng Long");
      const opened = await pick(binh, binhGroup, "Gửi Tổng Liên đoàn: đăng ký thi đua");
      expect(opened.at(-1)!.choices!.map((c) => c.label)).toEqual(["Đánh dấu đã gửi Tổng Liên đoàn", "Quay lại"]);
      const done = text(await pick(binh, binhGroup, "Đánh dấu đã gửi Tổng Liên đoàn"));
      expect(done).toContain("Đã đánh dấu đã gửi Tổng Liên đoàn. Đơn vị đã được báo.");
      expect(done).toContain("Đã xử lý hết hồ sơ chờ Công đoàn Công Thương Việt Nam xem xét.");

      // Nothing waits any more, at TLĐ or anywhere; the mark is on the item's path.
      expect(await db().themeRegistration.findUniqueOrThrow({ where: { id: reg.id } })).toMatchObject({ status: "APPROVED", atUnitId: null, filedOutside: true });
      expect(await db().themeRegistration.count({ where: { atUnitId: tld.id } })).toBe(0);
      expect(text(await say(binh, binhGroup, "/duyet"))).toContain("Không có hồ sơ nào đang chờ Công đoàn Công Thương Việt Nam xem xét.");
      await t.client.deliverOutbox();
      expect((await t.client.lastBot("grp-detmay-officers"))!.text).toBe("📨 Đã gửi đăng ký thi đua của đơn vị (2 nội dung) tới Tổng Liên đoàn Lao động Việt Nam.");
      await say(hai, dm(hai.userId), "/hoso");
      const path = text(await pick(hai, dm(hai.userId), "Đăng ký thi đua"));
      expect(path).toContain("Công đoàn Công Thương Việt Nam đánh dấu đã gửi Tổng Liên đoàn Lao động Việt Nam (đ/c Trần Thị Bình)");
      expect(path).not.toContain("Hiện đang chờ");
      await pick(hai, dm(hai.userId), "Đóng");
      const steps = await t.app.store.pathOf("REGISTRATION", reg.id);
      expect(steps.map((s) => `${s.decision}@${s.unit.name}→${s.toUnit?.name ?? ""}`)).toEqual([
        "SUBMIT@Công đoàn Công ty Dệt may Thăng Long→Công đoàn Công Thương Hà Nội",
        "FORWARD@Công đoàn Công Thương Hà Nội→Công đoàn Công Thương Việt Nam",
        "FORWARD@Công đoàn Công Thương Việt Nam→Tổng Liên đoàn Lao động Việt Nam",
        "FILE@Công đoàn Công Thương Việt Nam→Tổng Liên đoàn Lao động Việt Nam",
      ]);
    } finally {
      await t.app.store.transaction((tx) => tx.grantRole(person.id, tld.id, "OFFICER", null));
    }
  });
});
