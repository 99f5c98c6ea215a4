/**
 * A plan's year through the sandbox: the issuing union sets its deadlines (the calendar
 * and lateness follow), a grassroots union sees where it stands, the sector union sends a
 * directive to the officers of the units below, closes the plan (nothing can be sent to it
 * any more), and opens next year's plan with its own number.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dm, group, text, type Speaker, type Where } from "../support/sandbox-client.js";
import { an, binh, cuong, giang, consent } from "../support/demo-people.js";

const binhGroup = group("grp-cdctvn-officers");
const cuongGroup = group("grp-hoachat-officers");

describe.each(backends())("a plan's year on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend); // 24/11/2026
    await consent(t, [binh, cuong, an, giang]);
  });
  afterAll(async () => t?.stop());

  const say = (who: Speaker, where: Where, input: string) => t.client.say(who, where, input);
  const pick = (who: Speaker, where: Where, label: string | RegExp) => t.client.pick(who, where, label);
  const db = () => t.app.db.prisma;
  const campaign2026 = () => db().campaign.findFirstOrThrow({ where: { year: 2026 } });

  async function register(who: Speaker, where: Where) {
    await say(who, where, "/dangky");
    for (const title of ["Tăng năng suất 10% so với năm trước", "Đào tạo 100 công nhân bậc thợ"]) {
      await pick(who, where, "Thêm nội dung");
      await pick(who, where, "Lao động giỏi");
      await say(who, where, title);
      // The unit's own plan: the key task it serves, who is responsible, one target.
      for (const answer of ["Kế hoạch sản xuất năm", "Đồng chí Chủ tịch Công đoàn", "Năng suất lao động", "%", "10"]) await say(who, where, answer);
      await pick(who, where, "Hoàn tất");
    }
    await pick(who, where, "Gửi cấp trên");
    return text(await pick(who, where, "Gửi"));
  }

  it("keeps the bot's default deadlines marked as defaults until the sector union sets them; /lich and lateness follow", async () => {
    const c = await campaign2026();
    expect(c.number).toBe("01/KH-CĐCT");
    expect(c.deadlinesDefault).toBe(true);
    expect(text(await say(an, dm(an.userId), "/lich"))).toContain("10/01/2027: Hạn gửi báo cáo kết quả Đợt 2 (mặc định, chưa được ấn định)");
    // /tiendo names a default deadline as one too, wherever it prints it.
    const ownDefaults = text(await say(an, dm(an.userId), "/tiendo"));
    expect(ownDefaults).toContain("• Đăng ký thi đua (0 nội dung, hạn 31/03/2026 – mặc định, chưa được ấn định): chưa gửi");
    expect(ownDefaults).toContain("• Báo cáo kết quả Đợt 2 (hạn 10/01/2027 – mặc định, chưa được ấn định): chưa gửi");
    expect(ownDefaults).toContain("– Đăng ký thi đua, đã quá hạn 31/03/2026 – mặc định, chưa được ấn định (lệnh /dangky)");
    expect(text(await say(cuong, cuongGroup, "/tiendo"))).toContain("Báo cáo Đợt 1 (hạn 10/09/2026 – mặc định, chưa được ấn định): 0/2 đơn vị đã gửi");

    // Only the issuing union's officers may change the plan.
    expect(text(await say(an, dm(an.userId), "/kehoach"))).toContain("Chỉ cán bộ Công đoàn Công Thương Việt Nam, đơn vị ban hành kế hoạch 01/KH-CĐCT năm 2026, mới được thay đổi kế hoạch này.");

    const plan = text(await say(binh, dm(binh.userId), "/kehoach"));
    expect(plan).toContain("Kế hoạch 01/KH-CĐCT năm 2026 – Công đoàn Công Thương Việt Nam");
    expect(plan).toContain("• Hạn đăng ký thi đua: 31/03/2026 (mặc định, chưa được ấn định)");
    expect(plan).toContain("• Đợt 2 (01/09/2026 – 31/12/2026): hạn báo cáo 10/01/2027 (mặc định, chưa được ấn định)");
    expect(text(await pick(binh, dm(binh.userId), "Ấn định các hạn"))).toContain("Nhập hạn đăng ký thi đua");
    expect(text(await say(binh, dm(binh.userId), "31/11/2026"))).toContain("Chưa đọc được ngày");
    expect(text(await say(binh, dm(binh.userId), "30/11/2026"))).toContain("Nhập hạn gửi báo cáo kết quả Đợt 1");
    await pick(binh, dm(binh.userId), "Giữ nguyên");
    const preview = text(await say(binh, dm(binh.userId), "15/01/2027"));
    expect(preview).toContain("• Hạn đăng ký thi đua: 30/11/2026\n• Hạn báo cáo Đợt 1: 10/09/2026\n• Hạn báo cáo Đợt 2: 15/01/2027");
    const saved = text(await pick(binh, dm(binh.userId), "Lưu các hạn"));
    expect(saved).toContain("Đã ấn định các hạn của Kế hoạch 01/KH-CĐCT năm 2026.");
    expect(saved).toContain("• Hạn đăng ký thi đua: 30/11/2026\n");
    expect(saved).not.toContain("mặc định");
    await pick(binh, dm(binh.userId), "Đóng");

    const calendar = text(await say(an, dm(an.userId), "/lich"));
    expect(calendar).toContain("30/11/2026: Hạn đăng ký nội dung thi đua năm 2026");
    expect(calendar).toContain("15/01/2027: Hạn gửi báo cáo kết quả Đợt 2");
    expect(calendar).not.toContain("mặc định");
    expect(text(await say(an, dm(an.userId), "/tiendo"))).not.toContain("mặc định");
    expect((await campaign2026()).deadlinesDefault).toBe(false);
    expect(await db().auditEvent.count({ where: { action: "campaign.deadlines_set" } })).toBe(1);

    // Sent before the new deadline: on time (under the default of 31/03 it would be late).
    expect(await register(giang, group("grp-pinaq-officers"))).toContain("Đã gửi đăng ký thi đua của Công đoàn Công ty CP Pin Ắc quy Phương Nam (2 nội dung)");
    // Sent after it: late.
    t.clock.set(new Date("2026-12-01T03:00:00.000Z"));
    await register(an, dm(an.userId));
    const late = async (code: string) => (await db().themeRegistration.findFirstOrThrow({ where: { unit: { code } } })).late;
    expect(await late("DEMO-PINAQ")).toBe(false);
    expect(await late("DEMO-PHANBON")).toBe(true);
  });

  it("shows a grassroots officer their own unit: where the registration waits and what is still due", async () => {
    const own = text(await say(an, dm(an.userId), "/tiendo"));
    expect(own).toContain("Tình hình của Công đoàn Công ty CP Phân bón Sông Cầu – Kế hoạch 01/KH-CĐCT năm 2026:");
    expect(own).toContain("• Đăng ký thi đua (2 nội dung, hạn 30/11/2026): đã gửi, đang chờ Công đoàn Tổng công ty Hóa chất Phương Bắc xem xét (nộp muộn)");
    expect(own).toContain("• Báo cáo kết quả Đợt 2 (hạn 15/01/2027): chưa gửi");
    expect(own).toContain("Còn phải gửi:\n– Báo cáo kết quả Đợt 1, đã quá hạn 10/09/2026 (lệnh /baocao)\n– Báo cáo kết quả Đợt 2, hạn 15/01/2027 (lệnh /baocao)");
    expect(own).not.toContain("Số đơn vị cấp dưới");

    // The level above: sent apart from accepted.
    const above = text(await say(cuong, cuongGroup, "/tiendo"));
    expect(above).toContain("Đăng ký thi đua: 2/2 đơn vị đã gửi – 0 đã được chấp nhận, 2 đã gửi, chưa được chấp nhận");
  });

  it("sends a directive to the officers of the units directly below, naming the sending union", async () => {
    expect(text(await say(binh, binhGroup, "/thongbao"))).toContain("Thông báo của Công đoàn Công Thương Việt Nam gửi tới ai?");
    await pick(binh, binhGroup, "Cán bộ công đoàn các đơn vị trực thuộc trực tiếp");
    const preview = text(await say(binh, binhGroup, "Đề nghị các đồng chí gửi báo cáo tổng kết trước ngày 15/01/2027."));
    expect(preview).toContain("📢 Công đoàn Công Thương Việt Nam thông báo:\nĐề nghị các đồng chí gửi báo cáo tổng kết trước ngày 15/01/2027.");
    expect(preview).toContain("Gửi tới: Cán bộ công đoàn các đơn vị trực thuộc trực tiếp.");
    // The officers' groups of Hóa chất Phương Bắc and Công Thương Hà Nội.
    expect(preview).toContain("Sẽ gửi tới 2 nhóm/người nhận thuộc 2 đơn vị.");
    expect(text(await pick(binh, binhGroup, "Gửi thông báo"))).toContain("Đã đưa 2 tin vào hàng gửi");
    await t.client.deliverOutbox();
    expect((await t.client.lastBot(cuongGroup.chatId))!.text).toBe("📢 Công đoàn Công Thương Việt Nam thông báo:\nĐề nghị các đồng chí gửi báo cáo tổng kết trước ngày 15/01/2027.");
    expect((await t.client.lastBot("grp-pinaq-officers"))?.text ?? "").not.toContain("thông báo:");
    expect((await t.client.lastBot("grp-pinaq-members"))?.text ?? "").not.toContain("thông báo:");
    expect((await db().broadcast.findFirstOrThrow({ orderBy: { id: "desc" } })).audience).toBe("officers_children");
  });

  /** Send a directive through /thongbao to `audience`; the preview's text. */
  async function directive(who: Speaker, where: Where, audience: string, body: string) {
    await say(who, where, "/thongbao");
    await pick(who, where, audience);
    const preview = text(await say(who, where, body));
    expect(text(await pick(who, where, "Gửi thông báo"))).toContain("vào hàng gửi");
    await t.client.deliverOutbox();
    return preview;
  }
  const lastText = async (chatId: string) => (await t.client.lastBot(chatId))?.text ?? "";

  it("sends a directive to the officers of every unit below, and to none of their members", async () => {
    const body = "Đề nghị các đồng chí rà soát danh sách công nhân trực tiếp sản xuất được đề nghị khen thưởng.";
    const preview = await directive(binh, binhGroup, "Cán bộ công đoàn tất cả các đơn vị cấp dưới", body);
    expect(preview).toContain("Gửi tới: Cán bộ công đoàn tất cả các đơn vị cấp dưới.");
    // Both upper-grassroots unions and the four grassroots unions; Phân bón has no officers' group, so An hears it privately.
    expect(preview).toContain("Sẽ gửi tới 6 nhóm/người nhận thuộc 6 đơn vị.");
    const delivered = `📢 Công đoàn Công Thương Việt Nam thông báo:\n${body}`;
    for (const chat of ["grp-hoachat-officers", "grp-cthn-officers", "dm-demo-an", "grp-pinaq-officers", "grp-detmay-officers", "grp-thucpham-officers"]) expect(await lastText(chat)).toBe(delivered);
    for (const chat of ["grp-pinaq-members", "dm-demo-minh", "grp-tld-officers"]) expect(await lastText(chat)).not.toContain(body);
    const sent = await db().outboxMessage.findMany({ where: { kind: "announcement", text: delivered } });
    expect(sent.map((m) => m.chatKey).sort()).toEqual(["web:dm-demo-an", "web:grp-cthn-officers", "web:grp-detmay-officers", "web:grp-hoachat-officers", "web:grp-pinaq-officers", "web:grp-thucpham-officers"]);
    expect((await db().broadcast.findFirstOrThrow({ orderBy: { id: "desc" } })).audience).toBe("officers_subtree");
  });

  it("sends an announcement to the officers and the members of every unit below, naming the sending union", async () => {
    const body = "Mời cán bộ và đoàn viên tham gia Hội thi an toàn vệ sinh lao động ngày 20/12/2026.";
    const preview = await directive(cuong, cuongGroup, "Cán bộ và đoàn viên tất cả các đơn vị cấp dưới", body);
    expect(preview).toContain("Gửi tới: Cán bộ và đoàn viên tất cả các đơn vị cấp dưới.");
    // Officers of Phân bón (An, privately) and Pin Ắc quy (their group); Pin Ắc quy's members' group and Minh, who follows Phân bón.
    expect(preview).toContain("Sẽ gửi tới 4 nhóm/người nhận thuộc 3 đơn vị.");
    const delivered = `📢 Công đoàn Tổng công ty Hóa chất Phương Bắc thông báo:\n${body}`;
    for (const chat of ["dm-demo-an", "grp-pinaq-officers", "grp-pinaq-members", "dm-demo-minh"]) expect(await lastText(chat)).toBe(delivered);
    // Not beyond its subtree, and not back to the sender's own group.
    for (const chat of ["grp-cthn-officers", "grp-detmay-officers", "grp-cdctvn-officers", "grp-hoachat-officers"]) expect(await lastText(chat)).not.toContain(body);
    const sent = await db().outboxMessage.findMany({ where: { kind: "announcement", text: delivered } });
    expect(sent.map((m) => m.chatKey).sort()).toEqual(["web:dm-demo-an", "web:dm-demo-minh", "web:grp-pinaq-members", "web:grp-pinaq-officers"]);
    expect((await db().broadcast.findFirstOrThrow({ orderBy: { id: "desc" } })).audience).toBe("all_subtree");
  });

  it("closes the plan: a report in progress is refused with the reason and nothing changes; progress can still be read", async () => {
    await say(giang, dm(giang.userId), "/baocao");
    await pick(giang, dm(giang.userId), "Đợt 2");
    for (const n of ["500", "2", "10000000", "5000000", "1", "3"]) await say(giang, dm(giang.userId), n);
    // Then what was reached on each registered target.
    for (const n of ["8", "9"]) await say(giang, dm(giang.userId), n);
    expect(text(await say(giang, dm(giang.userId), "Hoàn thành kế hoạch sản xuất quý IV, an toàn lao động."))).toContain("Kiểm tra lại báo cáo Đợt 2");

    // Before the officer confirms, she is told what still awaits a decision: the two registrations waiting at Hóa chất Phương Bắc.
    await say(binh, dm(binh.userId), "/kehoach");
    const confirm = text(await pick(binh, dm(binh.userId), "Kết thúc kế hoạch"));
    expect(confirm).toContain("Kết thúc Kế hoạch 01/KH-CĐCT năm 2026?");
    expect(confirm).toContain(
      "Còn 2 hồ sơ chưa được quyết định: 2 đăng ký thi đua. Sau khi kết thúc, các hồ sơ này không được xem xét nữa và được ghi là “chưa được quyết định trước khi kế hoạch kết thúc”.",
    );
    expect(text(await pick(binh, dm(binh.userId), "Kết thúc kế hoạch"))).toContain("Đã kết thúc Kế hoạch 01/KH-CĐCT năm 2026.");
    const closed = await campaign2026();
    expect(closed.status).toBe("CLOSED");
    expect(closed.closedAt).not.toBeNull();
    expect(await db().auditEvent.count({ where: { action: "campaign.closed" } })).toBe(1);

    // No item stays in a review list, and none reads as still waiting.
    expect(text(await say(cuong, cuongGroup, "/duyet"))).toContain("Không có hồ sơ nào đang chờ Công đoàn Tổng công ty Hóa chất Phương Bắc xem xét.");
    const records = await say(an, dm(an.userId), "/hoso");
    expect(records.at(-1)!.choices!.map((c) => c.label)).toContain("Đăng ký thi đua (2 nội dung) – chưa được quyết định trước khi kế hoạch kết thúc");
    const item = text(await pick(an, dm(an.userId), "Đăng ký thi đua"));
    expect(item).toContain("Kế hoạch đã kết thúc khi hồ sơ còn chờ Công đoàn Tổng công ty Hóa chất Phương Bắc xem xét: hồ sơ không được quyết định nữa.");
    expect(item).not.toContain("Hiện đang chờ");
    await pick(an, dm(an.userId), "Đóng");
    const own = text(await say(an, dm(an.userId), "/tiendo"));
    expect(own).toContain("• Đăng ký thi đua (2 nội dung, hạn 30/11/2026): chưa được quyết định trước khi kế hoạch kết thúc (nộp muộn)");
    expect(own).not.toContain("đang chờ");
    const above = text(await say(cuong, cuongGroup, "/tiendo"));
    expect(above).toContain("• Công đoàn Công ty CP Phân bón Sông Cầu: đăng ký chưa được quyết định trước khi kế hoạch kết thúc (2 nội dung)");
    expect(above).not.toContain("đang chờ xem xét");

    expect(text(await pick(giang, dm(giang.userId), "Gửi báo cáo"))).toContain("Kế hoạch 01/KH-CĐCT năm 2026 đã kết thúc: chỉ còn xem, không sửa được.");
    expect(await db().phaseReport.count({ where: { unit: { code: "DEMO-PINAQ" } } })).toBe(0);
    expect(text(await say(giang, dm(giang.userId), "/baocao"))).toContain("Chưa có kế hoạch thi đua nào đang áp dụng");
    expect(text(await say(cuong, cuongGroup, "/tiendo"))).toContain("Kế hoạch 01/KH-CĐCT năm 2026 đã kết thúc: số liệu dưới đây chỉ để xem.");
  });

  it("opens next year's plan with its own number", async () => {
    const menu = text(await say(binh, dm(binh.userId), "/kehoach"));
    expect(menu).toContain("Trạng thái: đã kết thúc");
    expect(text(await pick(binh, dm(binh.userId), "Mở kế hoạch năm sau"))).toContain("Nhập số văn bản của kế hoạch năm 2027");
    expect(text(await say(binh, dm(binh.userId), "ab"))).toContain("Nội dung quá ngắn");
    expect(text(await say(binh, dm(binh.userId), "15/KH-CĐCT"))).toContain("Đã mở Kế hoạch 15/KH-CĐCT năm 2027.");
    const next = await db().campaign.findFirstOrThrow({ where: { year: 2027 } });
    expect(next).toMatchObject({ number: "15/KH-CĐCT", status: "ACTIVE", deadlinesDefault: true });
    expect(await db().campaign.count({ where: { number: "64/KH-CĐCT" } })).toBe(0);
  });
});
