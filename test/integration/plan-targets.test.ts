/**
 * A unit's own implementation plan and what follows from it, through the sandbox API:
 * themes need a key task, who is responsible and concrete targets before they can be sent
 * up; a phase report asks what was reached on each target and shows it against the plan;
 * a returned nomination is amended in full and sent again after a preview.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { dm, group, text } from "../support/sandbox-client.js";
import { an, cuong, consent } from "../support/demo-people.js";

const anChat = dm(an.userId);
const cuongGroup = group("grp-hoachat-officers");

describe("an implementation plan with targets, reported against", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite");
    await consent(t, [an, cuong]);
  });
  afterAll(async () => t?.stop());

  const say = (...a: Parameters<TestApp["client"]["say"]>) => t.client.say(...a);
  const pick = (...a: Parameters<TestApp["client"]["pick"]>) => t.client.pick(...a);

  async function registrationRow() {
    const phanbon = (await t.app.store.getUnitByCode("DEMO-PHANBON"))!;
    return t.app.db.prisma.themeRegistration.findFirstOrThrow({
      where: { unitId: phanbon.id },
      include: { themes: { where: { removedAt: null }, orderBy: { id: "asc" }, include: { targets: { where: { removedAt: null }, orderBy: { id: "asc" } } } } },
    });
  }

  it("refuses to send a registration while a theme has no target, and changes nothing", async () => {
    await say(an, anChat, "/dangky");
    await pick(an, anChat, "Thêm nội dung");
    await pick(an, anChat, "Lao động giỏi");
    expect(text(await say(an, anChat, "Hoàn thành dây chuyền đóng bao tự động trước 30/6"))).toContain("phục vụ nhiệm vụ trọng tâm hoặc công trình trọng điểm nào");
    expect(text(await say(an, anChat, "Dự án dây chuyền đóng bao tự động"))).toContain("Ai phụ trách");
    expect(text(await say(an, anChat, "Đồng chí Phó Chủ tịch Công đoàn"))).toContain("Chỉ tiêu 1 của nội dung");
    expect(text(await say(an, anChat, "Sáng kiến được công nhận"))).toContain("Đơn vị tính");
    expect(text(await say(an, anChat, "sáng kiến"))).toContain("Kế hoạch cả năm");
    expect(text(await say(an, anChat, "hai mươi"))).toContain("Vui lòng nhập một số");
    const more = text(await say(an, anChat, "20"));
    expect(more).toContain("Đã thêm chỉ tiêu. Nội dung có 1 chỉ tiêu.");
    expect(more).toContain("Chỉ tiêu: Sáng kiến được công nhận — 20 sáng kiến");
    await pick(an, anChat, "Hoàn tất");

    // The second theme is left at its title: no key task, nobody responsible, no target.
    await pick(an, anChat, "Thêm nội dung");
    await pick(an, anChat, "Năm vì lợi ích đoàn viên");
    await say(an, anChat, "Ký thỏa thuận giảm giá phân bón cho đoàn viên");
    await say(an, anChat, "/huy");
    const menu = text(await say(an, anChat, "/dangky"));
    expect(menu).toContain("Chưa đủ để gửi");
    expect(menu).toContain("Nhiệm vụ trọng tâm: Dự án dây chuyền đóng bao tự động");

    const before = await registrationRow();
    const refused = text(await pick(an, anChat, "Gửi cấp trên"));
    expect(refused).toContain("Nội dung “Ký thỏa thuận giảm giá phân bón cho đoàn viên” chưa đủ");
    expect(await registrationRow()).toEqual(before);
    expect(before.status).toBe("DRAFT");
  });

  it("sends two complete themes up, marked late after the registration deadline", async () => {
    await pick(an, anChat, "Sửa một nội dung");
    await pick(an, anChat, "Ký thỏa thuận giảm giá");
    await pick(an, anChat, "Sửa nhiệm vụ trọng tâm");
    await say(an, anChat, "Chăm lo đời sống đoàn viên");
    await pick(an, anChat, "Sửa người phụ trách");
    await say(an, anChat, "Ban nữ công");
    await pick(an, anChat, /^Thêm chỉ tiêu$/);
    await say(an, anChat, "Đoàn viên được hưởng ưu đãi");
    await say(an, anChat, "%");
    await say(an, anChat, "80");
    await pick(an, anChat, "Thêm chỉ tiêu khác");
    await say(an, anChat, "Giá trị ưu đãi");
    await say(an, anChat, "triệu đồng");
    await say(an, anChat, "1.250,5");
    await pick(an, anChat, "Hoàn tất");
    // Remove the last target again: it is marked removed, not deleted.
    await pick(an, anChat, "Bỏ một chỉ tiêu");
    expect(text(await pick(an, anChat, "Giá trị ưu đãi"))).toContain("Đã bỏ chỉ tiêu. Còn 1 chỉ tiêu.");
    const menu = text(await pick(an, anChat, "Hoàn tất"));
    expect(menu).toContain("Người phụ trách: Ban nữ công");
    expect(menu).toContain("Chỉ tiêu: Đoàn viên được hưởng ưu đãi — 80 %");
    expect(menu).not.toContain("Chưa đủ để gửi");

    await pick(an, anChat, "Gửi cấp trên");
    const sent = text(await pick(an, anChat, /^Gửi$/));
    expect(sent).toContain("Đã gửi đăng ký thi đua của Công đoàn Công ty CP Phân bón Sông Cầu (2 nội dung)");
    expect(sent).toContain("(quá hạn đăng ký – hạn mặc định, chưa được ấn định)");
    expect(text(await say(an, anChat, "/dangky"))).toContain("(quá hạn đăng ký – hạn mặc định, chưa được ấn định)");

    const reg = await registrationRow();
    expect(reg).toMatchObject({ status: "SUBMITTED", late: true });
    expect(reg.themes.map((th) => [th.keyTask, th.responsible, th.targets.map((x) => [x.indicator, x.measure, Number(x.planned)])])).toEqual([
      ["Dự án dây chuyền đóng bao tự động", "Đồng chí Phó Chủ tịch Công đoàn", [["Sáng kiến được công nhận", "sáng kiến", 20]]],
      ["Chăm lo đời sống đoàn viên", "Ban nữ công", [["Đoàn viên được hưởng ưu đãi", "%", 80]]],
    ]);
    expect(await t.app.db.prisma.themeTarget.count({ where: { removedAt: { not: null } } })).toBe(1);
  });

  it("asks each registered target in the phase report and shows planned against reached", async () => {
    await say(an, anChat, "/baocao");
    expect(text(await pick(an, anChat, "Đợt 1"))).toContain("kết quả 2 chỉ tiêu đơn vị đã đăng ký");
    for (const figure of ["1.250", "12", "350.000.000", "120000000", "3"]) await say(an, anChat, figure);
    expect(text(await say(an, anChat, "45"))).toContain("(Chỉ tiêu 1/2) “Sáng kiến được công nhận” – kế hoạch năm 20 sáng kiến");
    expect(text(await say(an, anChat, "12,555"))).toContain("tối đa hai chữ số thập phân");
    expect(text(await say(an, anChat, "12"))).toContain("(Chỉ tiêu 2/2) “Đoàn viên được hưởng ưu đãi”");
    await say(an, anChat, "62,5");
    const preview = text(await say(an, anChat, "Toàn đơn vị thi đua sôi nổi, hoàn thành vượt kế hoạch sản xuất 8%."));
    expect(preview).toContain("Sáng kiến được công nhận: kế hoạch 20, thực hiện 12 sáng kiến (60%)");
    expect(preview).toContain("Đoàn viên được hưởng ưu đãi: kế hoạch 80, thực hiện 62,5 % (78%)");
    await pick(an, anChat, "Gửi báo cáo");

    const report = await t.app.db.prisma.phaseReport.findFirstOrThrow({ include: { targets: { include: { target: true }, orderBy: { targetId: "asc" } } } });
    expect(report.targets.map((r) => [r.target.indicator, Number(r.value)])).toEqual([
      ["Sáng kiến được công nhận", 12],
      ["Đoàn viên được hưởng ưu đãi", 62.5],
    ]);
    // The reviewer sees the same lines.
    await say(cuong, cuongGroup, "/duyet");
    expect(text(await pick(cuong, cuongGroup, "Báo cáo Đợt 1"))).toContain("Sáng kiến được công nhận: kế hoạch 20, thực hiện 12 sáng kiến (60%)");
    await say(cuong, cuongGroup, "/huy");
  });

  it("amends a returned nomination in full and sends it again after a preview", async () => {
    await say(an, anChat, "/tonvinh");
    await pick(an, anChat, "Cá nhân");
    await say(an, anChat, "Đặng Văn Tuấn");
    await pick(an, anChat, "Bỏ qua");
    await pick(an, anChat, /^Không$/);
    await pick(an, anChat, "Đợt 1");
    // Only forms granted by a level above the unit are offered: not the grassroots union's own.
    const offered = (await say(an, anChat, "Có 3 sáng kiến cải tiến máy đóng bao, làm lợi 120 triệu đồng.")).at(-1)!.choices!.map((c) => c.label);
    expect(offered).toContain("Giấy khen của Công đoàn cấp trên trực tiếp cơ sở");
    expect(offered).not.toContain("Giấy khen của Ban Chấp hành Công đoàn cơ sở");
    await pick(an, anChat, "Bằng khen của Công đoàn ngành");
    expect(text(await pick(an, anChat, "Gửi đề nghị"))).toContain("Đã gửi đề nghị khen thưởng Đặng Văn Tuấn");

    await say(cuong, cuongGroup, "/duyet");
    await pick(cuong, cuongGroup, "Đề nghị khen thưởng: Đặng Văn Tuấn");
    await pick(cuong, cuongGroup, "Trả lại để bổ sung");
    expect(text(await say(cuong, cuongGroup, "Ghi rõ chức vụ; anh Tuấn là công nhân trực tiếp sản xuất"))).toContain("Đã trả lại");

    const menu = text(await say(an, anChat, "/tonvinh"));
    expect(menu).toContain("Có 1 đề nghị bị trả lại");
    const amendReply = await pick(an, anChat, "Sửa: Đặng Văn Tuấn");
    const amend = text(amendReply);
    expect(amendReply.at(-1)!.choices!.map((c) => c.label)).toEqual(expect.arrayContaining(["Sửa: cá nhân/tập thể", "Sửa: công nhân trực tiếp", "Gửi lại"]));
    expect(amend).toContain("lý do: Ghi rõ chức vụ; anh Tuấn là công nhân trực tiếp sản xuất");
    expect(amend).toContain("Công nhân trực tiếp sản xuất: Không");
    expect(text(await pick(an, anChat, "Sửa: tên"))).toContain("Hiện tại: Đặng Văn Tuấn");
    await say(an, anChat, "Đặng Văn Tuấn (tổ đóng bao)");
    await pick(an, anChat, "Sửa: chức vụ");
    await say(an, anChat, "Tổ trưởng tổ đóng bao, Phân xưởng Đóng gói");
    await pick(an, anChat, "Sửa: công nhân trực tiếp");
    await pick(an, anChat, /^Có$/);
    await pick(an, anChat, "Sửa: hình thức");
    const preview = text(await pick(an, anChat, "Giấy khen của Công đoàn cấp trên"));
    expect(preview).toContain("Cá nhân: Đặng Văn Tuấn (tổ đóng bao)");
    expect(preview).toContain("Chức vụ, đơn vị công tác: Tổ trưởng tổ đóng bao, Phân xưởng Đóng gói");
    expect(preview).toContain("Công nhân trực tiếp sản xuất: Có");
    expect(preview).toContain("Hình thức đề nghị: Giấy khen của Công đoàn cấp trên trực tiếp cơ sở");
    expect(text(await pick(an, anChat, "Gửi lại"))).toContain("Đã gửi lại đề nghị khen thưởng Đặng Văn Tuấn (tổ đóng bao)");

    const row = await t.app.db.prisma.nomination.findFirstOrThrow({ include: { form: true } });
    expect(row).toMatchObject({ status: "SUBMITTED", nomineeName: "Đặng Văn Tuấn (tổ đóng bao)", position: "Tổ trưởng tổ đóng bao, Phân xưởng Đóng gói", directWorker: true });
    expect(row.form.code).toBe("giay_khen_ctcs");
    const hoachat = (await t.app.store.getUnitByCode("DEMO-HOACHAT"))!;
    expect(row.atUnitId).toBe(hoachat.id);
  });
});
