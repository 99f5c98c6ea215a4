/**
 * The papers that go up the tree, opened and read: the phase and year reports (.docx in the
 * union's layout) and the reward proposal list (.docx and .xlsx), made from a movement the
 * demo officers built through the use cases.
 */
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { buildDocumentsWorld, personaEnv, type DocumentsWorld } from "../support/documents-world.js";
import { abbreviate, documentDateParts, exportDocument, type DocumentKind, type DocumentOptions } from "../../src/core/usecases/documents.js";
import { exportReports } from "../../src/core/usecases/progress.js";
import { submitReport, targetsToReport } from "../../src/core/usecases/submissions.js";
import { decide, reviewQueue } from "../../src/core/usecases/review.js";
import { codeColumnWidth } from "../../src/core/usecases/workbook.js";
import { setUnitDetails } from "../../src/core/usecases/units.js";
import { docxWriter } from "../../src/infra/docx.js";
import { xlsxWriter } from "../../src/infra/spreadsheet.js";
import { createFromTemplate } from "../../src/core/usecases/campaigns.js";
import { loadTemplate } from "../../src/seed/load.js";
import { backends } from "../support/database.js";
import type { Campaign, Phase, Unit } from "../../src/core/model.js";

const NOW = "2026-09-05T03:00:00.000Z";

/** The visible text of a WordprocessingML part, paragraph by paragraph. */
function paragraphs(xml: string): string[] {
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) => [...m[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(""));
}

/** Rows of the n-th table (nested tables excluded) as cell texts. */
function tableRows(xml: string): string[][][] {
  const tables: string[][][] = [];
  for (const tbl of xml.split("<w:tbl>").slice(1)) {
    const body = tbl.split("</w:tbl>")[0]!;
    tables.push([...body.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((tr) => [...tr[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((tc) => paragraphs(tc[0]).join("\n"))));
  }
  return tables;
}

/** The font size, in half-points, of the first run whose text starts with `start`. */
function runSize(xml: string, start: string): number | undefined {
  for (const r of xml.matchAll(/<w:r>([\s\S]*?)<\/w:r>/g)) {
    const text = /<w:t(?: [^>]*)?>([^<]*)<\/w:t>/.exec(r[1]!)?.[1];
    if (text?.startsWith(start)) return Number(/<w:sz w:val="(\d+)"\/>/.exec(r[1]!)?.[1]);
  }
  return undefined;
}

/** Twips per millimetre. */
const MM = 1440 / 25.4;

async function open(bytes: Uint8Array) {
  const zip = await JSZip.loadAsync(bytes);
  const part = async (name: string) => (await zip.file(name)?.async("string")) ?? "";
  return { zip, part, document: await part("word/document.xml") };
}

describe.each(backends())("documents that go up the tree on %s", (backend) => {
  let t: TestApp;
  let w: DocumentsWorld;
  let phase1: Phase;
  beforeAll(async () => {
    t = await startTestApp(backend, { now: NOW });
    w = await buildDocumentsWorld(t.app, new Date(NOW));
    phase1 = w.campaign.phases[0]!;
  }, 120_000);
  afterAll(async () => t?.stop());

  const make = (who: string, unit: Unit, kind: DocumentKind, phase: Phase | null, options?: DocumentOptions, campaign?: Campaign) =>
    t.app.store.transaction(async (tx) => exportDocument(await personaEnv(t.app, tx, who, new Date(NOW)), { unit, campaign: campaign ?? w.campaign, phase, kind, options }, { document: docxWriter(), spreadsheet: xlsxWriter() }, "vi"));

  it("writes the phase report in the union's layout: A4, margins, header block, date, title, totals, signature", async () => {
    const file = await make("demo-cuong", w.hoachat, "report", phase1, { number: "12", signer: "Lê Văn Cường" });
    expect(file.name).toBe("bao-cao-so-ket-dot-1-DEMO-HOACHAT-2026.docx");
    const { document, part, zip } = await open(file.data);

    // Page: A4 portrait, top/bottom 20 mm, left 30 mm, right 15 mm; a first page of its own (no number on it).
    expect(document).toMatch(/<w:pgSz w:w="11906" w:h="16838" w:orient="portrait"\/>/);
    const margin = document.match(/<w:pgMar ([^>]*)\/>/)![1]!;
    expect(margin).toContain('w:top="1134"');
    expect(margin).toContain('w:bottom="1134"');
    expect(margin).toContain('w:left="1701"');
    expect(margin).toContain('w:right="850"');
    expect(document).toContain("<w:titlePg/>");
    // Page numbers from page 2: the default header holds the PAGE field, the first page's header is empty.
    const headers = await Promise.all(Object.keys(zip.files).filter((n) => /^word\/header\d+\.xml$/.test(n)).map(part));
    expect(headers.some((h) => h.includes("PAGE"))).toBe(true);
    expect(headers.some((h) => !h.includes("PAGE"))).toBe(true);
    expect(document).toContain('w:ascii="Times New Roman"');
    // The header block's right column is wide enough for "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    // (about 95 mm at 12 pt bold) on one line: at least 100 mm of the block's 173.
    const grid = [...document.split("<w:tbl>")[1]!.split("</w:tblGrid>")[0]!.matchAll(/<w:gridCol w:w="(\d+)"\/>/g)].map((m) => Number(m[1]));
    expect(grid).toHaveLength(2);
    expect(grid[1]).toBeGreaterThanOrEqual(Math.round(100 * MM));
    expect(grid[0]! + grid[1]!).toBeLessThanOrEqual(Math.round(174 * MM));
    // Sizes in half-points: the body 14 pt, "Số:" 13 pt, the national title 12 pt, the page number 13 pt.
    expect(runSize(document, "Thực hiện Kế hoạch số")).toBe(28);
    expect(runSize(document, "Số: 12/BC-")).toBe(26);
    expect(runSize(document, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")).toBe(24);
    const pageRun = headers.join("").match(/<w:r>(?:(?!<\/w:r>)[\s\S])*?<w:instrText[^>]*>PAGE<\/w:instrText><\/w:r>/)![0];
    expect(pageRun).toContain('<w:sz w:val="26"/>');

    const text = paragraphs(document);
    // Header block: the upper body, the issuing unit in bold, the number; the nation and motto; the date in italics.
    expect(text.slice(0, 8)).toEqual([
      "CÔNG ĐOÀN CÔNG THƯƠNG VIỆT NAM",
      "CÔNG ĐOÀN TỔNG CÔNG TY HÓA CHẤT PHƯƠNG BẮC",
      "",
      "Số: 12/BC-CĐTHPB",
      "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
      "Độc lập - Tự do - Hạnh phúc",
      "",
      "Hà Nội, ngày 05 tháng 9 năm 2026",
    ]);
    expect(document).toMatch(/<w:b\/>[\s\S]{0,200}<w:t[^>]*>CÔNG ĐOÀN TỔNG CÔNG TY HÓA CHẤT PHƯƠNG BẮC</);
    expect(document).toMatch(/<w:i\/>[\s\S]{0,200}<w:t[^>]*>Hà Nội, ngày 05 tháng 9 năm 2026</);
    expect(text).toContain("BÁO CÁO");
    expect(text).toContain("Sơ kết phong trào thi đua Đợt 1 năm 2026");
    expect(text).toContain(`thực hiện Kế hoạch số ${w.campaign.number}`);
    expect(text).toContain("- Đã gửi báo cáo kết quả: 2 đơn vị, tất cả đều gửi đúng hạn (hạn 10/9/2026).");

    const tables = tableRows(document);
    // The figures by unit: each grassroots union, then the totals as grouped numbers.
    const figures = tables.find((tb) => tb[0]![0] === "STT" && tb[0]![2]!.startsWith("Lượt người tham gia"))!;
    // Column headings say their unit only where the label does not already say what is counted.
    expect(figures[0]!.slice(2)).toEqual(["Lượt người tham gia", "Sáng kiến, cải tiến kỹ thuật", "Giá trị làm lợi của sáng kiến (đồng)", "Giá trị thực hành tiết kiệm (đồng)", "Công trình, sản phẩm hoàn thành", "Tập thể, cá nhân được khen thưởng"]);
    expect(figures.slice(1).map((r) => r[1])).toEqual(["Công đoàn Công ty CP Phân bón Sông Cầu", "Công đoàn Công ty CP Pin Ắc quy Phương Nam", "Tổng cộng"]);
    expect(figures.at(-1)!.slice(2, 6)).toEqual(["2.230", "19", "2.065.500.000", "550.000.000"]);
    // Against the registered targets: 4 targets, 4 answered, 3 reached (the accumulators are at 64%).
    const targets = tables.find((tb) => tb[0]!.includes("Chỉ tiêu đăng ký"))!;
    expect(targets.at(-1)).toEqual(["", "Tổng cộng", "4", "4", "3", "75%"]);
    // Exemplars: the direct worker is marked; the decision is shown with its number.
    expect(text).toContain("- Trần Văn Hùng, Công nhân vận hành, Phân xưởng Urê (Công đoàn Công ty CP Phân bón Sông Cầu): 3 sáng kiến làm lợi 450 triệu đồng (công nhân trực tiếp sản xuất).");
    expect(text.join("\n")).not.toContain("(CN trực tiếp");
    const rewards = tables.find((tb) => tb[0]!.includes("Quyết định khen thưởng"))!;
    // The reward by the unit that decided it, not by the catalogue's level ("Giấy khen của Công đoàn cấp trên trực tiếp cơ sở của …").
    expect(rewards.find((r) => r[1]!.startsWith("Trần Văn Hùng"))![4]).toBe("Đã khen: Giấy khen của Công đoàn Tổng công ty Hóa chất Phương Bắc (Quyết định số 15/QĐ-CĐHC ngày 05/9/2026)");
    expect(text).toContain("- Dây chuyền sấy NPK số 2 (Công đoàn Công ty CP Phân bón Sông Cầu): đã đăng ký, chờ xem xét.");
    // The direction, from the reports' narratives; then "Nơi nhận:" and the signature block.
    expect(text).toContain("VI. PHƯƠNG HƯỚNG, NHIỆM VỤ ĐỢT TIẾP THEO");
    expect(text.some((p) => p.includes("tiếp tục phát động thi đua nước rút"))).toBe(true);
    const closing = text.slice(text.indexOf("Nơi nhận:"));
    expect(closing).toEqual([
      "Nơi nhận:",
      "- Công đoàn Công Thương Việt Nam (qua Ban Chính sách pháp luật);",
      "- Lưu: VT.",
      "TM. BAN THƯỜNG VỤ",
      "CHỦ TỊCH",
      "",
      "",
      "",
      "",
      "Lê Văn Cường",
    ]);
  });

  it("leaves the number and the signer to fill by hand, and takes the direction the officer wrote", async () => {
    const file = await make("demo-giang", w.pinaq, "report", phase1, { direction: "Tập trung hoàn thành 1 triệu ắc quy khô.\nĐẩy mạnh đào tạo tại chỗ." });
    const text = paragraphs((await open(file.data)).document);
    expect(text).toContain("Số: …/BC-CĐCCPAPN");
    expect(text.at(-1)).toBe("…");
    expect(text).toContain("Tập trung hoàn thành 1 triệu ắc quy khô.");
    expect(text).toContain("Đẩy mạnh đào tạo tại chỗ.");
    // Below the upper-grassroots union: it goes to it and, through CSPL, to the sector union.
    expect(text).toContain("- Công đoàn Tổng công ty Hóa chất Phương Bắc;");
    expect(text).toContain("- Công đoàn Công Thương Việt Nam (qua Ban Chính sách pháp luật);");
  });

  it("writes the year report (tổng kết) for a unit and its whole subtree", async () => {
    const cdct = (await t.app.store.getUnitByCode("DEMO-CDCTVN"))!;
    const file = await make("demo-binh", cdct, "report", null, { abbreviation: "CĐCT", number: "30" });
    expect(file.name).toBe("bao-cao-tong-ket-DEMO-CDCTVN-2026.docx");
    const { document } = await open(file.data);
    const text = paragraphs(document);
    expect(text).toContain("Số: 30/BC-CĐCT");
    expect(text[0]).toBe("TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM");
    // The unit that issued the plan names itself once.
    expect(text).toContain(`Thực hiện Kế hoạch số ${w.campaign.number} ngày 02/3/2026 về phát động phong trào thi đua, Công đoàn Công Thương Việt Nam báo cáo kết quả phong trào thi đua năm 2026 như sau:`);
    expect(text).toContain("Tổng kết phong trào thi đua năm 2026");
    // The year's reports counted over both phases, each with its own deadline: none is named.
    expect(text).toContain("- Đã gửi báo cáo kết quả: 2 đơn vị, tất cả đều gửi đúng hạn.");
    expect(text).toContain("VI. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM TIẾP THEO");
    // Rows per direct child with its subtree summed: Hóa chất carries both grassroots unions.
    const figures = tableRows(document).find((tb) => tb[0]![0] === "STT" && tb[0]![2]!.startsWith("Lượt người"))!;
    expect(figures.find((r) => r[1] === "Công đoàn Tổng công ty Hóa chất Phương Bắc")!.slice(2, 4)).toEqual(["2.230", "19"]);
    expect(figures.find((r) => r[1] === "Công đoàn Công Thương Hà Nội")![2]).toBe("Chưa báo cáo");
    expect(figures.at(-1)!.slice(1, 4)).toEqual(["Tổng cộng", "2.230", "19"]);
    expect(text.slice(text.indexOf("Nơi nhận:"), text.indexOf("Nơi nhận:") + 3)).toEqual(["Nơi nhận:", "- Tổng Liên đoàn Lao động Việt Nam;", "- Lưu: VT."]);
  });

  it("sends through the Ban Chính sách pháp luật only to a sector union that issued the plan", async () => {
    // Hóa chất Phương Bắc (upper-grassroots) issues a plan of its own for its grassroots unions.
    const own = await t.app.store.transaction(async (tx) => createFromTemplate(await personaEnv(t.app, tx, "demo-cuong", new Date(NOW)), loadTemplate("64-kh-cdct")!, 2026, w.hoachat, "05/KH-CĐHC"));
    const below = paragraphs((await open((await make("demo-an", w.phanbon, "report", own.phases[0]!, {}, own)).data)).document);
    expect(below.slice(below.indexOf("Nơi nhận:") + 1, below.indexOf("TM. BAN THƯỜNG VỤ"))).toEqual(["- Công đoàn Tổng công ty Hóa chất Phương Bắc;", "- Lưu: VT."]);
    const issuer = paragraphs((await open((await make("demo-cuong", w.hoachat, "report", null, {}, own)).data)).document);
    expect(issuer.slice(issuer.indexOf("Nơi nhận:") + 1, issuer.indexOf("TM. BAN THƯỜNG VỤ"))).toEqual(["- Công đoàn Công Thương Việt Nam;", "- Lưu: VT."]);
    expect(issuer.join("\n")).not.toContain("Ban Chính sách pháp luật");
    expect(issuer).toContain("Thực hiện Kế hoạch số 05/KH-CĐHC ngày 02/3/2026 về phát động phong trào thi đua, Công đoàn Tổng công ty Hóa chất Phương Bắc báo cáo kết quả phong trào thi đua năm 2026 như sau:");
  });

  it("writes the reward proposal list as .docx (landscape) and .xlsx, with direct workers marked and decisions", async () => {
    const doc = await make("demo-cuong", w.hoachat, "rewards", phase1);
    expect(doc.name).toBe("danh-sach-khen-thuong-DEMO-HOACHAT-2026.docx");
    const { document } = await open(doc.data);
    expect(document).toMatch(/<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"\/>/);
    const text = paragraphs(document);
    expect(text).toContain("DANH SÁCH");
    expect(text).toContain("Đề nghị khen thưởng Đợt 1 năm 2026");
    // Not a numbered document of its own: it goes with a Tờ trình, whose number is left to fill by hand here.
    expect(text.filter((p) => p.startsWith("Số:"))).toEqual([]);
    expect(text).toContain("(Kèm theo Tờ trình số …/TTr-CĐTHPB ngày … tháng … năm …)");
    expect(document).toMatch(/<w:i\/>[\s\S]{0,200}<w:t[^>]*>\(Kèm theo Tờ trình số/);
    expect(text.slice(text.indexOf("TM. BAN THƯỜNG VỤ"))).toEqual(["TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", "", "", "", "", "…"]);
    const numbered = paragraphs((await open((await make("demo-cuong", w.hoachat, "rewards", phase1, { number: "21", abbreviation: "CĐHC", signer: "Lê Văn Cường" })).data)).document);
    expect(numbered).toContain("(Kèm theo Tờ trình số 21/TTr-CĐHC ngày … tháng … năm …)");
    expect(numbered.at(-1)).toBe("Lê Văn Cường");
    const list = tableRows(document).find((tb) => tb[0]!.includes("Tóm tắt thành tích"))!;
    expect(list[0]).toEqual(["STT", "Họ và tên (tập thể)", "Chức vụ, đơn vị công tác", "Tóm tắt thành tích", "Hình thức đề nghị", "CN trực tiếp SX", "Quyết định khen thưởng"]);
    const hung = list.find((r) => r[1] === "Trần Văn Hùng")!;
    // The workplace is the company, not its union.
    expect(hung.slice(2, 6)).toEqual(["Công nhân vận hành, Phân xưởng Urê, Công ty CP Phân bón Sông Cầu", "3 sáng kiến làm lợi 450 triệu đồng", "Giấy khen của Công đoàn cấp trên trực tiếp cơ sở", "x"]);
    expect(list.find((r) => r[1] === "=1+2")![2]).toBe("Kỹ sư, Công ty CP Phân bón Sông Cầu");
    expect(list.find((r) => r[1] === "Tổ lắp ráp số 3")![2]).toBe("Công ty CP Pin Ắc quy Phương Nam");
    expect(hung[6]).toBe("Đã khen: Giấy khen của Công đoàn Tổng công ty Hóa chất Phương Bắc (Quyết định số 15/QĐ-CĐHC ngày 05/9/2026)");
    expect(list.find((r) => r[1] === "=1+2")![5]).toBe("");
    expect(list.at(-1)!.slice(1)).toEqual(["Tổng cộng: 3 đề nghị, 1 đã có quyết định", "", "", "", "1", ""]);

    const sheet = await make("demo-cuong", w.hoachat, "rewards_sheet", phase1);
    expect(sheet.name).toBe("danh-sach-khen-thuong-DEMO-HOACHAT-2026.xlsx");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(sheet.data.buffer as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const rows = ws.getSheetValues().filter(Boolean) as unknown[][];
    expect(ws.getCell("A1").value).toBe(`Danh sách đề nghị khen thưởng Đợt 1 năm 2026 – thực hiện Kế hoạch số ${w.campaign.number}`);
    const formulaName = ws.getColumn(2).values.findIndex((v) => v === "=1+2");
    expect(formulaName).toBeGreaterThan(0);
    expect(ws.getCell(formulaName, 2).type).toBe(ExcelJS.ValueType.String);
    expect(rows.some((r) => r[2] === "Trần Văn Hùng" && r[6] === "x")).toBe(true);
  });

  it("writes a spreadsheet the department can use as it is: title block, tree order, levels, subtotals, formats", async () => {
    const file = await t.app.store.transaction(async (tx) => exportReports(await personaEnv(t.app, tx, "demo-cuong", new Date(NOW)), w.hoachat, w.campaign, xlsxWriter(), "vi"));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.data.buffer as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(["Đăng ký thi đua", "Báo cáo Đợt 1", "Báo cáo Đợt 2", "Điển hình, khen thưởng", "Công trình gắn biển", "Tổng hợp theo cấp"]);
    const p1 = wb.getWorksheet("Báo cáo Đợt 1")!;
    expect(p1.getCell("A1").value).toBe(`Kế hoạch số ${w.campaign.number} – phong trào thi đua năm 2026: Báo cáo Đợt 1`);
    expect(p1.getCell("A2").value).toBe("Đơn vị: Công đoàn Tổng công ty Hóa chất Phương Bắc và các đơn vị trực thuộc");
    expect(p1.getCell("A4").value).toBe("Ngày lập: 05/09/2026");
    expect(p1.views[0]).toMatchObject({ state: "frozen", ySplit: 6 });
    const header = p1.getRow(6).values as unknown[];
    expect(header.slice(1, 7)).toEqual(["Mã đơn vị", "Đơn vị", "Cấp công đoàn", "Trạng thái", "Nộp muộn", "Lượt người tham gia"]);
    expect(header[8]).toBe("Giá trị làm lợi của sáng kiến (đồng)");
    // Tree order with indentation: the upper-grassroots union, then its two grassroots unions one step in.
    // (An indent shows only on a left-aligned cell: LibreOffice and Excel ignore it otherwise.)
    expect([7, 8, 9].map((r) => [p1.getCell(r, 1).value, p1.getCell(r, 3).value, p1.getCell(r, 2).alignment?.indent ?? 0, p1.getCell(r, 2).alignment?.horizontal])).toEqual([
      ["DEMO-HOACHAT", "Công đoàn cấp trên trực tiếp cơ sở", 0, undefined],
      ["DEMO-PHANBON", "Công đoàn cơ sở", 1, "left"],
      ["DEMO-PINAQ", "Công đoàn cơ sở", 1, "left"],
    ]);
    expect(p1.getCell(8, 4).value).toBe("đã chấp nhận");
    expect(p1.getCell(8, 6).value).toBe(1250);
    expect(p1.getCell(8, 6).numFmt).toBe("#,##0");
    // Subtotals per level, then the total, as numbers with grouping; the rate as a percentage.
    const labels = [10, 11, 12].map((r) => p1.getCell(r, 2).value);
    expect(labels).toEqual(["Cộng Công đoàn cấp trên trực tiếp cơ sở", "Cộng Công đoàn cơ sở", "Tổng cộng"]);
    expect(p1.getCell(11, 6).value).toBe(2230);
    expect(p1.getCell(12, 8).value).toBe(2_065_500_000);
    expect(p1.getCell(12, 8).numFmt).toBe("#,##0");
    expect(p1.getCell(12, 2).font?.bold).toBe(true);
    expect([p1.getCell(12, 12).value, p1.getCell(12, 13).value, p1.getCell(12, 14).value, p1.getCell(12, 14).numFmt]).toEqual([4, 3, 0.75, "0%"]);
    expect(p1.getCell(8, 15).alignment?.wrapText).toBe(true);
    // Registrations with their targets; exemplars with the formula-looking name kept as text.
    const regs = wb.getWorksheet("Đăng ký thi đua")!;
    expect(String(regs.getCell(9, 10).value)).toContain("Sản lượng ắc quy: 1.000.000 bình");
    const rewards = wb.getWorksheet("Điển hình, khen thưởng")!;
    const row = [7, 8, 9].find((r) => rewards.getCell(r, 2).value === "=1+2")!;
    expect(rewards.getCell(row, 2).type).toBe(ExcelJS.ValueType.String);
    expect(rewards.getCell(row, 2).formula).toBeUndefined();
    const levels = wb.getWorksheet("Tổng hợp theo cấp")!;
    expect(levels.getRow(8).values).toEqual([undefined, "Công đoàn cơ sở", 2, 2, 4, 2, 0, 2230, 19, 2_065_500_000, 550_000_000, 3, 24, 3, 1, 1]);
  });

  it("shows a returned report as returned in its phase's sheet, its figures out of the totals", async () => {
    const phase2 = w.campaign.phases[1]!;
    await t.app.store.transaction(async (tx) => {
      const env = await personaEnv(t.app, tx, "demo-giang", new Date(NOW));
      const figures = Object.fromEntries(w.campaign.figureKeys.map((k) => [k, k === "participants" ? 500n : 0n]));
      const targets = Object.fromEntries((await targetsToReport(env, w.pinaq, w.campaign)).map((x) => [x.id, 1]));
      await submitReport(env, w.pinaq, w.campaign, phase2, { figures, targets, narrative: "Số liệu tạm tính, sẽ bổ sung." });
    });
    await t.app.store.transaction(async (tx) => {
      const env = await personaEnv(t.app, tx, "demo-cuong", new Date(NOW));
      const item = (await reviewQueue(env, w.hoachat, 0)).items.find((i) => i.type === "REPORT")!;
      await decide(env, w.hoachat, "REPORT", item.id, "RETURN", { note: "Thiếu số liệu sáng kiến" });
    });
    const file = await t.app.store.transaction(async (tx) => exportReports(await personaEnv(t.app, tx, "demo-cuong", new Date(NOW)), w.hoachat, w.campaign, xlsxWriter(), "vi"));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.data.buffer as ArrayBuffer);
    const p2 = wb.getWorksheet("Báo cáo Đợt 2")!;
    const row = [7, 8, 9].find((r) => p2.getCell(r, 1).value === "DEMO-PINAQ")!;
    expect([p2.getCell(row, 4).value, p2.getCell(row, 6).value]).toEqual(["bị trả lại", null]);
    expect(p2.getCell([7, 8, 9].find((r) => p2.getCell(r, 1).value === "DEMO-PHANBON")!, 4).value).toBe("chưa gửi");
    expect(p2.getCell(12, 2).value).toBe("Tổng cộng");
    expect(p2.getCell(12, 6).value).toBe(0);
  });

  it("sizes the unit-code column to the longest code", async () => {
    const cdct = (await t.app.store.getUnitByCode("DEMO-CDCTVN"))!;
    const file = await t.app.store.transaction(async (tx) => exportReports(await personaEnv(t.app, tx, "demo-binh", new Date(NOW)), cdct, w.campaign, xlsxWriter(), "vi"));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.data.buffer as ArrayBuffer);
    // "DEMO-THUCPHAM" (13 capitals) needs more than 17 digit-widths; every sheet with codes gets the same width.
    for (const name of ["Đăng ký thi đua", "Báo cáo Đợt 1"]) expect(wb.getWorksheet(name)!.getColumn(1).width).toBe(19);
    expect(codeColumnWidth(["TLD"])).toBe(10);
    expect(codeColumnWidth(["X".repeat(64)])).toBe(40);
  });

  it("writes an item still waiting when its plan closed as not decided, never as under review", async () => {
    const closed = { ...w.campaign, status: "CLOSED" as const };
    const made = (kind: DocumentKind) =>
      t.app.store.transaction(async (tx) => exportDocument(await personaEnv(t.app, tx, "demo-cuong", new Date(NOW)), { unit: w.hoachat, campaign: closed, phase: phase1, kind }, { document: docxWriter(), spreadsheet: xlsxWriter() }, "vi"));
    const list = tableRows((await open((await made("rewards")).data)).document).find((tb) => tb[0]![0] === "STT")!;
    const decisions = list.slice(1, -1).map((r) => r.at(-1));
    expect(decisions.filter((d) => d === "Chưa được quyết định trước khi kế hoạch kết thúc")).toHaveLength(2);
    expect(decisions.some((d) => d!.includes("chờ xem xét"))).toBe(false);
    expect(decisions.some((d) => d!.startsWith("Đã khen: "))).toBe(true);
    const report = paragraphs((await open((await made("report")).data)).document).join("\n");
    expect(report).not.toContain("chờ xem xét");
    const sheet = await t.app.store.transaction(async (tx) => exportReports(await personaEnv(t.app, tx, "demo-cuong", new Date(NOW)), w.hoachat, closed, xlsxWriter(), "vi"));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(sheet.data.buffer as ArrayBuffer);
    const cells: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => void cells.push(String(c.value)))));
    expect(cells.some((c) => c.includes("chờ xem xét"))).toBe(false);
    expect(cells).toContain("chưa được quyết định trước khi kế hoạch kết thúc");
  });

  it("keeps the files people receive 7 days: the hourly housekeeping deletes older ones", async () => {
    const old = await make("demo-cuong", w.hoachat, "rewards", phase1);
    await t.app.db.prisma.storedFile.update({ where: { id: old.id }, data: { createdAt: new Date(Date.now() - 8 * 86_400_000) } });
    const fresh = await make("demo-cuong", w.hoachat, "rewards", phase1);
    await t.app.housekeeping();
    expect(await t.app.db.prisma.storedFile.findUnique({ where: { id: old.id } })).toBeNull();
    expect(await t.app.db.prisma.storedFile.findUnique({ where: { id: fresh.id } })).not.toBeNull();
  });

  it("abbreviates a union's name and writes dates as documents do", () => {
    expect(abbreviate("Công đoàn Công Thương Việt Nam")).toBe("CĐCT");
    expect(abbreviate("Công đoàn Tổng công ty Hóa chất Phương Bắc")).toBe("CĐTHPB");
    expect(abbreviate("Công đoàn Công ty CP Pin Ắc quy Phương Nam")).toBe("CĐCCPAPN");
    expect(documentDateParts("2027-09-05")).toEqual({ day: "05", month: "9", year: "2027" });
    expect(documentDateParts("2017-03-02")).toEqual({ day: "02", month: "3", year: "2017" });
    expect(documentDateParts("2027-01-15")).toEqual({ day: "15", month: "01", year: "2027" });
  });

  it("prints the unit's own abbreviation and place, which only its officers set, unless others are given", async () => {
    const as = (who: string) => <R>(fn: (env: Awaited<ReturnType<typeof personaEnv>>) => Promise<R>) => t.app.store.transaction(async (tx) => fn(await personaEnv(t.app, tx, who, new Date(NOW))));
    await expect(as("demo-an")((env) => setUnitDetails(env, w.hoachat, { abbreviation: "CĐXX" }))).rejects.toMatchObject({ code: "not_officer" });
    const hoachat = await as("demo-cuong")((env) => setUnitDetails(env, w.hoachat, { abbreviation: "CĐHC", place: "Việt Trì" }));
    const own = paragraphs((await open((await make("demo-cuong", hoachat, "report", phase1, { number: "14" })).data)).document);
    expect(own).toContain("Số: 14/BC-CĐHC");
    expect(own).toContain("Việt Trì, ngày 05 tháng 9 năm 2026");
    const list = paragraphs((await open((await make("demo-cuong", hoachat, "rewards", phase1, { number: "15" })).data)).document);
    expect(list).toContain("(Kèm theo Tờ trình số 15/TTr-CĐHC ngày … tháng … năm …)");
    const given = paragraphs((await open((await make("demo-cuong", hoachat, "report", phase1, { number: "14", abbreviation: "CĐTCT", place: "Hà Nội" })).data)).document);
    expect(given).toContain("Số: 14/BC-CĐTCT");
    expect(given).toContain("Hà Nội, ngày 05 tháng 9 năm 2026");
  });
});
