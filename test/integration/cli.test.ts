/**
 * The administration CLI against a real database: importing a unit tree (with a report of
 * every bad row and nothing half-imported), re-parenting with history, granting and
 * revoking roles, invite codes, a campaign for another year, and a unit's progress.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cliWorld, type CliWorld } from "../support/cli-world.js";
import { backends } from "../support/database.js";

const TREE = `code,name,level,parent_code
CDCTVN,Công đoàn Công Thương Việt Nam,nganh,
HOACHAT,Công đoàn Tập đoàn Hóa chất Việt Nam,cap_tren_co_so,CDCTVN
CTHN,Công đoàn Công Thương Hà Nội,cap_tren_co_so,CDCTVN
PB1,"CĐCS Công ty CP Phân bón Bình Điền, chi nhánh 1",co_so,HOACHAT
DM1,CĐCS Công ty Dệt may 8/3,co_so,CTHN
`;

describe.each(backends())("the CLI on %s", (backend) => {
  let w: CliWorld;
  beforeAll(async () => {
    w = await cliWorld(backend, "thidua-cli-");
  });
  afterAll(async () => w?.drop());
  // Every test starts from an empty database and builds what it needs (the tree, a campaign)
  // with the commands an administrator would run.
  beforeEach(async () => w.reset());
  const cli = (...argv: string[]) => w.cli(...argv);
  const file = (name: string, content: string | Uint8Array) => w.file(name, content);
  const peek: CliWorld["peek"] = (fn) => w.peek(fn);

  /** The unit tree of TREE, imported. */
  async function importTree() {
    expect((await cli("import-units", await file("tree.csv", TREE))).code).toBe(0);
  }
  /** The sector union's plan for 2027 (15/KH-CĐCT). */
  async function campaign2027() {
    expect((await cli("campaign", "create", "--year", "2027", "--unit", "CDCTVN", "--number", "15/KH-CĐCT")).code).toBe(0);
  }

  it("reports every bad row with its line and imports nothing", async () => {
    const bad = await file(
      "bad.csv",
      `code,name,level,parent_code
CDCTVN,Công đoàn Công Thương Việt Nam,nganh,
X1,CĐCS X,co_so,NOWHERE
X2,CĐCS Y,phuong,CDCTVN
X1,CĐCS lặp mã,co_so,CDCTVN
X3,Z,co_so,CDCTVN
X4,CĐCS Một,co_so,CDCTVN
X5,CĐCS Hai,co_so,X4
`,
    );
    const r = await cli("import-units", bad);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Dòng 3 [X1]: cấp trên "NOWHERE" không có trong tệp lẫn cơ sở dữ liệu');
    expect(r.out).toContain('Dòng 4 [X2]: cấp "phuong" không hợp lệ');
    expect(r.out).toContain("Dòng 5 [X1]: mã bị lặp (đã có ở dòng 3)");
    expect(r.out).toContain("Dòng 6 [X3]: tên đơn vị phải dài 2–300 ký tự");
    expect(r.out).toContain("Dòng 8 [X5]: công đoàn cơ sở không thể trực thuộc công đoàn cơ sở");
    expect(r.out).toContain("không nhập dòng nào");
    expect(await peek((p) => p.unit.count())).toBe(0);
  });

  it("imports a tree, then renames and re-parents with history on a second import", async () => {
    const r = await cli("import-units", await file("tree.csv", TREE));
    expect(r.code).toBe(0);
    // The file's top unit is a sector union: Tổng Liên đoàn is added as the root above it.
    expect(r.out).toContain("Đã nhập: 6 đơn vị mới, 0 đổi tên, 0 chuyển cấp trên, 0 không đổi.");
    const tld = await peek((p) => p.unit.findUniqueOrThrow({ where: { code: "TLD" } }));
    expect(tld).toMatchObject({ name: "Tổng Liên đoàn Lao động Việt Nam", level: "CONFEDERATION", parentId: null });
    expect(await peek((p) => p.unit.findUniqueOrThrow({ where: { code: "CDCTVN" } }))).toMatchObject({ parentId: tld.id, depth: 1 });

    // 2025-style restructuring: the textile union moves under the chemicals union.
    const changed = TREE.replace("DM1,CĐCS Công ty Dệt may 8/3,co_so,CTHN", "DM1,CĐCS Tổng công ty Dệt may 8/3,co_so,HOACHAT");
    const again = await cli("import-units", await file("tree2.csv", changed));
    expect(again.out).toContain("0 đơn vị mới, 1 đổi tên, 1 chuyển cấp trên, 4 không đổi");

    const { dm1, hoachat, history } = await peek(async (p) => {
      const dm1 = await p.unit.findUniqueOrThrow({ where: { code: "DM1" } });
      const hoachat = await p.unit.findUniqueOrThrow({ where: { code: "HOACHAT" } });
      const history = await p.unitParentHistory.findMany({ where: { unitId: dm1.id }, orderBy: { id: "asc" } });
      return { dm1, hoachat, history };
    });
    expect(dm1).toMatchObject({ name: "CĐCS Tổng công ty Dệt may 8/3", parentId: hoachat.id, path: `${hoachat.path}${dm1.id}/` });
    expect(history).toHaveLength(2);
    expect(history[0]!.validTo).not.toBeNull();
    expect(history[1]).toMatchObject({ parentId: hoachat.id, validTo: null });

    const units = await cli("units", "--under", "HOACHAT");
    expect(units.out.split("\n")).toEqual(expect.arrayContaining(["HOACHAT  Công đoàn Tập đoàn Hóa chất Việt Nam  [công đoàn cấp trên trực tiếp cơ sở]", "  DM1  CĐCS Tổng công ty Dệt may 8/3  [công đoàn cơ sở]"]));
    expect(await cli("units", "--under", "NOPE")).toMatchObject({ code: 1, err: "Không tìm thấy đơn vị NOPE." });
  });

  it("grants and revokes roles, and refuses what does not exist", async () => {
    await importTree();
    const g = await cli("grant", "--person", "tg:100200300", "--unit", "CDCTVN", "--role", "officer", "--name", "Lý Văn Quản");
    expect(g).toMatchObject({ code: 0, out: "Đã cấp vai trò cán bộ của CDCTVN cho tg:100200300." });
    expect((await cli("grant", "--person", "tg:100200300", "--unit", "CDCTVN", "--role", "officer")).out).toContain("đã có vai trò");
    expect(await cli("grant", "--person", "tg:1", "--unit", "NOPE", "--role", "officer")).toMatchObject({ code: 1, err: "Không tìm thấy đơn vị NOPE." });
    expect((await cli("grant", "--person", "someone", "--unit", "CDCTVN", "--role", "officer")).code).toBe(2);
    expect((await cli("grant", "--person", "tg:1", "--unit", "CDCTVN", "--role", "boss")).code).toBe(2);

    expect((await cli("revoke", "--person", "tg:100200300", "--unit", "CDCTVN", "--role", "officer")).code).toBe(0);
    expect((await cli("revoke", "--person", "tg:100200300", "--unit", "CDCTVN", "--role", "officer")).code).toBe(1);
    const roles = await peek((p) => p.role.findMany({ where: { person: { identities: { some: { key: "tg:100200300" } } } } }));
    expect(roles).toHaveLength(1);
    expect(roles[0]!.revokedAt).not.toBeNull();
  });

  it("creates invite codes, stored only as hashes", async () => {
    await importTree();
    const r = await cli("invite", "--unit", "HOACHAT", "--kind", "officer", "--days", "3");
    expect(r.code).toBe(0);
    const code = /: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(r.out)?.[1];
    expect(code).toBeTruthy();
    expect(r.out).toContain(`"/start ${code}"`);
    const stored = await peek((p) => p.inviteCode.findMany());
    expect(stored).toHaveLength(1);
    expect(stored[0]!.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(code!.replace(/-/g, ""));
    expect((await cli("invite", "--unit", "HOACHAT", "--kind", "officer", "--days", "0")).code).toBe(2);
  });

  it("lists a unit's live invite codes and revokes one by its code or number, audited", async () => {
    await importTree();
    expect((await cli("invite", "--unit", "HOACHAT", "--kind", "officer", "--days", "3")).code).toBe(0);
    const made = await cli("invite", "--unit", "HOACHAT", "--kind", "group-members");
    const code = /: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(made.out)![1]!;
    const listed = await cli("invites", "--unit", "HOACHAT");
    expect(listed.code).toBe(0);
    const ids = [...listed.out.matchAll(/^#(\d+) {2}/gm)].map((m) => Number(m[1]));
    expect(ids).toHaveLength(2); // the officer invite made first, and this one
    expect(listed.out).toContain("liên kết nhóm đoàn viên  đã dùng 0/1");

    expect((await cli("revoke-invite", "--code", code.toLowerCase().replace(/-/g, ""))).out).toMatch(/^Đã thu hồi mã mời #\d+; mã này không dùng được nữa\.$/);
    const again = await cli("revoke-invite", "--code", code);
    expect(again.code).toBe(1);
    expect(again.out).toContain("đã bị thu hồi từ trước");
    expect((await cli("revoke-invite", "--id", String(ids[0]))).code).toBe(0);
    expect((await cli("invites", "--unit", "HOACHAT")).out).toBe("HOACHAT không có mã mời nào còn hiệu lực.");

    const unknown = await cli("revoke-invite", "--code", "AAAA-BBBB-CCCC");
    expect([unknown.code, unknown.err]).toEqual([1, "Không tìm thấy mã mời này."]);
    expect((await cli("revoke-invite", "--id", "1", "--code", code)).code).toBe(2);
    expect((await cli("revoke-invite")).code).toBe(2);
    const stored = await peek((p) => p.inviteCode.findMany({ where: { unit: { code: "HOACHAT" } } }));
    expect(stored.every((i) => i.revokedAt !== null)).toBe(true);
    expect(await peek((p) => p.auditEvent.count({ where: { action: "invite.revoked", actorTag: "cli" } }))).toBe(2);
  });

  it("creates the plan's campaign for another year, once, with that year's anniversaries", async () => {
    await importTree();
    const r = await cli("campaign", "create", "--year", "2027", "--unit", "CDCTVN", "--number", "15/KH-CĐCT");
    expect(r.code).toBe(0);
    expect(r.out).toContain("15/KH-CĐCT năm 2027: Đợt 1 (01/01/2027 – 31/08/2027), Đợt 2 (01/09/2027 – 31/12/2027).");
    expect((await cli("campaign", "create", "--year", "2027", "--unit", "CDCTVN", "--number", "15/KH-CĐCT")).err).toBe("Kế hoạch thi đua năm 2027 đã có.");
    const phase1 = await peek((p) => p.phase.findFirstOrThrow({ where: { ordinal: 1, campaign: { year: 2027 } } }));
    expect(phase1.dedication).toContain("Kỷ niệm 97 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 – 03/02/2027)");
    expect(phase1.dedication).toContain("Kỷ niệm 98 năm Ngày thành lập Công đoàn Việt Nam");
    expect(phase1.reportDeadline.toISOString().slice(0, 10)).toBe("2027-09-10");
    expect((await cli("campaign", "list")).out).toContain("15/KH-CĐCT  năm 2027  đang thực hiện  (CDCTVN)");
  });

  it("lets a unit without officers pass its items straight up, audited and recorded in each item's path", async () => {
    await importTree();
    await campaign2027();
    // Phân bón's registration waits at the chemicals union, which has no officer in the bot.
    const waiting = await peek(async (p) => {
      const [pb1, hoachat, campaign] = [await p.unit.findUniqueOrThrow({ where: { code: "PB1" } }), await p.unit.findUniqueOrThrow({ where: { code: "HOACHAT" } }), await p.campaign.findFirstOrThrow({ where: { year: 2027 } })];
      const reg = await p.themeRegistration.create({ data: { unitId: pb1.id, campaignId: campaign.id, status: "SUBMITTED", submittedAt: new Date(), atUnitId: hoachat.id } });
      await p.reviewDecision.create({ data: { subjectType: "REGISTRATION", subjectId: reg.id, decision: "SUBMIT", reviewerUnitId: pb1.id, toUnitId: hoachat.id } });
      return reg;
    });
    expect((await cli("pass-through", "--unit", "HOACHAT", "maybe")).code).toBe(2);
    expect((await cli("pass-through", "--unit", "NOPE", "on")).err).toBe("Không tìm thấy đơn vị NOPE.");

    const on = await cli("pass-through", "--unit", "HOACHAT", "on");
    expect(on).toMatchObject({ code: 0, out: "Hồ sơ gửi lên HOACHAT sẽ được chuyển thẳng lên cấp trên của đơn vị này (mỗi lần chuyển được ghi vào quá trình xử lý); 1 hồ sơ đang chờ ở đó đã được chuyển." });
    const after = await peek(async (p) => ({
      reg: await p.themeRegistration.findUniqueOrThrow({ where: { id: waiting.id } }),
      steps: await p.reviewDecision.findMany({ where: { subjectType: "REGISTRATION", subjectId: waiting.id }, orderBy: { id: "asc" } }),
      units: new Map((await p.unit.findMany()).map((u) => [u.id, u.code])),
      hoachat: await p.unit.findUniqueOrThrow({ where: { code: "HOACHAT" } }),
      audit: await p.auditEvent.findMany({ where: { action: { startsWith: "unit.pass_through" } } }),
    }));
    expect(after.reg.atUnitId).toBe((await peek((p) => p.unit.findUniqueOrThrow({ where: { code: "CDCTVN" } }))).id);
    expect(after.steps.map((s) => [s.decision, after.units.get(s.reviewerUnitId), s.toUnitId && after.units.get(s.toUnitId), s.reviewerId])).toEqual([
      ["SUBMIT", "PB1", "HOACHAT", null],
      ["PASS", "HOACHAT", "CDCTVN", null],
    ]);
    expect(after.hoachat.reviewPassThrough).toBe(true);
    expect(after.audit.map((a) => a.action)).toEqual(["unit.pass_through_on"]);

    expect((await cli("pass-through", "--unit", "HOACHAT", "off")).out).toBe("Từ nay hồ sơ gửi lên HOACHAT lại chờ cán bộ của đơn vị này xem xét.");
    expect((await peek((p) => p.unit.findUniqueOrThrow({ where: { code: "HOACHAT" } }))).reviewPassThrough).toBe(false);
    await peek(async (p) => {
      await p.reviewDecision.deleteMany({ where: { subjectType: "REGISTRATION", subjectId: waiting.id } });
      await p.themeRegistration.delete({ where: { id: waiting.id } });
    });
  });

  it("shows a new plan's deadlines as defaults; the issuing union sets them and closes the plan; another year needs its own number", async () => {
    await importTree();
    const missing = await cli("campaign", "create", "--year", "2028", "--unit", "CDCTVN");
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--number "15/KH-CĐCT"');
    const created = await cli("campaign", "create", "--year", "2028", "--unit", "CDCTVN", "--number", "09/KH-CĐCT");
    expect(created.out).toContain("Các hạn đang là mặc định, chưa được ấn định (đăng ký thi đua 31/03/2028; báo cáo Đợt 1: 10/09/2028, Đợt 2: 10/01/2029)");
    const id = String((await peek((p) => p.campaign.findFirstOrThrow({ where: { year: 2028 } }))).id);
    const defaults = await peek((p) => p.campaignDate.findMany({ where: { campaign: { year: 2028 }, kind: "REGISTRATION_DEADLINE" } }));
    expect(defaults.map((d) => d.title)).toEqual(["Hạn đăng ký nội dung thi đua năm 2028 (mặc định, chưa được ấn định)"]);

    expect((await cli("campaign", "deadlines", "--campaign", id, "--registration", "31/13/2028")).code).toBe(2);
    expect((await cli("campaign", "deadlines", "--campaign", id, "--registration", "15/04/2028", "--phase", "2", "--report", "2028-11-30")).err).toBe(
      "Ngày 30/11/2028 không hợp lệ: hạn phải trong khoảng 31/12/2028 – 30/04/2029.",
    );
    const set = await cli("campaign", "deadlines", "--campaign", id, "--registration", "15/04/2028", "--phase", "2", "--report", "2029-01-20");
    expect(set.code).toBe(0);
    expect(set.out).toBe("Đã ấn định các hạn của kế hoạch 09/KH-CĐCT năm 2028: đăng ký thi đua 15/04/2028; báo cáo Đợt 1: 10/09/2028, Đợt 2: 20/01/2029.");
    const after = await peek(async (p) => ({
      campaign: await p.campaign.findFirstOrThrow({ where: { year: 2028 } }),
      dates: await p.campaignDate.findMany({ where: { campaign: { year: 2028 }, kind: { in: ["REGISTRATION_DEADLINE", "REPORT_DEADLINE"] } }, orderBy: { date: "asc" } }),
      audit: await p.auditEvent.findMany({ where: { action: "campaign.deadlines_set" } }),
    }));
    expect(after.campaign.deadlinesDefault).toBe(false);
    expect(after.dates.map((d) => [d.date.toISOString().slice(0, 10), d.title])).toEqual([
      ["2028-04-15", "Hạn đăng ký nội dung thi đua năm 2028"],
      ["2028-09-10", "Hạn gửi báo cáo kết quả Đợt 1"],
      ["2029-01-20", "Hạn gửi báo cáo kết quả Đợt 2"],
    ]);
    expect(after.audit).toHaveLength(1);

    expect((await cli("campaign", "close", "--campaign", id)).out).toBe("Đã kết thúc kế hoạch 09/KH-CĐCT năm 2028; kế hoạch chỉ còn để xem.");
    const again = await cli("campaign", "close", "--campaign", id);
    expect(again.code).toBe(1);
    expect(again.err).toBe("Kế hoạch 09/KH-CĐCT năm 2028 đã kết thúc: chỉ còn xem, không sửa được.");
    expect((await cli("campaign", "list")).out).toContain("09/KH-CĐCT  năm 2028  đã kết thúc  (CDCTVN)");
    expect((await cli("campaign", "close", "--campaign", "999")).err).toBe("Không có kế hoạch #999.");
  });

  it("tells what still awaits a decision before closing a plan, and closes it only when told to; those items then read as not decided", async () => {
    await importTree();
    await campaign2027();
    // A registration waiting at the chemicals union, a reward proposal waiting at the sector union.
    const { id, reg } = await peek(async (p) => {
      const [pb1, hoachat, cdctvn, campaign] = [
        await p.unit.findUniqueOrThrow({ where: { code: "PB1" } }),
        await p.unit.findUniqueOrThrow({ where: { code: "HOACHAT" } }),
        await p.unit.findUniqueOrThrow({ where: { code: "CDCTVN" } }),
        await p.campaign.findFirstOrThrow({ where: { year: 2027 } }),
      ];
      const form = await p.commendationForm.findFirstOrThrow({ where: { grantorLevel: "SECTOR", forPerson: true } });
      const reg = await p.themeRegistration.create({ data: { unitId: pb1.id, campaignId: campaign.id, status: "SUBMITTED", submittedAt: new Date(), atUnitId: hoachat.id } });
      await p.nomination.create({ data: { unitId: pb1.id, campaignId: campaign.id, nomineeKind: "PERSON", nomineeName: "Nguyễn Thị Thu", achievement: "Sáng kiến tiết kiệm điện", formId: form.id, directWorker: true, submittedAt: new Date(), atUnitId: cdctvn.id } });
      return { id: String(campaign.id), reg };
    });

    const refused = await cli("campaign", "close", "--campaign", id);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(
      `Kế hoạch 15/KH-CĐCT năm 2027 còn 2 hồ sơ chưa được quyết định: 1 đăng ký thi đua, 1 đề nghị khen thưởng. Sau khi kết thúc, các hồ sơ này không được xem xét nữa. Chưa kết thúc kế hoạch; để vẫn kết thúc: campaign close --campaign ${id} --yes`,
    );
    expect((await peek((p) => p.campaign.findFirstOrThrow({ where: { year: 2027 } }))).status).toBe("ACTIVE");

    const closed = await cli("campaign", "close", "--campaign", id, "--yes");
    expect(closed.code).toBe(0);
    expect(closed.out).toBe("Đã kết thúc kế hoạch 15/KH-CĐCT năm 2027; kế hoạch chỉ còn để xem.\n2 hồ sơ chưa được quyết định trước khi kế hoạch kết thúc: 1 đăng ký thi đua, 1 đề nghị khen thưởng.");
    const audit = await peek((p) => p.auditEvent.findFirstOrThrow({ where: { action: "campaign.closed" } }));
    expect(audit.data).toMatchObject({ undecided: { REGISTRATION: 1, REPORT: 0, NOMINATION: 1, WORK: 0 } });
    // Where they stood is kept; they read as not decided, never as waiting.
    expect((await peek((p) => p.themeRegistration.findUniqueOrThrow({ where: { id: reg.id } }))).atUnitId).not.toBeNull();
    const progress = await cli("progress", "--unit", "HOACHAT", "--campaign", id);
    expect(progress.out).toContain("• CĐCS Công ty CP Phân bón Bình Điền, chi nhánh 1: đăng ký chưa được quyết định trước khi kế hoạch kết thúc (0 nội dung)");
    expect(progress.out).toContain("Đề nghị khen thưởng: 1 chưa được quyết định trước khi kế hoạch kết thúc.");
    expect(progress.out).not.toContain("đang chờ xem xét");
    expect(progress.out).not.toContain("đang đề nghị khen thưởng");
  });

  it("lists the planned posts in words and dd/mm/yyyy dates, in the CLI's language", async () => {
    await importTree();
    await campaign2027();
    const whose = "Kế hoạch 15/KH-CĐCT năm 2027, Công đoàn Công Thương Việt Nam";
    const anniversary = await cli("announcements", "--from", "03/02/2027", "--to", "03/02/2027");
    expect(anniversary.out).toBe("03/02/2027 07:00  Ngày kỷ niệm: Kỷ niệm 97 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 – 03/02/2027) – mọi đơn vị (0 tin nhắn)");
    const deadlines = await cli("announcements", "--from", "2027-03-24", "--to", "2027-04-01");
    expect(deadlines.code).toBe(0);
    expect(deadlines.out.split("\n")).toEqual([
      `24/03/2027 08:00  Nhắc hạn gửi đăng ký thi đua năm 2027 (hạn 31/03/2027 – mặc định, chưa được ấn định; còn 7 ngày) – ${whose} (0 tin nhắn)`,
      `28/03/2027 08:00  Nhắc hạn gửi đăng ký thi đua năm 2027 (hạn 31/03/2027 – mặc định, chưa được ấn định; còn 3 ngày) – ${whose} (0 tin nhắn)`,
      `30/03/2027 08:00  Nhắc hạn gửi đăng ký thi đua năm 2027 (hạn 31/03/2027 – mặc định, chưa được ấn định; còn 1 ngày) – ${whose} (0 tin nhắn)`,
      `01/04/2027 08:30  Danh sách đơn vị chưa gửi đăng ký thi đua năm 2027 (hạn 31/03/2027 – mặc định, chưa được ấn định) – ${whose} (0 tin nhắn)`,
    ]);
    const yearEnd = await cli("announcements", "--from", "11/01/2028", "--to", "11/01/2028");
    expect(yearEnd.out).toContain(`11/01/2028 09:00  Tổng kết năm 2027 – ${whose}`);
    for (const r of [anniversary, deadlines, yearEnd]) {
      // Never the occurrence keys nor ISO dates.
      expect(r.out).not.toMatch(/\d{4}-\d{2}-\d{2}/);
      expect(r.out).not.toMatch(/anniv:|remind:|overdue:|summary:/);
    }
    const english = await w.cliWith({ DEFAULT_LOCALE: "en" }, "announcements", "--from", "2027-03-30", "--to", "2027-04-01");
    expect(english.out.split("\n")[0]).toMatch(/^30\/03\/2027 08:00 {2}Reminder to send the 2027 theme registration \(due 31\/03\/2027 – default, not yet set; 1 day left\) – .*15\/KH-CĐCT.* \(0 messages\)$/);
    expect(english.out).toContain("List of units that have not sent the 2027 theme registration");
  });

  it("prints a unit's progress, and explains its usage", async () => {
    await importTree();
    await campaign2027();
    const r = await cli("progress", "--unit", "CDCTVN");
    expect(r.code).toBe(0);
    expect(r.out).toContain("Tiến độ Kế hoạch 15/KH-CĐCT năm 2027 – các đơn vị trực thuộc Công đoàn Công Thương Việt Nam");
    expect(r.out).toContain("Số đơn vị cấp dưới phải đăng ký, báo cáo: 4");
    // The plan's deadlines are still the bot's defaults: printed as such.
    expect(r.out).toContain("Báo cáo Đợt 1 (hạn 10/09/2027 – mặc định, chưa được ấn định): 0/4 đơn vị đã gửi");
    // Tổng Liên đoàn, above the issuing union, reads the plan where it is carried out.
    const tld = await cli("progress", "--unit", "TLD");
    expect(tld.code).toBe(0);
    expect(tld.out).toContain("Kế hoạch 15/KH-CĐCT năm 2027 do Công đoàn Công Thương Việt Nam ban hành");
    expect(tld.out).toContain("Tiến độ Kế hoạch 15/KH-CĐCT năm 2027 – các đơn vị trực thuộc Công đoàn Công Thương Việt Nam");
    const usage = await cli("frobnicate");
    expect(usage.code).toBe(2);
    expect(usage.err).toContain("npm run cli -- import-units <file.csv> [--dry-run]");
  });

  it("writes the report, the reward list and the spreadsheet of a unit to files", async () => {
    await importTree();
    await campaign2027();
    const report = path.join(w.dir, "bao-cao.docx");
    const r = await cli("export", "--unit", "CDCTVN", "--year", "2027", "--phase", "1", "--kind", "report", "--out", report, "--number", "7", "--abbr", "CĐCT", "--signer", "Trần Thị Bình");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Đã ghi .*bao-cao\.docx \(\d+ byte\)\.$/);
    const xml = await (await JSZip.loadAsync(await readFile(report))).file("word/document.xml")!.async("string");
    expect(xml).toContain("Số: 7/BC-CĐCT");
    expect(xml).toContain("Sơ kết phong trào thi đua Đợt 1 năm 2027");
    expect(xml).toContain("Trần Thị Bình");
    // The reward list goes with a Tờ trình: --number is the Tờ trình's, and the list has no number of its own.
    const attached = path.join(w.dir, "khen-thuong-dot-1.docx");
    expect((await cli("export", "--unit", "CDCTVN", "--year", "2027", "--phase", "1", "--kind", "rewards", "--out", attached, "--number", "9", "--abbr", "CĐCT")).code).toBe(0);
    const listXml = await (await JSZip.loadAsync(await readFile(attached))).file("word/document.xml")!.async("string");
    expect(listXml).toContain("Đề nghị khen thưởng Đợt 1 năm 2027");
    expect(listXml).toContain("(Kèm theo Tờ trình số 9/TTr-CĐCT ngày … tháng … năm …)");
    expect(listXml).not.toContain("Số: 9/");
    const list = path.join(w.dir, "khen-thuong.xlsx");
    expect((await cli("export", "--unit", "CDCTVN", "--year", "2027", "--kind", "rewards", "--out", list)).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(list);
    expect(wb.worksheets[0]!.getCell("A1").value).toBe("Danh sách đề nghị khen thưởng năm 2027 – thực hiện Kế hoạch số 15/KH-CĐCT");
    expect(wb.worksheets[0]!.getCell("A5").value).toBe("STT");
    const sheet = path.join(w.dir, "bang-tinh.xlsx");
    expect((await cli("export", "--unit", "CDCTVN", "--year", "2027", "--kind", "sheet", "--out", sheet)).code).toBe(0);
    await wb.xlsx.readFile(sheet);
    expect(wb.worksheets.at(-1)!.name).toBe("Tổng hợp theo cấp");
    const bad = await cli("export", "--unit", "CDCTVN", "--year", "2027", "--kind", "poster", "--out", sheet);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--kind report|rewards|sheet");
    expect((await cli("export", "--unit", "CDCTVN", "--year", "2031", "--kind", "sheet", "--out", sheet)).code).toBe(1);
  });
});
