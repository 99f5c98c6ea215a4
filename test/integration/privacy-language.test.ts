/**
 * A person's own data and language: the privacy notice and consent, switching to English
 * (dates stay dd/mm/yyyy in Asia/Ho_Chi_Minh), seeing what is stored, and erasure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dm, group, text } from "../support/sandbox-client.js";
import { lan, minh } from "../support/demo-people.js";

describe.each(backends())("privacy and language on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    // 31/12/2026 23:30 in Hà Nội is still 31/12 there (16:30 UTC).
    t = await startTestApp(backend, { now: "2026-12-31T16:30:00.000Z" });
  });
  afterAll(async () => t?.stop());

  it("shows the calendar to anyone without asking for consent, in Vietnamese dates", async () => {
    const cal = text(await t.client.say(minh, group("grp-pinaq-members"), "/lich"));
    expect(cal).toContain("Lịch sắp tới:");
    expect(cal).toContain("• 31/12/2026: Kết thúc Đợt 2 thi đua");
    expect(cal).toContain("• 03/02/2027: Kỷ niệm 97 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 – 03/02/2027)");
    expect(await t.app.db.prisma.consent.count()).toBe(0);
  });

  it("lists in /help only what this person may do here", async () => {
    const officerHelp = text(await t.client.say(lan, dm(lan.userId), "/help"));
    // Each command once, by its Vietnamese name only: no English alias beside it.
    expect(officerHelp).toContain("\n/baocao – báo cáo kết quả đợt thi đua\n");
    expect(officerHelp).toContain("\n/moi – tạo mã mời, mã liên kết nhóm\n");
    expect(officerHelp).toContain("\n/start – bắt đầu, xem thông báo về dữ liệu\n");
    expect(officerHelp).toContain("\n/trogiup – danh sách lệnh\n");
    expect(officerHelp).not.toMatch(/\(\/[a-z]+\)/);
    expect(officerHelp).not.toMatch(/^\/(report|invite|help|calendar) /m);
    const memberHelp = text(await t.client.say(minh, dm(minh.userId), "/help"));
    expect(memberHelp).toContain("/lich – ");
    expect(memberHelp).not.toContain("/calendar");
    expect(memberHelp).not.toContain("/baocao");
    expect(memberHelp).toContain("Bạn đang là đoàn viên hoặc chưa được cấp quyền");
    // In another unit's officers' group, Lan is not an officer: no officer commands there.
    const elsewhere = text(await t.client.say(lan, group("grp-detmay-officers"), "/help"));
    expect(elsewhere).not.toContain("/baocao");
    expect(elsewhere).not.toContain("/moi");
  });

  it("switches a person to English; dates keep the dd/mm/yyyy form", async () => {
    await t.client.say(lan, dm(lan.userId), "/ngonngu");
    expect(text(await t.client.pick(lan, dm(lan.userId), "English"))).toBe("Switched to English.");
    const help = text(await t.client.say(lan, dm(lan.userId), "/help"));
    // English readers get the English names, without the Vietnamese beside them.
    expect(help).toContain("\n/themes – register the unit's emulation themes\n");
    expect(help).toContain("\n/help – list of commands\n");
    expect(help).toContain("\n/start – start, see the data notice\n");
    expect(help).not.toMatch(/\(\/[a-z]+\)/);
    expect(help).not.toContain("/dangky");
    const cal = text(await t.client.say(lan, dm(lan.userId), "/calendar"));
    // The plan's own dates in English too: nothing Vietnamese but a name.
    expect(cal).toContain("• 31/12/2026: End of emulation phase 2");
    expect(cal.split("\n").filter((line) => /[đăâêôơưĐĂÂÊÔƠƯà-ãè-êì-íò-õù-úýĩũạ-ỹ]/iu.test(line.replace("Hồ Chí Minh", "")))).toEqual([]);
    expect(cal).toContain("• 03/02/2027: 97th anniversary of the founding of the Communist Party of Vietnam (03/02/1930 – 03/02/2027)");
    expect((await t.app.store.findPersonByIdentity("web:demo-lan"))?.locale).toBe("en");
    await t.client.say(lan, dm(lan.userId), "/language");
    expect(text(await t.client.pick(lan, dm(lan.userId), "Tiếng Việt"))).toBe("Đã chuyển sang tiếng Việt.");
  });

  it("tells a person what is stored about them", async () => {
    await t.client.say(lan, dm(lan.userId), "/start");
    await t.client.pick(lan, dm(lan.userId), "Tôi đồng ý");
    const data = text(await t.client.say(lan, dm(lan.userId), "/dulieu"));
    expect(data).toContain("• Tên hiển thị: Đỗ Thị Lan");
    expect(data).toContain("• Vai trò: Cán bộ – Công đoàn Công ty CP Thực phẩm Hà Thành");
    expect(data).toContain("• Đồng ý xử lý dữ liệu: ngày 31/12/2026 23:30 (phiên bản 2026-01)");
    expect(data).toContain("• Tài khoản đã liên kết: Web (thử nghiệm)");
    const person = (await t.app.store.findPersonByIdentity("web:demo-lan"))!;
    expect(await t.app.db.prisma.dataRequest.count({ where: { personId: person.id, kind: "ACCESS" } })).toBe(1);
  });

  it("erases a person on request, keeping the unit's records under a placeholder", async () => {
    await t.client.pick(lan, dm(lan.userId), "Xóa dữ liệu của tôi");
    expect(text(await t.client.pick(lan, dm(lan.userId), "Xóa vĩnh viễn"))).toContain("Đã xóa dữ liệu cá nhân của bạn");
    const prisma = t.app.db.prisma;
    const erased = await prisma.person.findFirstOrThrow({ where: { erasedAt: { not: null } }, include: { identities: true, roles: true, consents: true, chats: true } });
    expect(erased.displayName).toBe(`Người dùng đã xóa #${erased.id}`);
    expect(erased.identities).toEqual([]);
    expect(erased.roles.every((r) => r.revokedAt !== null)).toBe(true);
    expect(erased.consents.every((c) => c.withdrawnAt !== null && c.chatKey === "erased")).toBe(true);
    expect(await prisma.chat.count({ where: { key: "web:dm-demo-lan" } })).toBe(0);
    expect(await prisma.dataRequest.count({ where: { personId: erased.id, kind: "ERASE", completedAt: { not: null } } })).toBe(1);
    // Writing again: a new person, asked for consent again, with no rights.
    expect(text(await t.client.say(lan, dm(lan.userId), "/baocao"))).toContain("Bạn có đồng ý không?");
    const again = (await t.app.store.findPersonByIdentity("web:demo-lan"))!;
    expect(again.id).not.toBe(erased.id);
  });
});
