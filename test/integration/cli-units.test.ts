/**
 * The CLI's unit commands on a real database, each test on a tree of its own: a dry run
 * checks a file and writes nothing; move-unit re-parents a unit with its whole subtree and
 * keeps the history; close-unit marks a unit closed and keeps every record; a closed unit
 * accepts no new code.
 */
import { writeFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { cliWorld } from "../support/cli-world.js";
import { backends, type Backend } from "../support/database.js";

const TREE = `code,name,level,parent_code
CDCTVN,Công đoàn Công Thương Việt Nam,nganh,
HOACHAT,Công đoàn Tập đoàn Hóa chất Việt Nam,cap_tren_co_so,CDCTVN
CTHN,Công đoàn Công Thương Hà Nội,cap_tren_co_so,CDCTVN
DM1,CĐCS Công ty Dệt may 8/3,co_so,CTHN
`;

// Every CLI call opens the database afresh (migrations checked): a few of them per test.
describe.each(backends())("the CLI's unit commands on %s", { timeout: 240_000 }, (backend: Backend) => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  /** A fresh database and the CLI on it, with the tree's file written; `peek` looks into it between commands. */
  async function fresh() {
    const w = await cliWorld(backend, "thidua-cli-units-");
    cleanup.push(() => w.drop());
    return { cli: w.cli, peek: w.peek, csv: await w.file("tree.csv", TREE) };
  }

  it("import-units --dry-run checks the file and writes nothing", async () => {
    const { cli, peek, csv } = await fresh();
    const r = await cli("import-units", csv, "--dry-run");
    expect(r).toMatchObject({ code: 0, out: expect.stringContaining("Kiểm tra xong, tệp hợp lệ (chưa ghi gì vì có --dry-run).") });
    expect(await peek((p) => p.unit.count())).toBe(0);
    expect(await peek((p) => p.auditEvent.count())).toBe(0);
    // Without it, the same file is imported.
    expect((await cli("import-units", csv)).code).toBe(0);
    expect(await peek((p) => p.unit.count())).toBe(5);
  });

  it("move-unit re-parents a unit with its subtree, keeping the old parent in its history", async () => {
    const { cli, peek, csv } = await fresh();
    await cli("import-units", csv);
    const sub = await cli("import-units", await writeSub(csv));
    expect(sub.code).toBe(0);
    const r = await cli("move-unit", "--unit", "DM1", "--parent", "HOACHAT");
    expect(r).toMatchObject({ code: 0, out: "Đã chuyển DM1 về trực thuộc HOACHAT (lịch sử cấp trên được giữ)." });
    const { hoachat, cthn, dm1, team, history } = await peek(async (p) => {
      const [hoachat, cthn, dm1, team] = await Promise.all(["HOACHAT", "CTHN", "DM1", "DM1-T1"].map((code) => p.unit.findUniqueOrThrow({ where: { code } })));
      const history = await p.unitParentHistory.findMany({ where: { unitId: dm1!.id }, orderBy: { id: "asc" } });
      return { hoachat: hoachat!, cthn: cthn!, dm1: dm1!, team: team!, history };
    });
    expect(dm1).toMatchObject({ parentId: hoachat.id, path: `${hoachat.path}${dm1.id}/`, depth: hoachat.depth + 1 });
    // Its team moved with it.
    expect(team).toMatchObject({ parentId: dm1.id, path: `${dm1.path}${team.id}/`, depth: dm1.depth + 1 });
    expect(history.map((h) => [h.parentId, h.validTo === null])).toEqual([
      [cthn.id, false],
      [hoachat.id, true],
    ]);
    // Not under itself, its own team, or a unit of its own level: refused, nothing changed.
    for (const parent of ["DM1", "DM1-T1"]) expect(await cli("move-unit", "--unit", "DM1", "--parent", parent)).toMatchObject({ code: 1 });
    expect(await cli("move-unit", "--unit", "CTHN", "--parent", "HOACHAT")).toMatchObject({ code: 1 });
    expect(await peek((p) => p.unit.findUniqueOrThrow({ where: { code: "DM1" } }))).toEqual(dm1);
    expect(await peek((p) => p.unitParentHistory.count({ where: { unitId: dm1.id } }))).toBe(2);
  });

  it("close-unit marks the unit closed and keeps it, its roles and its history; a closed unit takes no new code", async () => {
    const { cli, peek, csv } = await fresh();
    await cli("import-units", csv);
    expect((await cli("grant", "--person", "tg:5550001", "--unit", "DM1", "--role", "officer", "--name", "Trần Văn Đóng")).code).toBe(0);
    const before = await peek((p) => p.unit.findUniqueOrThrow({ where: { code: "DM1" } }));
    const r = await cli("close-unit", "--unit", "DM1");
    expect(r).toMatchObject({ code: 0, out: "Đã cho DM1 ngừng hoạt động; hồ sơ của đơn vị được giữ nguyên." });
    const after = await peek((p) => p.unit.findUniqueOrThrow({ where: { code: "DM1" } }));
    expect(after).toMatchObject({ ...before, status: "CLOSED", closedAt: expect.any(Date) });
    expect(await peek((p) => p.unit.count())).toBe(5);
    expect(await peek((p) => p.role.count({ where: { unitId: before.id } }))).toBe(1);
    expect(await peek((p) => p.auditEvent.count({ where: { action: "unit.closed", entityId: String(before.id) } }))).toBe(1);
    const invite = await cli("invite", "--unit", "DM1", "--kind", "officer");
    expect(invite.code).toBe(1);
    expect(invite.err).toContain("đã ngừng hoạt động");
    expect(await peek((p) => p.inviteCode.count())).toBe(0);
  });
});

/** A trade-union team under DM1, so that a move carries a subtree of two levels. */
async function writeSub(csv: string): Promise<string> {
  const p = csv.replace(/tree\.csv$/, "team.csv");
  await writeFile(p, "code,name,level,parent_code\nDM1-T1,Tổ công đoàn Phân xưởng may 1,bo_phan,DM1\n");
  return p;
}
