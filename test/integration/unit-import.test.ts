/**
 * Importing a whole union tree from CSV through the CLI, on a real database: a file that
 * is not UTF-8 is refused by its line, a failure in the middle of writing leaves nothing
 * behind and is told in one line, and the bulk-written units are the very rows the
 * one-at-a-time route writes (path, depth, history, audit).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemEnv } from "../../src/core/usecases/env.js";
import { importUnits } from "../../src/core/usecases/units.js";
import { openDatabase, type Database } from "../../src/infra/db/open.js";
import { createTranslator } from "../../src/infra/i18n.js";
import { createStore } from "../../src/infra/store/index.js";
import { cliWorld, type CliWorld } from "../support/cli-world.js";
import { backends, createTestDatabase, type TestDatabase } from "../support/database.js";

/** A cold start migrates and seeds a database first; the machine may be busy. */
const SLOW = 300_000;

/** 1 sector per `sectors`, 10 upper-grassroots unions under each, `perUpper` grassroots under each of those. */
function treeCsv(sectors: number, perUpper: number, last?: string): string {
  const lines = ["code,name,level,parent_code"];
  for (let s = 0; s < sectors; s++) {
    lines.push(`S${s},Công đoàn ngành số ${s},nganh,`);
    for (let u = 0; u < 10; u++) {
      lines.push(`S${s}-U${u},Công đoàn cấp trên cơ sở ${s}.${u},cap_tren_co_so,S${s}`);
      for (let g = 0; g < perUpper; g++) lines.push(`S${s}-U${u}-G${g},"CĐCS Công ty số ${g}, đơn vị ${s}.${u}",co_so,S${s}-U${u}`);
    }
  }
  if (last) lines.push(last);
  return lines.join("\r\n") + "\r\n";
}

describe.each(backends())("importing a unit tree on %s", { timeout: SLOW }, (backend) => {
  let w: CliWorld;
  beforeAll(async () => {
    w = await cliWorld(backend, "thidua-import-");
  });
  afterAll(async () => w?.drop());
  const cli = (...argv: string[]) => w.cli(...argv);
  const file = (name: string, content: string | Uint8Array) => w.file(name, content);
  const peek: CliWorld["peek"] = (fn) => w.peek(fn);

  it("refuses a Windows-1258 file, naming its first line that is not UTF-8, and imports nothing", async () => {
    const head = Buffer.from("code,name,level,parent_code\r\nCDCTVN,Cong doan Cong Thuong,nganh,\r\n");
    // "CĐCS Dệt may" as Excel saves it in Windows-1258: Đ = 0xD0, ệ = e + 0xF2 (tone mark).
    const bad = Uint8Array.from([...head, ...Buffer.from("DM1,C"), 0xd0, ...Buffer.from("CS D"), 0x65, 0xf2, ...Buffer.from("t may,co_so,CDCTVN\r\n")]);
    const r = await cli("import-units", await file("cp1258.csv", bad));
    expect(r.code).toBe(1);
    expect(r.out.split("\n")[0]).toBe('Dòng 3 [-]: tệp không phải mã UTF-8 (có thể là Windows-1258 hoặc TCVN3); hãy lưu lại dưới dạng "CSV UTF-8"');
    expect(r.out).toContain("không nhập dòng nào");
    expect(await peek((p) => p.unit.count())).toBe(0);
  });

  it("leaves nothing behind when the database refuses a row midway, and says so in one line", async () => {
    // 6,111 rows, more than one batch; the database itself refuses the last one.
    const csv = treeCsv(1, 600, "BOOM,CĐCS cuối cùng,co_so,S0-U0");
    await peek(async (p) => {
      await p.$executeRawUnsafe(`CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'the disk is full'; END $$ LANGUAGE plpgsql`);
      await p.$executeRawUnsafe(`CREATE TRIGGER refuse_boom BEFORE INSERT ON "Unit" FOR EACH ROW WHEN (NEW.code = 'BOOM') EXECUTE FUNCTION refuse_boom()`);
    });
    try {
      const r = await cli("import-units", await file("boom.csv", csv));
      expect(r).toMatchObject({ code: 1, err: "" });
      expect(r.out).toBe("Nhập không thành công, không ghi dòng nào: the disk is full");
      expect(await peek(async (p) => [await p.unit.count(), await p.unitParentHistory.count(), await p.auditEvent.count({ where: { action: "unit.created" } })])).toEqual([0, 0, 0]);
    } finally {
      await peek(async (p) => {
        await p.$executeRawUnsafe(`DROP TRIGGER refuse_boom ON "Unit"`);
        await p.$executeRawUnsafe(`DROP FUNCTION refuse_boom()`);
      });
    }
  });

  it("reports the first 50 problems of a file full of them, and how many more", async () => {
    const csv = ["code,name,level,parent_code", ...Array.from({ length: 120 }, (_, i) => `G${i},CĐCS số ${i},co_so,NOWHERE`)].join("\n");
    const r = await cli("import-units", await file("many.csv", csv));
    expect(r.code).toBe(1);
    const lines = r.out.split("\n");
    expect(lines).toHaveLength(52);
    expect(lines[50]).toBe("… và 70 lỗi khác (chỉ hiện 50 lỗi đầu tiên).");
    expect(lines[51]).toBe("Có 120 lỗi: không nhập dòng nào. Sửa tệp rồi chạy lại.");
  });

  it("adds units under units it moves in the same import, with their paths right", async () => {
    const before = "code,name,level,parent_code\nA,Công đoàn ngành A,nganh,\nU1,Công đoàn cấp trên U1,cap_tren_co_so,A\nG1,CĐCS G1,co_so,U1\n";
    expect((await cli("import-units", await file("before.csv", before))).code).toBe(0);
    // Restructuring: a new sector B takes U1; G1 (not in the file) gets a new section below it.
    const after = "code,name,level,parent_code\nT1,Tổ công đoàn T1,bo_phan,G1\nU1,Công đoàn cấp trên U1,cap_tren_co_so,B\nB,Công đoàn ngành B,nganh,\n";
    const r = await cli("import-units", await file("after.csv", after));
    expect(r.out).toBe("Đã nhập: 2 đơn vị mới, 0 đổi tên, 1 chuyển cấp trên, 0 không đổi.");
    const byCode = await peek(async (p) => new Map((await p.unit.findMany()).map((u) => [u.code, u])));
    const [tld, b, u1, g1, t1] = ["TLD", "B", "U1", "G1", "T1"].map((c) => byCode.get(c)!);
    expect(t1).toMatchObject({ parentId: g1!.id, depth: 4, path: `/${tld!.id}/${b!.id}/${u1!.id}/${g1!.id}/${t1!.id}/` });
    expect(g1).toMatchObject({ depth: 3, path: `/${tld!.id}/${b!.id}/${u1!.id}/${g1!.id}/` });
  });
});

describe.each(backends())("the optional abbreviation and place columns on %s", { timeout: SLOW }, (backend) => {
  let w: CliWorld;
  beforeAll(async () => {
    w = await cliWorld(backend, "thidua-import-details-");
  });
  afterAll(async () => w?.drop());
  const cli = (...argv: string[]) => w.cli(...argv);
  const details = () => w.peek(async (p) => Object.fromEntries((await p.unit.findMany({ orderBy: { code: "asc" } })).map((u) => [u.code, [u.abbreviation, u.place]])));

  it("stores them for new units, changes them for existing ones (audited), and leaves them where a cell is empty", async () => {
    const first = "code,name,abbreviation,level,parent_code,place\nCDCTVN,Công đoàn Công Thương Việt Nam,CĐCT,nganh,,\nHOACHAT,Công đoàn Tổng công ty Hóa chất Phương Bắc,CĐHC,cap_tren_co_so,CDCTVN,Việt Trì\nPHANBON,Công đoàn Công ty CP Phân bón Sông Cầu,,co_so,HOACHAT,Bắc Giang\n";
    expect((await cli("import-units", await w.file("first.csv", first))).out).toBe("Đã nhập: 4 đơn vị mới, 0 đổi tên, 0 chuyển cấp trên, 0 không đổi.");
    expect(await details()).toEqual({ CDCTVN: ["CĐCT", null], HOACHAT: ["CĐHC", "Việt Trì"], PHANBON: [null, "Bắc Giang"], TLD: [null, null] });
    // A file with only the place column: abbreviations stay; an empty place stays too.
    const second = "code,name,level,parent_code,place\nHOACHAT,Công đoàn Tổng công ty Hóa chất Phương Bắc,cap_tren_co_so,CDCTVN,Phú Thọ\nPHANBON,Công đoàn Công ty CP Phân bón Sông Cầu,co_so,HOACHAT,\n";
    expect((await cli("import-units", await w.file("second.csv", second))).out).toBe("Đã nhập: 0 đơn vị mới, 0 đổi tên, 0 chuyển cấp trên, 1 cập nhật chữ viết tắt hoặc địa danh, 1 không đổi.");
    expect(await details()).toMatchObject({ HOACHAT: ["CĐHC", "Phú Thọ"], PHANBON: [null, "Bắc Giang"] });
    const audit = await w.peek((p) => p.auditEvent.findMany({ where: { action: { in: ["unit.abbreviation_set", "unit.place_set"] } }, select: { action: true, data: true } }));
    expect(audit).toEqual([{ action: "unit.place_set", data: { from: "Việt Trì", to: "Phú Thọ" } }]);
  });

  it("refuses an abbreviation with a space and a place too long, naming their lines, and writes nothing", async () => {
    const bad = `code,name,level,parent_code,abbreviation,place\nHOACHAT,Công đoàn Tổng công ty Hóa chất Phương Bắc,cap_tren_co_so,CDCTVN,CĐ HC,\nPHANBON,Công đoàn Công ty CP Phân bón Sông Cầu,co_so,HOACHAT,CĐPB,${"Rất xa ".repeat(10)}\n`;
    const r = await cli("import-units", await w.file("bad.csv", bad));
    expect(r.code).toBe(1);
    expect(r.out.split("\n").slice(0, 2)).toEqual([
      'Dòng 2 [HOACHAT]: chữ viết tắt "CĐ HC" không hợp lệ (chữ và số, không dấu cách, tối đa 20 ký tự, ví dụ CĐHC)',
      `Dòng 3 [PHANBON]: địa danh "${"Rất xa ".repeat(10).trim()}" không hợp lệ (2–50 ký tự, ví dụ Việt Trì)`,
    ]);
    expect(await details()).toMatchObject({ HOACHAT: ["CĐHC", "Phú Thọ"], PHANBON: [null, "Bắc Giang"] });
  });
});

describe.each(backends())("bulk-imported units on %s", { timeout: SLOW }, (backend) => {
  const dbs: TestDatabase[] = [];
  const opened: Database[] = [];
  afterAll(async () => {
    for (const d of opened) await d.close();
    for (const d of dbs) await d.drop();
  });

  async function fresh() {
    const t = await createTestDatabase(backend);
    dbs.push(t);
    const d = await openDatabase(t.config);
    opened.push(d);
    return { prisma: d.prisma, store: createStore(d) };
  }

  /** Everything an import writes about units, with ids replaced by codes. */
  async function snapshot(prisma: Database["prisma"]) {
    const units = await prisma.unit.findMany({ orderBy: { code: "asc" } });
    const codeOf = new Map(units.map((u) => [u.id, u.code]));
    const code = (id: number | null) => (id === null ? null : codeOf.get(id));
    const history = await prisma.unitParentHistory.findMany();
    const audit = await prisma.auditEvent.findMany({ where: { entity: "unit" } });
    return {
      units: units.map(({ id, parentId, path: p, createdAt, ...rest }) => ({
        ...rest,
        parent: code(parentId),
        path: p.split("/").filter(Boolean).map((x) => code(Number(x))).join("/"),
        selfLast: p.endsWith(`/${id}/`),
        createdAt: createdAt instanceof Date,
      })),
      history: history.map((h) => ({ unit: code(h.unitId), parent: code(h.parentId), validTo: h.validTo, changedById: h.changedById, validFrom: h.validFrom instanceof Date })).sort((x, y) => x.unit!.localeCompare(y.unit!)),
      audit: audit.map((a) => ({ actorId: a.actorId, actorTag: a.actorTag, action: a.action, entity: a.entity, entityId: code(Number(a.entityId)), unitId: code(a.unitId), data: a.data })).sort((x, y) => x.entityId!.localeCompare(y.entityId!)),
    };
  }

  it("keeps unit names free of control and direction characters, and refuses one with nothing visible", async () => {
    const tr = createTranslator("vi");
    const { prisma, store } = await fresh();
    const csv = (name: string) => Buffer.from(`code,name,level,parent_code\nN1,Công đoàn ngành Dệt may,nganh,\nG1,"${name}",co_so,N1\n`);
    const run = (file: Buffer) => store.transaction((tx) => importUnits(systemEnv("cli", { tx, now: new Date(), translate: tr.translate, defaultLocale: "vi", timeZone: "Asia/Ho_Chi_Minh" }), file));
    // A right-to-left override would show "Công đoàn Nhà máy Sợi" reversed to everyone who lists the tree.
    expect(await run(csv("Công đoàn \u202eNhà máy\u0007 Sợi\u2066"))).toMatchObject({ created: 3, problems: [] }); // Tổng Liên đoàn, the sector, the grassroots union
    expect((await prisma.unit.findUniqueOrThrow({ where: { code: "G1" } })).name).toBe("Công đoàn Nhà máy Sợi");
    const blank = await run(Buffer.from(`code,name,level,parent_code\nG2,"\u200b\u202e\u2066 \u200d",co_so,N1\n`));
    expect(blank.problems).toEqual([expect.objectContaining({ code: "G2", reason: "bad_name" })]);
    expect(await prisma.unit.count({ where: { code: "G2" } })).toBe(0);
  });

  it("are the same rows the one-at-a-time route writes", async () => {
    const csv = treeCsv(2, 30);
    const tr = createTranslator("vi");
    const envOf = (tx: Parameters<typeof systemEnv>[1]["tx"]) => systemEnv("cli", { tx, now: new Date(), translate: tr.translate, defaultLocale: "vi", timeZone: "Asia/Ho_Chi_Minh" });

    const bulk = await fresh();
    const result = await bulk.store.transaction((tx) => importUnits(envOf(tx), Buffer.from(csv)), { timeoutMs: 120_000 });
    expect(result).toMatchObject({ created: 1 + 2 + 20 + 600, problems: [] });

    // The same tree, one createUnit and one audit entry per unit, parents first.
    const single = await fresh();
    {
      const tx = single.store;
      const env = envOf(tx);
      const made = new Map<string, Awaited<ReturnType<typeof tx.createUnit>>>();
      const rows = [["TLD", "Tổng Liên đoàn Lao động Việt Nam", "CONFEDERATION", ""], ...csv.trim().split("\r\n").slice(1).map((l) => l.match(/^([^,]+),("[^"]*"|[^,]*),([^,]+),(.*)$/)!.slice(1))];
      const level: Record<string, "CONFEDERATION" | "SECTOR" | "UPPER_GRASSROOTS" | "GRASSROOTS"> = { CONFEDERATION: "CONFEDERATION", nganh: "SECTOR", cap_tren_co_so: "UPPER_GRASSROOTS", co_so: "GRASSROOTS" };
      for (const [code, name, lvl, parentCode] of rows as string[][]) {
        const parent = made.get(parentCode! || (code === "TLD" ? "" : "TLD")) ?? null;
        const u = await tx.createUnit({ code: code!, name: name!.replace(/^"|"$/g, ""), level: level[lvl!]!, parent, demo: false });
        await tx.audit(env.actor, { action: "unit.created", entity: "unit", entityId: u.id, unitId: u.id, data: { code: u.code, parent: parent?.code ?? null } });
        made.set(code!, u);
      }
    }

    const [a, b] = [await snapshot(bulk.prisma), await snapshot(single.prisma)];
    expect(a.units).toHaveLength(623);
    expect(a.history).toHaveLength(623);
    expect(a.audit).toHaveLength(623);
    expect(a).toEqual(b);
  });
});
