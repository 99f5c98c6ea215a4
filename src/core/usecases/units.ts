/**
 * The unit tree: import, move (keeping history), close. Nothing here deletes a unit:
 * closing keeps its records, moving keeps its past parents.
 */
import { cleanName } from "../text.js";
import { decodeUtf8, parseCsv, CsvError, NotUtf8Error } from "../csv.js";
import { AppError } from "../errors.js";
import { LEVEL_ORDER, type Unit, type UnitLevel } from "../model.js";
import { isStrictAncestor } from "../permissions.js";
import { codesReachingCycle, parentsFirst } from "../unit-tree.js";
import type { Env } from "./env.js";
import { actorId, assertActsFor } from "./env.js";

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
  /** Existing units whose abbreviation or place changed (and nothing else). */
  updated: number;
  unchanged: number;
  problems: ImportProblem[];
}

interface Row {
  line: number;
  code: string;
  name: string;
  level: UnitLevel;
  parentCode: string;
  /** From the optional columns; undefined: not given (what is stored stays). */
  abbreviation?: string;
  place?: string;
}

/**
 * A unit's abbreviation for its document numbers ("CĐHC" in "12/BC-CĐHC"): letters and
 * digits, parts joined by "-", "." or "&", no spaces, up to 20 characters; null if not one.
 */
export function readAbbreviation(text: string): string | null {
  const value = text.normalize("NFC").trim();
  return value.length <= 20 && /^[\p{L}\p{N}]+(?:[-.&][\p{L}\p{N}]+)*$/u.test(value) ? value : null;
}

/** A place name for "Việt Trì, ngày …": 2–50 characters, cleaned as names are; null if not one. */
export function readPlace(text: string): string | null {
  const value = cleanName(text);
  return value && value.length >= 2 && value.length <= 50 && /\p{L}/u.test(value) ? value : null;
}

/**
 * Set what a unit's documents print — its abbreviation, its place — as an officer of the
 * unit (or an operator) gives them; each change is audited with what it was. A field left
 * out stays as it is.
 */
export async function setUnitDetails(env: Env, unit: Unit, details: { abbreviation?: string; place?: string }): Promise<Unit> {
  await assertActsFor(env, unit);
  const changes: { abbreviation?: string; place?: string } = {};
  if (details.abbreviation !== undefined && details.abbreviation !== unit.abbreviation) changes.abbreviation = details.abbreviation;
  if (details.place !== undefined && details.place !== unit.place) changes.place = details.place;
  if (!Object.keys(changes).length) return unit;
  await env.tx.setUnitDetails(unit.id, changes);
  await env.tx.auditMany(
    env.actor,
    Object.entries(changes).map(([field, to]) => ({ action: `unit.${field}_set`, entity: "unit", entityId: unit.id, unitId: unit.id, data: { from: unit[field as keyof typeof changes], to } })),
  );
  return { ...unit, ...changes };
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Import a unit tree from CSV with the header `code,name,level,parent_code`, and optionally
 * `abbreviation` and `place` (what the unit's documents print; an empty cell leaves what is
 * stored). Every row is checked first; if any is wrong, nothing is written and every problem
 * is reported with its line. Existing codes are renamed or moved (with history), never
 * duplicated.
 */
/** The root added when an imported tree has none (TLĐ, the top of every union tree). */
export const CONFEDERATION = { code: "TLD", name: "Tổng Liên đoàn Lao động Việt Nam" } as const;

export async function importUnits(env: Env, file: string | Uint8Array, opts: { demo?: boolean; dryRun?: boolean } = {}): Promise<ImportResult> {
  const problems: ImportProblem[] = [];
  const problem = (line: number, code: string, reason: string, params?: Record<string, string | number>) => problems.push({ line, code, reason, params });
  const refused = (p: ImportProblem): ImportResult => ({ created: 0, renamed: 0, moved: 0, updated: 0, unchanged: 0, problems: [p] });
  let records;
  try {
    records = parseCsv(typeof file === "string" ? file : decodeUtf8(file));
  } catch (e) {
    if (e instanceof CsvError) return refused({ line: e.line, code: "", reason: e instanceof NotUtf8Error ? "encoding" : "unterminated" });
    throw e;
  }
  const header = records.shift();
  const cols = header?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  const idx = { code: cols.indexOf("code"), name: cols.indexOf("name"), level: cols.indexOf("level"), parent: cols.indexOf("parent_code") };
  if (Object.values(idx).some((i) => i < 0)) return refused({ line: 1, code: "", reason: "header" });
  // Optional columns: absent, or an empty cell, leaves what is stored.
  const optional = { abbreviation: cols.indexOf("abbreviation"), place: cols.indexOf("place") };

  const rows: Row[] = [];
  const seen = new Map<string, number>();
  for (const r of records) {
    const get = (i: number) => (r.fields[i] ?? "").trim();
    const code = get(idx.code);
    // As others will see it: no control or direction characters (they could flip a list), NFC.
    const name = cleanName(get(idx.name)) ?? "";
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
    const row: Row | null = level ? { line: r.line, code, name, level, parentCode } : null;
    const abbreviation = optional.abbreviation >= 0 ? get(optional.abbreviation) : "";
    if (abbreviation) {
      const value = readAbbreviation(abbreviation);
      if (!value) problem(r.line, code, "bad_abbreviation", { value: abbreviation });
      else if (row) row.abbreviation = value;
    }
    const place = optional.place >= 0 ? get(optional.place) : "";
    if (place) {
      const value = readPlace(place);
      if (!value) problem(r.line, code, "bad_place", { value: place });
      else if (row) row.place = value;
    }
    if (row) rows.push(row);
  }

  const all = await env.tx.allUnits();
  const existing = new Map(all.map((u) => [u.code, u]));
  const byId = new Map(all.map((u) => [u.id, u]));
  // Tổng Liên đoàn is the root of every tree: rows without a parent go under it (created when missing).
  const tops = rows.filter((r) => !r.parentCode && r.level !== "CONFEDERATION");
  if (tops.length) {
    const root =
      rows.find((r) => !r.parentCode && r.level === "CONFEDERATION")?.code ??
      all.find((u) => u.level === "CONFEDERATION" && u.parentId === null && u.demo === Boolean(opts.demo))?.code;
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
  // Cycles: parents as the file sets them, else as the database has them; one linear walk.
  const parentOf = (code: string): string | undefined => {
    const r = fileRows.get(code);
    if (r) return r.parentCode || undefined;
    const parentId = existing.get(code)?.parentId;
    return parentId ? byId.get(parentId)?.code : undefined;
  };
  const cyclic = codesReachingCycle(
    rows.map((r) => r.code),
    parentOf,
  );
  for (const r of rows) if (cyclic.has(r.code)) problem(r.line, r.code, "cycle");
  if (problems.length || opts.dryRun) return { created: 0, renamed: 0, moved: 0, updated: 0, unchanged: 0, problems: problems.sort((a, b) => a.line - b.line) };

  // Parents are written before their children. New units go in batches; an existing unit
  // is renamed or moved where it stands in that order (moves are rare: restructurings).
  const result: ImportResult = { created: 0, renamed: 0, moved: 0, updated: 0, unchanged: 0, problems: [] };
  const done = new Map(existing);
  let pending: { row: Row; parent: Unit | number }[] = [];
  const pendingAt = new Map<string, number>();
  // After a move, paths read before it may be stale: parents are then re-read.
  let moved = false;
  const flush = async () => {
    if (!pending.length) return;
    const made = await env.tx.createUnits(pending.map(({ row, parent }) => ({ code: row.code, name: row.name, level: row.level, parent, demo: Boolean(opts.demo), abbreviation: row.abbreviation, place: row.place })));
    await env.tx.auditMany(
      env.actor,
      made.map((u, i) => {
        const p = pending[i]!.parent;
        return { action: "unit.created", entity: "unit", entityId: u.id, unitId: u.id, data: { code: u.code, parent: typeof p === "number" ? made[p]!.code : p.code } };
      }),
    );
    for (const u of made) done.set(u.code, u);
    result.created += made.length;
    pending = [];
    pendingAt.clear();
  };
  for (const r of parentsFirst(rows)) {
    const ex = existing.get(r.code);
    if (!ex) {
      const at = r.parentCode ? pendingAt.get(r.parentCode) : undefined;
      const parent = at ?? (r.parentCode ? (moved ? await env.tx.getUnit(done.get(r.parentCode)!.id) : done.get(r.parentCode)!) : null);
      if (parent === null) {
        // A new root goes on its own (nothing below it can be pending yet).
        await flush();
        const u = await env.tx.createUnit({ code: r.code, name: r.name, level: r.level, parent: null, demo: Boolean(opts.demo), abbreviation: r.abbreviation, place: r.place });
        await env.tx.audit(env.actor, { action: "unit.created", entity: "unit", entityId: u.id, unitId: u.id, data: { code: u.code, parent: null } });
        done.set(r.code, u);
        result.created++;
        continue;
      }
      pendingAt.set(r.code, pending.length);
      pending.push({ row: r, parent });
      continue;
    }
    let changed = false;
    if (ex.name !== r.name) {
      await env.tx.renameUnit(ex.id, r.name);
      await env.tx.audit(env.actor, { action: "unit.renamed", entity: "unit", entityId: ex.id, unitId: ex.id, data: { from: ex.name, to: r.name } });
      result.renamed++;
      changed = true;
    }
    if (r.parentCode && (pendingAt.has(r.parentCode) || ex.parentId !== done.get(r.parentCode)!.id)) {
      // Moving under a unit of this file: write what is pending first, then read both fresh.
      await flush();
      const parent = (await env.tx.getUnit(done.get(r.parentCode)!.id))!;
      done.set(r.code, await moveUnit(env, (await env.tx.getUnit(ex.id))!, parent));
      moved = true;
      result.moved++;
      changed = true;
    } else done.set(r.code, { ...ex, name: r.name });
    const details = await setUnitDetails(env, { ...ex, name: r.name }, { abbreviation: r.abbreviation, place: r.place });
    if (!changed && (details.abbreviation !== ex.abbreviation || details.place !== ex.place)) result.updated++;
    else if (!changed) result.unchanged++;
  }
  await flush();
  return result;
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
