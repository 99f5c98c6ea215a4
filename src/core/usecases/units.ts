/**
 * The unit tree: import, move (keeping history), close. Nothing here deletes a unit:
 * closing keeps its records, moving keeps its past parents.
 */
import { parseCsv, CsvError } from "../csv.js";
import { AppError } from "../errors.js";
import { LEVEL_ORDER, type Unit, type UnitLevel } from "../model.js";
import { isStrictAncestor } from "../permissions.js";
import type { Env } from "./env.js";
import { actorId } from "./env.js";

/** Level names accepted in CSV files, Vietnamese (without or with accents) or English. */
const LEVEL_ALIASES: Record<string, UnitLevel> = {
  confederation: "CONFEDERATION",
  tld: "CONFEDERATION",
  "tong_lien_doan": "CONFEDERATION",
  sector: "SECTOR",
  nganh: "SECTOR",
  "cong_doan_nganh": "SECTOR",
  upper_grassroots: "UPPER_GRASSROOTS",
  cap_tren_co_so: "UPPER_GRASSROOTS",
  grassroots: "GRASSROOTS",
  co_so: "GRASSROOTS",
  section: "SECTION",
  bo_phan: "SECTION",
};

export function parseLevel(text: string): UnitLevel | null {
  const key = text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/gi, "d")
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
  return LEVEL_ALIASES[key] ?? (LEVEL_ORDER.includes(key.toUpperCase() as UnitLevel) ? (key.toUpperCase() as UnitLevel) : null);
}

/** A bad row: `reason` names the translation (`cli:import.why.<reason>`), `params` fill it. */
export interface ImportProblem {
  line: number;
  code: string;
  reason: string;
  params?: Record<string, string | number>;
}

export interface ImportResult {
  created: number;
  renamed: number;
  moved: number;
  unchanged: number;
  problems: ImportProblem[];
}

interface Row {
  line: number;
  code: string;
  name: string;
  level: UnitLevel;
  parentCode: string;
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Import a unit tree from CSV with the header `code,name,level,parent_code`. Every row is
 * checked first; if any is wrong, nothing is written and every problem is reported with its
 * line. Existing codes are renamed or moved (with history), never duplicated.
 */
/** The root added when an imported tree has none (TLĐ, the top of every union tree). */
export const CONFEDERATION = { code: "TLD", name: "Tổng Liên đoàn Lao động Việt Nam" } as const;

export async function importUnits(env: Env, csv: string, opts: { demo?: boolean; dryRun?: boolean } = {}): Promise<ImportResult> {
  const problems: ImportProblem[] = [];
  const problem = (line: number, code: string, reason: string, params?: Record<string, string | number>) => problems.push({ line, code, reason, params });
  let records;
  try {
    records = parseCsv(csv);
  } catch (e) {
    if (e instanceof CsvError) return { created: 0, renamed: 0, moved: 0, unchanged: 0, problems: [{ line: e.line, code: "", reason: "unterminated" }] };
    throw e;
  }
  const header = records.shift();
  const cols = header?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  const idx = { code: cols.indexOf("code"), name: cols.indexOf("name"), level: cols.indexOf("level"), parent: cols.indexOf("parent_code") };
  if (Object.values(idx).some((i) => i < 0)) {
    return { created: 0, renamed: 0, moved: 0, unchanged: 0, problems: [{ line: 1, code: "", reason: "header" }] };
  }

  const rows: Row[] = [];
  const seen = new Map<string, number>();
  for (const r of records) {
    const get = (i: number) => (r.fields[i] ?? "").trim();
    const code = get(idx.code);
    const name = get(idx.name).normalize("NFC");
    const levelText = get(idx.level);
    const parentCode = get(idx.parent);
    if (!CODE.test(code)) {
      problem(r.line, code, "bad_code");
      continue;
    }
    if (seen.has(code)) {
      problem(r.line, code, "repeated", { first: seen.get(code)! });
      continue;
    }
    seen.set(code, r.line);
    if (name.length < 2 || name.length > 300) problem(r.line, code, "bad_name");
    const level = parseLevel(levelText);
    if (!level) problem(r.line, code, "bad_level", { level: levelText });
    if (parentCode === code) problem(r.line, code, "self_parent");
    if (level) rows.push({ line: r.line, code, name, level, parentCode });
  }

  const existing = new Map((await env.tx.allUnits()).map((u) => [u.code, u]));
  // Tổng Liên đoàn is the root of every tree: rows without a parent go under it (created when missing).
  const tops = rows.filter((r) => !r.parentCode && r.level !== "CONFEDERATION");
  if (tops.length) {
    const root =
      rows.find((r) => !r.parentCode && r.level === "CONFEDERATION")?.code ??
      [...existing.values()].find((u) => u.level === "CONFEDERATION" && u.parentId === null && u.demo === Boolean(opts.demo))?.code;
    if (root) for (const r of tops) r.parentCode = root;
    else if (!existing.has(CONFEDERATION.code)) {
      rows.unshift({ line: 0, code: CONFEDERATION.code, name: CONFEDERATION.name, level: "CONFEDERATION", parentCode: "" });
      for (const r of tops) r.parentCode = CONFEDERATION.code;
    }
  }
  const fileRows = new Map(rows.map((r) => [r.code, r]));
  const levelOf = (code: string): UnitLevel | undefined => fileRows.get(code)?.level ?? existing.get(code)?.level;
  for (const r of rows) {
    if (!r.parentCode) {
      if (existing.get(r.code)?.parentId) problem(r.line, r.code, "existing_root");
      continue;
    }
    const parentLevel = levelOf(r.parentCode);
    if (!parentLevel) {
      problem(r.line, r.code, "parent_missing", { parent: r.parentCode });
      continue;
    }
    if (LEVEL_ORDER.indexOf(parentLevel) >= LEVEL_ORDER.indexOf(r.level)) problem(r.line, r.code, "level_order", { level: r.level, parent: parentLevel });
    const ex = existing.get(r.code);
    if (ex && ex.level !== r.level) problem(r.line, r.code, "level_differs", { level: ex.level });
    if (ex && ex.demo !== Boolean(opts.demo)) problem(r.line, r.code, "demo_code");
  }
  // Cycles: follow parents through the file and the database.
  for (const r of rows) {
    const visited = new Set<string>([r.code]);
    let cur = r.parentCode;
    while (cur) {
      if (visited.has(cur)) {
        problem(r.line, r.code, "cycle");
        break;
      }
      visited.add(cur);
      const next: string | undefined = fileRows.get(cur)?.parentCode ?? codeOfParent(existing, cur);
      cur = next ?? "";
    }
  }
  if (problems.length || opts.dryRun) return { created: 0, renamed: 0, moved: 0, unchanged: 0, problems: problems.sort((a, b) => a.line - b.line) };

  // Write parents before children: order rows by their depth within the file.
  const depth = new Map<string, number>();
  const depthOf = (code: string): number => {
    const known = depth.get(code);
    if (known !== undefined) return known;
    const parent = fileRows.get(code)?.parentCode;
    const d = parent && fileRows.has(parent) ? depthOf(parent) + 1 : 0;
    depth.set(code, d);
    return d;
  };
  const ordered = [...rows].sort((a, b) => depthOf(a.code) - depthOf(b.code));
  const result: ImportResult = { created: 0, renamed: 0, moved: 0, unchanged: 0, problems: [] };
  const done = new Map(existing);
  for (const r of ordered) {
    // Re-read the parent: an earlier move in this import may have changed its path.
    const parent = r.parentCode ? await env.tx.getUnit(done.get(r.parentCode)!.id) : null;
    const ex = existing.get(r.code);
    if (!ex) {
      const u = await env.tx.createUnit({ code: r.code, name: r.name, level: r.level, parent, demo: Boolean(opts.demo) });
      await env.tx.audit(env.actor, { action: "unit.created", entity: "unit", entityId: u.id, unitId: u.id, data: { code: u.code, parent: parent?.code ?? null } });
      done.set(r.code, u);
      result.created++;
      continue;
    }
    let changed = false;
    if (ex.name !== r.name) {
      await env.tx.renameUnit(ex.id, r.name);
      await env.tx.audit(env.actor, { action: "unit.renamed", entity: "unit", entityId: ex.id, unitId: ex.id, data: { from: ex.name, to: r.name } });
      result.renamed++;
      changed = true;
    }
    let current = (await env.tx.getUnit(ex.id))!;
    if (parent && current.parentId !== parent.id) {
      current = await moveUnit(env, current, parent);
      result.moved++;
      changed = true;
    }
    done.set(r.code, current);
    if (!changed) result.unchanged++;
  }
  return result;
}

function codeOfParent(existing: Map<string, Unit>, code: string): string | undefined {
  const u = existing.get(code);
  if (!u?.parentId) return undefined;
  for (const v of existing.values()) if (v.id === u.parentId) return v.code;
  return undefined;
}

/** Move `unit` (and its subtree) under `parent`. Its history keeps the previous parent. */
export async function moveUnit(env: Env, unit: Unit, parent: Unit): Promise<Unit> {
  if (unit.id === parent.id || isStrictAncestor(unit, parent)) throw new AppError("conflict");
  if (LEVEL_ORDER.indexOf(parent.level) >= LEVEL_ORDER.indexOf(unit.level)) throw new AppError("conflict");
  const before = unit.parentId;
  const moved = await env.tx.moveUnit(unit, parent, actorId(env.actor), env.now);
  await env.tx.audit(env.actor, { action: "unit.moved", entity: "unit", entityId: unit.id, unitId: unit.id, data: { from: before, to: parent.id } });
  return moved;
}

/** Close a unit: it stops acting and being expected, and keeps all its records. */
export async function closeUnit(env: Env, unit: Unit): Promise<void> {
  if (unit.status === "CLOSED") return;
  await env.tx.closeUnit(unit.id, env.now);
  await env.tx.audit(env.actor, { action: "unit.closed", entity: "unit", entityId: unit.id, unitId: unit.id });
}
