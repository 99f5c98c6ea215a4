/**
 * The other officer workflows, through the sandbox API: returning and resubmitting,
 * plaque works up to the sector union, invites for new officers, officers of two units,
 * announcements down the tree, and the spreadsheet export.
 */
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dm, group, text, type Msg, type Speaker, type Where } from "../support/sandbox-client.js";
import { binh, cuong, giang, minh, consent } from "../support/demo-people.js";

const newcomer = { userId: "khach-02", userName: "Phan Thị Hoa" };
const giangGroup = group("grp-pinaq-officers");
const cuongGroup = group("grp-hoachat-officers");

describe.each(backends())("officer workflows on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await consent(t, [giang, cuong, binh, minh]);
  });
  afterAll(async () => t?.stop());

  const say = (who: Speaker, where: Where, input: string | { choice: string }) => t.client.say(who, where, input);
  const pick = (who: Speaker, where: Where, label: string | RegExp) => t.client.pick(who, where, label);

  async function registerTwoThemes() {
    await say(giang, giangGroup, "/dangky");
    for (const title of ["Sản xuất 1 triệu ắc quy khô", "Đào tạo 200 công nhân bậc 3/7"]) {
      await pick(giang, giangGroup, "Thêm nội dung");
      await pick(giang, giangGroup, "Lao động giỏi");
      await say(giang, giangGroup, title);
      for (const answer of ["Kế hoạch sản xuất kinh doanh năm 2026", "Ban Chấp hành Công đoàn", "Sản lượng", "bình", "1.000.000"]) await say(giang, giangGroup, answer);
      await pick(giang, giangGroup, "Hoàn tất");
    }
    await pick(giang, giangGroup, "Gửi cấp trên");
    await pick(giang, giangGroup, "Gửi");
  }

  it("returns a registration with a reason; the unit edits it and sends it again", async () => {
    await registerTwoThemes();
    await say(cuong, cuongGroup, "/duyet");
    await pick(cuong, cuongGroup, "Đăng ký thi đua");
    expect(text(await pick(cuong, cuongGroup, "Trả lại"))).toContain("Lý do trả lại");
    expect(text(await say(cuong, cuongGroup, "ab"))).toContain("Nội dung quá ngắn (2 ký tự); cần ít nhất 3 ký tự.");
    expect(text(await say(cuong, cuongGroup, "Nội dung 2 cần có chỉ tiêu cụ thể theo quý"))).toContain("Đã trả lại");
    await t.client.deliverOutbox();
    const told = (await t.client.lastBot(giangGroup.chatId))!.text;
    expect(told).toContain("đã trả lại đăng ký thi đua của đơn vị (2 nội dung). Lý do: Nội dung 2 cần có chỉ tiêu cụ thể theo quý");

    const menu = text(await say(giang, giangGroup, "/dangky"));
    expect(menu).toContain("trạng thái: bị trả lại");
    expect(menu).toContain("Cấp trên đã trả lại, lý do: Nội dung 2 cần có chỉ tiêu cụ thể theo quý");
    await pick(giang, giangGroup, "Sửa một nội dung");
    await pick(giang, giangGroup, "Đào tạo 200 công nhân");
    await pick(giang, giangGroup, "Sửa tên nội dung");
    expect(text(await say(giang, giangGroup, "Đào tạo 200 công nhân bậc 3/7, mỗi quý 50 người"))).toContain("Đã sửa.");
    await pick(giang, giangGroup, "Hoàn tất");
    await pick(giang, giangGroup, "Gửi cấp trên");
    expect(text(await pick(giang, giangGroup, "Gửi"))).toContain("Đã gửi đăng ký thi đua của Công đoàn Công ty CP Pin Ắc quy Phương Nam (2 nội dung)");
    const pinaq = (await t.app.store.getUnitByCode("DEMO-PINAQ"))!;
    const reg = await t.app.db.prisma.themeRegistration.findFirstOrThrow({ where: { unitId: pinaq.id }, include: { themes: { where: { removedAt: null } } } });
    expect(reg.status).toBe("SUBMITTED");
    expect(reg.themes.map((x) => x.title)).toContain("Đào tạo 200 công nhân bậc 3/7, mỗi quý 50 người");
    const decisions = await t.app.db.prisma.reviewDecision.findMany({ where: { subjectType: "REGISTRATION", subjectId: reg.id }, orderBy: { id: "asc" } });
    expect(decisions.map((d) => [d.decision, d.reason])).toEqual([
      ["SUBMIT", null],
      ["RETURN", "Nội dung 2 cần có chỉ tiêu cụ thể theo quý"],
      ["SUBMIT", null],
    ]);
    // Sent again, it goes to the direct upper union again.
    expect(reg.atUnitId).toBe((await t.app.store.getUnitByCode("DEMO-HOACHAT"))!.id);
  });

  async function registerWork(name: string, occasion: string): Promise<string> {
    await say(giang, giangGroup, "/congtrinh");
    await pick(giang, giangGroup, "Đăng ký công trình mới");
    await say(giang, giangGroup, name);
    await say(giang, giangGroup, "Công suất 500.000 bình mỗi năm, khánh thành chào mừng Đại hội.");
    await pick(giang, giangGroup, occasion);
    expect(text(await say(giang, giangGroup, "30/4/2027"))).toContain("Dự kiến hoàn thành: 30/04/2027");
    return text(await pick(giang, giangGroup, "Gửi đăng ký"));
  }

  it("plaques a work for the upper union's congress at that level; proposes another to TLĐ through the sector union", async () => {
    expect(await registerWork("Dây chuyền ắc quy kín khí số 3", "Đại hội Công đoàn Tổng công ty Hóa chất Phương Bắc")).toContain(
      "Đã đăng ký gắn biển công trình “Dây chuyền ắc quy kín khí số 3” của Công đoàn Công ty CP Pin Ắc quy Phương Nam, chào mừng Đại hội Công đoàn Tổng công ty Hóa chất Phương Bắc; hồ sơ đã gửi Công đoàn Tổng công ty Hóa chất Phương Bắc xem xét.",
    );
    await say(cuong, cuongGroup, "/duyet");
    const item = text(await pick(cuong, cuongGroup, "Gắn biển: Dây chuyền ắc quy"));
    expect(item).toContain("Chào mừng: Đại hội Công đoàn Tổng công ty Hóa chất Phương Bắc");
    expect(text(await pick(cuong, cuongGroup, "Quyết định gắn biển"))).toContain("Đã quyết định gắn biển công trình");
    const first = await t.app.db.prisma.plaqueWork.findFirstOrThrow({ where: { name: "Dây chuyền ắc quy kín khí số 3" } });
    expect(first).toMatchObject({ status: "PLAQUED", atUnitId: null, occasionLevel: "UPPER_GRASSROOTS" });
    await t.client.deliverOutbox();
    expect((await t.client.lastBot(giangGroup.chatId))!.text).toContain("Công đoàn Tổng công ty Hóa chất Phương Bắc đã quyết định gắn biển công trình “Dây chuyền ắc quy kín khí số 3”.");

    // For the Vietnam Trade Union's congress: proposed by the upper union, then by CĐCTVN, decided by TLĐ.
    await registerWork("Nhà máy tái chế chì", "Đại hội Công đoàn Việt Nam");
    await say(cuong, cuongGroup, "/duyet");
    await pick(cuong, cuongGroup, "Gắn biển: Nhà máy tái chế chì");
    await pick(cuong, cuongGroup, "Đồng ý, đề nghị Công đoàn Công Thương Việt Nam gắn biển");
    await pick(cuong, cuongGroup, "Không có ý kiến");
    await say(binh, dm(binh.userId), "/duyet");
    const atSector = text(await pick(binh, dm(binh.userId), "Gắn biển: Nhà máy tái chế chì"));
    expect(atSector).not.toContain("Quyết định gắn biển");
    await pick(binh, dm(binh.userId), "Đồng ý, đề nghị Tổng Liên đoàn Lao động Việt Nam gắn biển");
    await pick(binh, dm(binh.userId), "Không có ý kiến");
    const second = await t.app.db.prisma.plaqueWork.findFirstOrThrow({ where: { name: "Nhà máy tái chế chì" } });
    const tld = (await t.app.store.getUnitByCode("DEMO-TLD"))!;
    expect(second).toMatchObject({ status: "PROPOSED", atUnitId: tld.id, occasionLevel: "CONFEDERATION" });

    // TLĐ has no officer in the bot here: CĐCTVN records TLĐ's answer.
    const khanh = (await t.app.store.findPersonByIdentity("web:demo-khanh"))!;
    await t.app.store.transaction((tx) => tx.revokeRole(khanh.id, tld.id, "OFFICER", null, new Date()));
    await say(binh, dm(binh.userId), "/duyet");
    await pick(binh, dm(binh.userId), "Chờ Tổng Liên đoàn: gắn biển Nhà máy tái chế chì");
    expect(text(await pick(binh, dm(binh.userId), "Ghi nhận: Tổng Liên đoàn đã quyết định gắn biển"))).toContain("Đã ghi nhận quyết định gắn biển của Tổng Liên đoàn");
    expect(await t.app.db.prisma.plaqueWork.findFirstOrThrow({ where: { id: second.id } })).toMatchObject({ status: "PLAQUED", atUnitId: null });
    const path = await t.app.store.pathOf("WORK", second.id);
    expect(path.map((p) => p.decision)).toEqual(["SUBMIT", "FORWARD", "FORWARD", "RECORD"]);
    await t.app.store.transaction((tx) => tx.grantRole(khanh.id, tld.id, "OFFICER", null));
  });

  it("turns a code from /moi into a new officer who can act at once", async () => {
    await say(cuong, dm(cuong.userId), "/moi");
    await pick(cuong, dm(cuong.userId), "Mã mời một cán bộ");
    const issued = await say(cuong, dm(cuong.userId), "DEMO-PINAQ"); // typed unit code of a unit below
    const code = /\/lienket (\S+)/.exec(text(issued))![1]!;
    expect(text(await say(newcomer, dm(newcomer.userId), `/start ${code}`))).toContain("Bạn có đồng ý không?");
    const welcome = text(await pick(newcomer, dm(newcomer.userId), "Tôi đồng ý"));
    expect(welcome).toContain("Đồng chí đã trở thành cán bộ của Công đoàn Công ty CP Pin Ắc quy Phương Nam");
    expect(text(await say(newcomer, dm(newcomer.userId), "/baocao"))).toContain("Báo cáo kết quả thi đua năm 2026 của Công đoàn Công ty CP Pin Ắc quy Phương Nam");
    await say(newcomer, dm(newcomer.userId), "/huy");
    // Codes for units outside one's reach are refused.
    await say(giang, dm(giang.userId), "/moi");
    await pick(giang, dm(giang.userId), "Mã mời một cán bộ");
    expect(text(await say(giang, dm(giang.userId), "DEMO-DETMAY"))).toContain("Không tìm thấy đơn vị có mã “DEMO-DETMAY” trong phạm vi của đồng chí.");
    await say(giang, dm(giang.userId), "/huy");
  });

  it("asks an officer of two units which one a command is for", async () => {
    const hoa = (await t.app.store.findPersonByIdentity("web:khach-02"))!;
    const thucpham = (await t.app.store.getUnitByCode("DEMO-THUCPHAM"))!;
    await t.app.store.transaction((tx) => tx.grantRole(hoa.id, thucpham.id, "OFFICER", null));
    const asked: Msg[] = await say(newcomer, dm(newcomer.userId), "/tiendo");
    expect(text(asked)).toContain("Đồng chí là cán bộ của nhiều đơn vị. Đồng chí thao tác cho đơn vị nào?");
    expect(asked.at(-1)!.choices!.map((c) => c.label).sort()).toEqual(["Công đoàn Công ty CP Pin Ắc quy Phương Nam", "Công đoàn Công ty CP Thực phẩm Hà Thành"]);
    expect(text(await say(newcomer, dm(newcomer.userId), "2"))).toContain("Tình hình của Công đoàn Công ty CP Thực phẩm Hà Thành – Kế hoạch 01/KH-CĐCT năm 2026:");
  });

  it("announces down the tree to members' groups and to members who follow privately", async () => {
    expect(text(await say(cuong, cuongGroup, "/thongbao"))).toContain("Thông báo của Công đoàn Tổng công ty Hóa chất Phương Bắc gửi tới ai?");
    expect(text(await pick(cuong, cuongGroup, "Đoàn viên"))).toContain("Gửi tới: Đoàn viên (đơn vị mình và các đơn vị trực thuộc).");
    const preview = text(await say(cuong, cuongGroup, "Mời đoàn viên tham dự Hội thao công nhân ngày 20/12 tại sân vận động tỉnh."));
    // The members' group of Pin Ắc quy (linked in the demo) and Minh, a member who has a private chat.
    expect(preview).toContain("Sẽ gửi tới 2 nhóm/người nhận thuộc 3 đơn vị.");
    expect(text(await pick(cuong, cuongGroup, "Gửi thông báo"))).toContain("Đã đưa 2 tin vào hàng gửi");
    await t.client.deliverOutbox();
    const delivered = "📢 Công đoàn Tổng công ty Hóa chất Phương Bắc thông báo:\nMời đoàn viên tham dự Hội thao công nhân ngày 20/12 tại sân vận động tỉnh.";
    expect((await t.client.lastBot("grp-pinaq-members"))!.text).toBe(delivered);
    expect((await t.client.lastBot(`dm-${minh.userId}`))!.text).toBe(delivered);
  });

  it("exports a spreadsheet of the registrations and reports below", async () => {
    expect(text(await say(cuong, cuongGroup, "/xuat"))).toContain("Tài liệu nào của Công đoàn Tổng công ty Hóa chất Phương Bắc");
    const reply = await pick(cuong, cuongGroup, "Bảng tính (.xlsx)");
    const file = reply.at(-1)?.file;
    if (!file) throw new Error(`no file in: ${text(reply)}\n${t.logs.join("\n")}`);
    expect(file.name).toBe("bao-cao-thi-dua-DEMO-HOACHAT-2026.xlsx");
    const res = await fetch(`${t.app.url}${file.url}`);
    expect(res.headers.get("content-disposition")).toContain("bao-cao-thi-dua-DEMO-HOACHAT-2026.xlsx");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual(["Đăng ký thi đua", "Báo cáo Đợt 1", "Báo cáo Đợt 2", "Điển hình, khen thưởng", "Công trình gắn biển", "Tổng hợp theo cấp"]);
    const regs = wb.getWorksheet("Đăng ký thi đua")!;
    // A title block of four lines and a blank one, the header on row 6, then the units.
    expect(regs.getCell("A2").value).toBe("Đơn vị: Công đoàn Tổng công ty Hóa chất Phương Bắc và các đơn vị trực thuộc");
    const rows = regs.getSheetValues().slice(7) as unknown[][];
    const pinaq = rows.find((r) => r[1] === "DEMO-PINAQ")!;
    expect(pinaq[3]).toBe("Công đoàn cơ sở");
    expect(pinaq[5]).toBe("đang chờ xem xét");
    expect(pinaq[7]).toBe(2);
    expect(String(pinaq[9])).toContain("Sản xuất 1 triệu ắc quy khô");
    expect(rows.map((r) => r[1])).toEqual(expect.arrayContaining(["DEMO-HOACHAT", "DEMO-PHANBON", "DEMO-PINAQ"]));
    expect(await (await fetch(`${t.app.url}/sandbox/files/not-a-real-file-id-000`)).status).toBe(404);

    // The phase report: the number shown as it will print, typed whole with the abbreviation
    // the union signs with; a place typed; the signer left blank; the direction rewritten.
    await say(cuong, cuongGroup, "/xuat");
    expect(text(await pick(cuong, cuongGroup, "Báo cáo sơ kết Đợt 1"))).toContain("Số báo cáo sẽ in: …/BC-CĐTHPB.");
    expect(text(await say(cuong, cuongGroup, "12/QĐ-CĐHC"))).toContain("Số chưa đúng.");
    const placePrompt = await say(cuong, cuongGroup, "12/BC-CĐHC");
    expect(text(placePrompt)).toContain('Địa danh và ngày tháng sẽ in: "Hà Nội, ngày');
    expect(placePrompt.at(-1)!.choices!.map((c) => c.label)).toEqual(["Hà Nội"]);
    expect(text(await say(cuong, cuongGroup, "x"))).toContain("Địa danh cần dài 2–50 ký tự");
    expect(text(await say(cuong, cuongGroup, "Việt Trì"))).toContain("Họ tên người ký");
    expect(text(await pick(cuong, cuongGroup, "Để trống"))).toContain("Phương hướng, nhiệm vụ thời gian tới");
    const doc = (await say(cuong, cuongGroup, "Đẩy mạnh thi đua nước rút quý IV.")).at(-1)?.file;
    expect(doc?.name).toBe("bao-cao-so-ket-dot-1-DEMO-HOACHAT-2026.docx");
    const docx = await JSZip.loadAsync(await (await fetch(`${t.app.url}${doc!.url}`)).arrayBuffer());
    const xml = await docx.file("word/document.xml")!.async("string");
    expect(xml).toContain("Số: 12/BC-CĐHC");
    expect(xml).toMatch(/Việt Trì, ngày \d\d tháng \d{1,2} năm 2026/);
    expect(xml).toContain("Đẩy mạnh thi đua nước rút quý IV.");
    expect(xml).toContain("TM. BAN THƯỜNG VỤ");
    // Both are the unit's from now on, each change audited with what it was.
    const hoachat = (await t.app.store.getUnitByCode("DEMO-HOACHAT"))!;
    expect([hoachat.abbreviation, hoachat.place]).toEqual(["CĐHC", "Việt Trì"]);
    const audits = await t.app.db.prisma.auditEvent.findMany({ where: { entity: "unit", entityId: String(hoachat.id), action: { in: ["unit.abbreviation_set", "unit.place_set"] } }, orderBy: { id: "asc" } });
    expect(audits.map((a) => [a.action, a.data])).toEqual([
      ["unit.abbreviation_set", { from: null, to: "CĐHC" }],
      ["unit.place_set", { from: null, to: "Việt Trì" }],
    ]);
  });

  it("makes the reward proposal list of a phase, attached to a Tờ trình, and the year's as a spreadsheet", async () => {
    const menu = await say(cuong, cuongGroup, "/xuat");
    const labels = menu.at(-1)!.choices!.map((c) => c.label);
    expect(labels).toEqual(expect.arrayContaining(["Danh sách đề nghị khen thưởng Đợt 1", "Danh sách đề nghị khen thưởng năm 2026"]));
    expect(text(await pick(cuong, cuongGroup, "Danh sách đề nghị khen thưởng Đợt 1"))).toContain("Danh sách đề nghị khen thưởng Đợt 1 năm 2026: văn bản kèm theo Tờ trình hay bảng tính?");
    // The abbreviation and the place remembered from the report are offered.
    expect(text(await pick(cuong, cuongGroup, "Văn bản (.docx)"))).toContain("Danh sách kèm theo Tờ trình số …/TTr-CĐHC.");
    expect(text(await say(cuong, cuongGroup, "21"))).toContain('"Việt Trì, ngày');
    expect(text(await pick(cuong, cuongGroup, "Việt Trì"))).toContain("Họ tên người ký");
    const reply = await say(cuong, cuongGroup, "Lê Văn Cường");
    expect(text(reply)).toContain("Danh sách đề nghị khen thưởng Đợt 1 năm 2026 của Công đoàn Tổng công ty Hóa chất Phương Bắc (.docx), kèm theo Tờ trình");
    const doc = reply.at(-1)?.file;
    expect(doc?.name).toBe("danh-sach-khen-thuong-DEMO-HOACHAT-2026.docx");
    const xml = await (await JSZip.loadAsync(await (await fetch(`${t.app.url}${doc!.url}`)).arrayBuffer())).file("word/document.xml")!.async("string");
    expect(xml).toContain("Đề nghị khen thưởng Đợt 1 năm 2026");
    expect(xml).toContain("(Kèm theo Tờ trình số 21/TTr-CĐHC ngày … tháng … năm …)");
    expect(xml).toContain("Việt Trì, ngày");
    expect(xml).not.toContain("Số: ");
    expect(xml).toContain("Lê Văn Cường");

    await say(cuong, cuongGroup, "/xuat");
    await pick(cuong, cuongGroup, "Danh sách đề nghị khen thưởng năm 2026");
    const sheet = (await pick(cuong, cuongGroup, "Bảng tính (.xlsx)")).at(-1)?.file;
    expect(sheet?.name).toBe("danh-sach-khen-thuong-DEMO-HOACHAT-2026.xlsx");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await (await fetch(`${t.app.url}${sheet!.url}`)).arrayBuffer());
    expect(wb.worksheets[0]!.getCell("A1").value).toBe("Danh sách đề nghị khen thưởng năm 2026 – thực hiện Kế hoạch số 01/KH-CĐCT");
  });
});
