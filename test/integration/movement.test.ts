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
import { an, binh, cuong, khanh } from "../support/demo-people.js";

const binhOfficers = group("grp-cdctvn-officers");
const khanhOfficers = group("grp-tld-officers");
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

  // The movement is one story, each test a chapter: a test runs the chapters before its
  // own (once each, whichever test needs them first), so it passes alone or shuffled and
  // fails for its own reason. A chapter already run by a later test's need is not repeated.
  const chapters: (() => Promise<void>)[] = [];
  function once(chapter: () => Promise<void>): () => Promise<void> {
    let run: Promise<void> | null = null;
    const f = () => (run ??= chapter());
    chapters.push(f);
    return f;
  }
  async function upTo(chapter: () => Promise<void>): Promise<void> {
    for (const c of chapters.slice(0, chapters.indexOf(chapter) + 1)) await c();
  }

  async function unitIds() {
    const phanbon = (await t.app.store.getUnitByCode("DEMO-PHANBON"))!;
    const hoachat = (await t.app.store.getUnitByCode("DEMO-HOACHAT"))!;
    const [campaign] = await t.app.store.activeCampaignsIssuedBy([phanbon.parentId!, hoachat.parentId!]);
    return { phanbon, hoachat, campaign: campaign! };
  }

  const step0 = once(async () => {
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
  it("links a grassroots union's officers' and members' groups with codes made by its officer", () => upTo(step0), 300_000);

  const step1 = once(async () => {
    expect(text(await say(an, anOfficers, "/dangky"))).toContain("Đã có 0 nội dung (cần ít nhất 2)");
    await pick(an, anOfficers, "Thêm nội dung");
    await pick(an, anOfficers, "Lao động giỏi");
    expect(text(await say(an, anOfficers, "Hoàn thành dây chuyền đóng bao tự động trước 30/6"))).toContain("Đã thêm. Đơn vị có 1 nội dung.");
    for (const answer of ["Dự án dây chuyền đóng bao tự động", "Đồng chí Phó Chủ tịch Công đoàn", "Sáng kiến được công nhận", "sáng kiến", "20"]) await say(an, anOfficers, answer);
    await pick(an, anOfficers, "Hoàn tất");
    await pick(an, anOfficers, "Thêm nội dung");
    await pick(an, anOfficers, "Năm vì lợi ích đoàn viên");
    await say(an, anOfficers, "Ký thỏa thuận giảm giá phân bón cho 100% đoàn viên");
    for (const answer of ["Chăm lo đời sống đoàn viên", "Ban nữ công", "Đoàn viên được hưởng ưu đãi", "%", "100"]) await say(an, anOfficers, answer);
    await pick(an, anOfficers, "Hoàn tất");
    const confirm = await pick(an, anOfficers, "Gửi cấp trên");
    expect(text(confirm)).toContain("Đồng chí xác nhận gửi đăng ký thi đua gồm 2 nội dung lên Công đoàn Tổng công ty Hóa chất Phương Bắc?");
    expect(text(await pick(an, anOfficers, "Gửi"))).toContain("Đã gửi đăng ký thi đua của Công đoàn Công ty CP Phân bón Sông Cầu (2 nội dung)");

    const { phanbon, campaign } = await unitIds();
    const reg = await t.app.store.getRegistration(phanbon.id, campaign.id);
    expect(reg?.status).toBe("SUBMITTED");
    expect(reg?.themes.map((x) => x.title)).toEqual(["Hoàn thành dây chuyền đóng bao tự động trước 30/6", "Ký thỏa thuận giảm giá phân bón cho 100% đoàn viên"]);
  });
  it("registers two themes in the officers' group and sends them up", () => upTo(step1), 300_000);

  const step2 = once(async () => {
    await t.client.deliverOutbox();
    expect((await t.client.lastBot(cuongOfficers.chatId))?.text).toContain("vừa gửi đăng ký 2 nội dung thi đua");
    // The sector union sees nothing before the upper union has decided.
    await say(binh, binhOfficers, "/duyet");
    expect(text(await pick(binh, binhOfficers, "Tôi đồng ý"))).toContain("Không có hồ sơ nào đang chờ Công đoàn Công Thương Việt Nam xem xét.");

    expect(text(await say(cuong, cuongOfficers, "/duyet"))).toContain("Bạn có đồng ý không?");
    const list = await pick(cuong, cuongOfficers, "Tôi đồng ý");
    expect(text(list)).toContain("Hồ sơ chờ Công đoàn Tổng công ty Hóa chất Phương Bắc xem xét: 1");
    const item = await pick(cuong, cuongOfficers, "Đăng ký thi đua");
    expect(text(item)).toContain("Hoàn thành dây chuyền đóng bao tự động");
    expect(text(item)).toContain("Công đoàn Công ty CP Phân bón Sông Cầu gửi lên Công đoàn Tổng công ty Hóa chất Phương Bắc (đ/c Nguyễn Văn An)");
    await pick(cuong, cuongOfficers, "Chấp nhận, chuyển lên Công đoàn Công Thương Việt Nam");
    expect(text(await say(cuong, cuongOfficers, "Nội dung sát nhiệm vụ sản xuất."))).toContain("Đã chuyển lên cấp trên");

    const { phanbon, campaign } = await unitIds();
    const binhUnit = (await t.app.store.getUnitByCode("DEMO-CDCTVN"))!;
    expect(await t.app.store.getRegistration(phanbon.id, campaign.id)).toMatchObject({ status: "APPROVED", atUnitId: binhUnit.id });
    await t.client.deliverOutbox();
    expect((await t.client.lastBot(anOfficers.chatId))?.text).toContain("Công đoàn Tổng công ty Hóa chất Phương Bắc đã đồng ý và chuyển đăng ký thi đua của đơn vị (2 nội dung) lên Công đoàn Công Thương Việt Nam");

    // The sector union sees it with the upper union's decision and note, and sends it on to TLĐ.
    await say(binh, binhOfficers, "/duyet");
    const atSector = text(await pick(binh, binhOfficers, "Đăng ký thi đua"));
    expect(atSector).toContain("Công đoàn Tổng công ty Hóa chất Phương Bắc chấp nhận, chuyển lên Công đoàn Công Thương Việt Nam (đ/c Lê Văn Cường). Ý kiến: “Nội dung sát nhiệm vụ sản xuất.”");
    await pick(binh, binhOfficers, "Chấp nhận, chuyển lên Tổng Liên đoàn Lao động Việt Nam");
    await pick(binh, binhOfficers, "Không có ý kiến");
    await say(khanh, khanhOfficers, "/duyet");
    await pick(khanh, khanhOfficers, "Tôi đồng ý");
    await pick(khanh, khanhOfficers, "Đăng ký thi đua");
    expect(text(await pick(khanh, khanhOfficers, "Ghi nhận đăng ký"))).toContain("Đã ghi nhận đăng ký");
    const reg = await t.app.store.getRegistration(phanbon.id, campaign.id);
    expect(reg).toMatchObject({ status: "APPROVED", atUnitId: null, filedOutside: false });
    expect(reg?.filedAt).not.toBeNull();
    const path = await t.app.store.pathOf("REGISTRATION", reg!.id);
    expect(path.map((p) => `${p.decision}@${p.unit.name}`)).toEqual([
      "SUBMIT@Công đoàn Công ty CP Phân bón Sông Cầu",
      "FORWARD@Công đoàn Tổng công ty Hóa chất Phương Bắc",
      "FORWARD@Công đoàn Công Thương Việt Nam",
      "FILE@Tổng Liên đoàn Lao động Việt Nam",
    ]);
  });
  it("goes to the direct upper union first, which accepts and forwards it; the sector union and TLĐ see it only then", () => upTo(step2), 300_000);

  const step3 = once(async () => {
    const before = text(await say(cuong, cuongOfficers, "/tiendo"));
    expect(before).toContain("Báo cáo Đợt 1 (hạn 10/09/2026 – mặc định, chưa được ấn định): 0/2 đơn vị đã gửi");
    expect(before).toContain("Đăng ký thi đua: 1/2 đơn vị đã gửi – 1 đã được chấp nhận, 0 đã gửi, chưa được chấp nhận");

    expect(text(await say(an, anOfficers, "/baocao"))).toContain("đồng chí chọn đợt báo cáo");
    expect(text(await pick(an, anOfficers, "Đợt 1"))).toContain("(1/6) Số lượt người tham gia");
    for (const figure of ["1.250", "12", "350.000.000", "120000000", "3"]) await say(an, anOfficers, figure);
    expect(text(await say(an, anOfficers, "45"))).toContain("(Chỉ tiêu 1/2) “Sáng kiến được công nhận” – kế hoạch năm 20 sáng kiến");
    for (const reached of ["12", "62,5"]) await say(an, anOfficers, reached);
    const confirm = await say(an, anOfficers, "Toàn đơn vị thi đua sôi nổi, hoàn thành vượt kế hoạch sản xuất 8%.");
    expect(text(confirm)).toContain("Sáng kiến được công nhận: kế hoạch 20, thực hiện 12 sáng kiến (60%)");
    expect(text(confirm)).toContain("Lưu ý: đã quá hạn 10/09/2026 – mặc định, chưa được ấn định; báo cáo vẫn được nhận nhưng ghi là nộp muộn.");
    expect(text(confirm)).toContain("Giá trị làm lợi của sáng kiến: 350.000.000 đồng");
    // A count is not followed by its label again as a unit.
    expect(text(confirm)).toContain("• Tập thể, cá nhân được khen thưởng: 45\n");
    expect(text(await pick(an, anOfficers, "Gửi báo cáo"))).toContain("(ghi nhận nộp muộn)");

    const { phanbon, campaign } = await unitIds();
    const report = await t.app.store.getReport(phanbon.id, campaign.phases[0]!.id);
    expect(report).toMatchObject({ status: "SUBMITTED", late: true });
    expect(report?.figures).toEqual({ participants: 1250n, initiatives: 12n, initiative_value: 350000000n, savings: 120000000n, works_completed: 3n, commended: 45n });

    const after = text(await say(cuong, cuongOfficers, "/tiendo"));
    expect(after).toContain("Báo cáo Đợt 1 (hạn 10/09/2026 – mặc định, chưa được ấn định): 1/2 đơn vị đã gửi – 0 đã được chấp nhận, 1 đã gửi, chưa được chấp nhận; 1 nộp muộn");
    expect(after).toContain("Lượt người tham gia: 1.250");
  });
  it("reports Phase 1 after its deadline: accepted and marked late; the totals change", () => upTo(step3), 300_000);

  const step4 = once(async () => {
    await say(an, anOfficers, "/tonvinh");
    await pick(an, anOfficers, "Cá nhân");
    await say(an, anOfficers, "Đặng Văn Tuấn");
    await say(an, anOfficers, "Tổ trưởng tổ đóng bao, Phân xưởng Đóng gói");
    await pick(an, anOfficers, "Có");
    await pick(an, anOfficers, "Đợt 1");
    await say(an, anOfficers, "Có 3 sáng kiến cải tiến máy đóng bao, làm lợi 120 triệu đồng.");
    const confirm = await pick(an, anOfficers, "Bằng khen của Công đoàn ngành");
    expect(text(confirm)).toContain("Công nhân trực tiếp sản xuất: Có");
    expect(text(confirm)).toContain("Chức vụ, đơn vị công tác: Tổ trưởng tổ đóng bao, Phân xưởng Đóng gói");
    expect(text(await pick(an, anOfficers, "Gửi đề nghị"))).toContain("Đã gửi đề nghị khen thưởng Đặng Văn Tuấn");

    // The upper union cannot grant a sector Bằng khen: it proposes it upwards.
    await say(cuong, cuongOfficers, "/duyet");
    const item = text(await pick(cuong, cuongOfficers, "Đề nghị khen thưởng"));
    expect(item).not.toContain("Quyết định khen thưởng");
    await pick(cuong, cuongOfficers, "Đồng ý, đề nghị lên Công đoàn Công Thương Việt Nam");
    expect(text(await pick(cuong, cuongOfficers, "Không có ý kiến"))).toContain("Đã chuyển lên cấp trên");
    await t.client.deliverOutbox();
    const beforeGrant = await t.client.messages(anMembers.chatId);
    expect(beforeGrant.map((m) => m.text).join("\n")).not.toContain("Đặng Văn Tuấn");

    // The sector union grants it, with the decision's number and date: only then are members told.
    await say(binh, binhOfficers, "/duyet");
    const list = text(await pick(binh, binhOfficers, /^Đóng$/).then(() => say(binh, binhOfficers, "/duyet")));
    expect(list).toContain("Đề nghị khen thưởng: 1, trong đó 1 công nhân trực tiếp sản xuất (100%).");
    await pick(binh, binhOfficers, "Đề nghị khen thưởng");
    await pick(binh, binhOfficers, "Quyết định khen thưởng");
    await say(binh, binhOfficers, "123/QĐ-CĐCT");
    expect(text(await pick(binh, binhOfficers, "Hôm nay"))).toContain("Đã ghi nhận quyết định khen thưởng");

    await t.client.deliverOutbox();
    const announced = await t.client.lastBot(anMembers.chatId);
    expect(announced?.text).toContain("Chúc mừng đồng chí Đặng Văn Tuấn, công nhân trực tiếp sản xuất (Công đoàn Công ty CP Phân bón Sông Cầu), được Công đoàn Công Thương Việt Nam tặng Bằng khen (Quyết định số 123/QĐ-CĐCT ngày 24/11/2026)");
    const { phanbon, campaign } = await unitIds();
    const [n] = await t.app.store.nominationsOf(phanbon.id, campaign.id);
    expect(n).toMatchObject({ status: "APPROVED", decisionNumber: "123/QĐ-CĐCT", decisionDate: "2026-11-24", atUnitId: null });

    const progress = text(await say(cuong, cuongOfficers, "/tiendo"));
    // Each status in the words of a nomination ("đã được khen thưởng", not "đã chấp nhận").
    expect(progress).toContain("Đề nghị khen thưởng: 1 đã được khen thưởng. Công nhân trực tiếp sản xuất đã được khen thưởng: 1");
  });
  it("proposes a direct production worker for a sector Bằng khen: the upper union forwards it, members are told only when the sector union decides", () => upTo(step4), 300_000);

  const step5 = once(async () => {
    const progress = text(await say(binh, dm(binh.userId), "/tiendo"));
    expect(progress).toContain("Số đơn vị cấp dưới phải đăng ký, báo cáo: 6");
    expect(progress).toContain("Báo cáo Đợt 1 (hạn 10/09/2026 – mặc định, chưa được ấn định): 1/6 đơn vị đã gửi");
    expect(progress).toContain("Giá trị thực hành tiết kiệm: 120.000.000 đồng");
  });
  it("rolls the totals up to the sector union", () => upTo(step5), 300_000);

  const step6 = once(async () => {
    const audit = await t.app.db.prisma.auditEvent.findMany({ select: { action: true } });
    const actions = audit.map((a) => a.action);
    for (const a of ["chat.linked", "registration.submitted", "registration.forward", "registration.file", "report.submitted", "nomination.submitted", "nomination.forward", "nomination.grant", "consent.given"]) {
      expect(actions).toContain(a);
    }
    await t.client.deliverOutbox();
    const outbox = await t.app.db.prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
    expect(outbox.filter((o) => o.status !== "SENT" || !o.platformMessageId)).toEqual([]);
    // Per chat, exactly the messages the story caused, by kind.
    const perChat: Record<string, Record<string, number>> = {};
    for (const o of outbox) {
      const chat = (perChat[o.chatKey.replace(/^web:/, "")] ??= {});
      chat[o.kind] = (chat[o.kind] ?? 0) + 1;
    }
    expect(perChat).toEqual({
      // Cường's union saw the registration, the report and the nomination arrive; the sector
      // union the two it forwarded; TLĐ the registration filed with it.
      "grp-hoachat-officers": { "review.request": 3 },
      "grp-cdctvn-officers": { "review.request": 2 },
      "grp-tld-officers": { "review.request": 1 },
      // An's officers heard each decision on what they sent up.
      "grp-phanbon-officers": { "review.decision": 5 },
      // The commendation, to the members' group and to the member who follows privately.
      "grp-phanbon-members": { commendation: 1 },
      "dm-demo-minh": { commendation: 1 },
    });
    // Each row reached its chat exactly once: its text shows in the chat's transcript as
    // many times as rows with that text were written for that chat (a second delivery, or
    // none, would show).
    for (const chatId of Object.keys(perChat)) {
      const rows = outbox.filter((o) => o.chatKey === `web:${chatId}`);
      const shown = (await t.client.messages(chatId)).filter((m) => m.from === "bot").map((m) => m.text);
      for (const row of rows) {
        expect(shown.filter((x) => x === row.text).length, `${chatId}: ${row.text.slice(0, 60)}`).toBe(rows.filter((r) => r.text === row.text).length);
      }
    }
    // Nothing said in chat reached the logs.
    expect(t.logs.join("\n")).not.toContain("Đặng Văn Tuấn");
  });
  it("kept an audit trail of every state change and delivered the outbox once per chat", () => upTo(step6), 300_000);
});
