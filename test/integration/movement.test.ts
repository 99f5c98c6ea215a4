/**
 * A whole movement through the sandbox API, on each database: link the groups of a
 * grassroots union, register two themes, have the upper level approve them, report Phase
 * 1 (late), nominate a direct production worker, approve it, and watch the progress
 * totals change — checked in chat and in the database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dm, group, text, type Msg } from "../support/sandbox-client.js";

const an = { userId: "demo-an", userName: "Nguyễn Văn An" }; // officer, grassroots (Phân bón Sông Cầu)
const cuong = { userId: "demo-cuong", userName: "Lê Văn Cường" }; // officer, upper-grassroots (Hóa chất Phương Bắc)
const binh = { userId: "demo-binh", userName: "Trần Thị Bình" }; // officer, CĐCTVN
const anOfficers = group("grp-phanbon-officers", "Nhóm cán bộ – Phân bón Sông Cầu");
const anMembers = group("grp-phanbon-members", "Nhóm đoàn viên – Phân bón Sông Cầu");
const cuongOfficers = group("grp-hoachat-officers");

function codeIn(msgs: Msg[]): string {
  const m = /\/lienket ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(text(msgs));
  if (!m) throw new Error(`no code in: ${text(msgs)}`);
  return m[1]!;
}

describe.each(backends())("the whole movement on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => t?.stop());

  const say = (...a: Parameters<TestApp["client"]["say"]>) => t.client.say(...a);
  const pick = (...a: Parameters<TestApp["client"]["pick"]>) => t.client.pick(...a);

  async function unitIds() {
    const phanbon = (await t.app.store.getUnitByCode("DEMO-PHANBON"))!;
    const hoachat = (await t.app.store.getUnitByCode("DEMO-HOACHAT"))!;
    const [campaign] = await t.app.store.activeCampaignsIssuedBy([phanbon.parentId!, hoachat.parentId!]);
    return { phanbon, hoachat, campaign: campaign! };
  }

  it("links a grassroots union's officers' and members' groups with codes made by its officer", async () => {
    const consent = await say(an, dm(an.userId), "/moi");
    expect(text(consent)).toContain("Bạn có đồng ý không?");
    await pick(an, dm(an.userId), "Tôi đồng ý");
    await pick(an, dm(an.userId), "Mã liên kết nhóm cán bộ");
    const officersCode = codeIn(await pick(an, dm(an.userId), "Phân bón Sông Cầu"));

    const linked = await say(an, anOfficers, `/lienket ${officersCode}`);
    expect(text(linked)).toContain("Đã liên kết nhóm này làm nhóm cán bộ của Công đoàn Công ty CP Phân bón Sông Cầu");

    await say(an, dm(an.userId), "/moi");
    await pick(an, dm(an.userId), "Mã liên kết nhóm đoàn viên");
    const membersCode = codeIn(await pick(an, dm(an.userId), "Phân bón Sông Cầu"));
    expect(text(await say(an, anMembers, `/lienket ${membersCode}`))).toContain("nhóm đoàn viên");

    const chat = await t.app.store.getChat("web:grp-phanbon-members");
    const { phanbon } = await unitIds();
    expect(chat).toMatchObject({ unitId: phanbon.id, purpose: "MEMBERS", active: true });
  });

  it("registers two themes in the officers' group and sends them up", async () => {
    expect(text(await say(an, anOfficers, "/dangky"))).toContain("Đã có 0 nội dung (cần ít nhất 2)");
    await pick(an, anOfficers, "Thêm nội dung");
    await pick(an, anOfficers, "Lao động giỏi");
    expect(text(await say(an, anOfficers, "Hoàn thành dây chuyền đóng bao tự động trước 30/6"))).toContain("Đã thêm. Đơn vị có 1 nội dung.");
    await pick(an, anOfficers, "Thêm nội dung");
    await pick(an, anOfficers, "Năm vì lợi ích đoàn viên");
    await say(an, anOfficers, "Ký thỏa thuận giảm giá phân bón cho 100% đoàn viên");
    const confirm = await pick(an, anOfficers, "Gửi cấp trên");
    expect(text(confirm)).toContain("Gửi 2 nội dung đăng ký thi đua lên Công đoàn Tổng công ty Hóa chất Phương Bắc");
    expect(text(await pick(an, anOfficers, "Gửi"))).toContain("Đã gửi đăng ký 2 nội dung thi đua");

    const { phanbon, campaign } = await unitIds();
    const reg = await t.app.store.getRegistration(phanbon.id, campaign.id);
    expect(reg?.status).toBe("SUBMITTED");
    expect(reg?.themes.map((x) => x.title)).toEqual(["Hoàn thành dây chuyền đóng bao tự động trước 30/6", "Ký thỏa thuận giảm giá phân bón cho 100% đoàn viên"]);
  });

  it("tells the upper level, whose officer approves; the grassroots group is told", async () => {
    await t.client.deliverOutbox();
    expect((await t.client.lastBot(cuongOfficers.chatId))?.text).toContain("vừa gửi đăng ký 2 nội dung thi đua");

    expect(text(await say(cuong, cuongOfficers, "/duyet"))).toContain("Bạn có đồng ý không?");
    const list = await pick(cuong, cuongOfficers, "Tôi đồng ý");
    expect(text(list)).toContain("Hồ sơ chờ Công đoàn Tổng công ty Hóa chất Phương Bắc duyệt: 1");
    const item = await pick(cuong, cuongOfficers, "Đăng ký thi đua");
    expect(text(item)).toContain("Hoàn thành dây chuyền đóng bao tự động");
    expect(text(await pick(cuong, cuongOfficers, /^Duyệt$/))).toContain("Đã duyệt");

    const { phanbon, campaign } = await unitIds();
    expect((await t.app.store.getRegistration(phanbon.id, campaign.id))?.status).toBe("APPROVED");
    await t.client.deliverOutbox();
    expect((await t.client.lastBot(anOfficers.chatId))?.text).toContain("đã duyệt đăng ký thi đua của đơn vị");
  });

  it("reports Phase 1 after its deadline: accepted and marked late; the totals change", async () => {
    const before = text(await say(cuong, cuongOfficers, "/tiendo"));
    expect(before).toContain("Báo cáo Đợt 1 (hạn 10/09/2026): 0/2 đơn vị đã gửi");
    expect(before).toContain("Đăng ký thi đua: 1/2 đơn vị đã gửi – 1 đã được chấp nhận, 0 đã gửi, chưa được chấp nhận");

    expect(text(await say(an, anOfficers, "/baocao"))).toContain("chọn đợt");
    expect(text(await pick(an, anOfficers, "Đợt 1"))).toContain("(1/6) Số lượt người tham gia");
    for (const figure of ["1.250", "12", "350.000.000", "120000000", "3", "45"]) await say(an, anOfficers, figure);
    const confirm = await say(an, anOfficers, "Toàn đơn vị thi đua sôi nổi, hoàn thành vượt kế hoạch sản xuất 8%.");
    expect(text(confirm)).toContain("đã quá hạn 10/09/2026");
    expect(text(confirm)).toContain("Giá trị làm lợi của sáng kiến: 350.000.000 đồng");
    expect(text(await pick(an, anOfficers, "Gửi báo cáo"))).toContain("(ghi nhận nộp muộn)");

    const { phanbon, campaign } = await unitIds();
    const report = await t.app.store.getReport(phanbon.id, campaign.phases[0]!.id);
    expect(report).toMatchObject({ status: "SUBMITTED", late: true });
    expect(report?.figures).toEqual({ participants: 1250n, initiatives: 12n, initiative_value: 350000000n, savings: 120000000n, works_completed: 3n, commended: 45n });

    const after = text(await say(cuong, cuongOfficers, "/tiendo"));
    expect(after).toContain("Báo cáo Đợt 1 (hạn 10/09/2026): 1/2 đơn vị đã gửi – 0 đã được chấp nhận, 1 đã gửi, chưa được chấp nhận; 1 nộp muộn");
    expect(after).toContain("Lượt người tham gia: 1.250 lượt người");
  });

  it("nominates a direct production worker; the approval is announced to the members", async () => {
    await say(an, anOfficers, "/tonvinh");
    await pick(an, anOfficers, "Cá nhân");
    await say(an, anOfficers, "Đặng Văn Tuấn, tổ trưởng tổ đóng bao");
    await pick(an, anOfficers, "Có");
    await pick(an, anOfficers, "Đợt 1");
    await say(an, anOfficers, "Có 3 sáng kiến cải tiến máy đóng bao, làm lợi 120 triệu đồng.");
    const confirm = await pick(an, anOfficers, "Bằng khen của Công đoàn ngành");
    expect(text(confirm)).toContain("Công nhân trực tiếp sản xuất: Có");
    expect(text(await pick(an, anOfficers, "Gửi đề nghị"))).toContain("Đã gửi đề nghị tôn vinh Đặng Văn Tuấn");

    await say(cuong, cuongOfficers, "/duyet");
    await pick(cuong, cuongOfficers, "Tôn vinh");
    expect(text(await pick(cuong, cuongOfficers, "Duyệt đề nghị"))).toContain("Đã duyệt");

    await t.client.deliverOutbox();
    const announced = await t.client.lastBot(anMembers.chatId);
    expect(announced?.text).toContain("Biểu dương công nhân trực tiếp sản xuất Đặng Văn Tuấn");

    const progress = text(await say(cuong, cuongOfficers, "/tiendo"));
    expect(progress).toContain("công nhân trực tiếp sản xuất được duyệt: 1");
  });

  it("rolls the totals up to the sector union", async () => {
    await say(binh, dm(binh.userId), "/tiendo");
    const progress = text(await pick(binh, dm(binh.userId), "Tôi đồng ý"));
    expect(progress).toContain("Số đơn vị cấp dưới phải đăng ký, báo cáo: 6");
    expect(progress).toContain("Báo cáo Đợt 1 (hạn 10/09/2026): 1/6 đơn vị đã gửi");
    expect(progress).toContain("Giá trị thực hành tiết kiệm: 120.000.000 đồng");
  });

  it("kept an audit trail of every state change and delivered the outbox once per chat", async () => {
    const audit = await t.app.db.prisma.auditEvent.findMany({ select: { action: true } });
    const actions = audit.map((a) => a.action);
    for (const a of ["chat.linked", "registration.submitted", "registration.approve", "report.submitted", "nomination.submitted", "nomination.approve", "consent.given"]) {
      expect(actions).toContain(a);
    }
    const outbox = await t.app.db.prisma.outboxMessage.findMany();
    expect(outbox.length).toBeGreaterThanOrEqual(6);
    expect(outbox.every((o) => o.status === "SENT" && o.platformMessageId)).toBe(true);
    // Nothing said in chat reached the logs.
    expect(t.logs.join("\n")).not.toContain("Đặng Văn Tuấn");
  });
});
