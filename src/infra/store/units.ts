/** The unit tree: a parent edge plus a materialised path for subtree queries. */
import type { Sql } from "../db/transactions.js";
import { Prisma } from "../../generated/prisma/client.ts";
import type { Tx } from "../../core/ports.js";
import type * as M from "../../core/model.js";
import * as map from "./map.js";
import type { Db } from "./map.js";

type UnitsTx = Pick<Tx, "getUnit" | "getUnitByCode" | "getUnits" | "childrenOf" | "descendantsOf" | "unitsWithUnitsBelow" | "allUnits" | "createUnit" | "createUnits" | "renameUnit" | "setUnitDetails" | "moveUnit" | "closeUnit">;

/**
 * Rows per INSERT in bulk creation. Each batch travels as one JSON parameter (no limit on
 * bind parameters); 5,000 keeps PGlite's single connection, and its memory, unclogged.
 */
export const UNIT_BATCH = 5000;

/** Ids taken from the table's own sequence, so later single inserts never collide. */
async function reserveUnitIds(db: Db, count: number): Promise<number[]> {
  const rows = await db.$queryRawUnsafe<{ id: number }[]>(`SELECT nextval(pg_get_serial_sequence('"Unit"', 'id'))::int AS id FROM generate_series(1, $1::int) ORDER BY 1`, count);
  return rows.map((r) => Number(r.id));
}

export function unitsStore(db: Db, sql: Sql): UnitsTx {
  return {
    async getUnit(id) {
      // Read at almost every step: SQL, not a model query (see plumbing.ts).
      const [u] = await sql.query<Parameters<typeof map.unit>[0][]>(Prisma.sql`SELECT ${map.UNIT_COLUMNS} FROM "Unit" u WHERE u."id" = ${id}`);
      return u ? map.unit(u) : null;
    },
    async getUnitByCode(code) {
      const u = await db.unit.findFirst({ where: { code } });
      return u ? map.unit(u) : null;
    },
    async getUnits(ids) {
      const rows = await db.unit.findMany({ where: { id: { in: ids } } });
      const byId = new Map(rows.map((u) => [u.id, map.unit(u)]));
      return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
    },
    async childrenOf(unitId) {
      return (await db.unit.findMany({ where: { parentId: unitId, status: "ACTIVE" }, orderBy: [{ name: "asc" }, { id: "asc" }] })).map(map.unit);
    },
    async descendantsOf(unit) {
      // A Confederation's 124,000 units: through the driver, a third of a model query's time.
      const rows = await sql.query<Parameters<typeof map.unit>[0][]>(Prisma.sql`
        SELECT ${map.UNIT_COLUMNS} FROM "Unit" u WHERE u."path" LIKE ${unit.path} || '%' AND u."id" <> ${unit.id} AND u."status" = 'ACTIVE' ORDER BY u."depth", u."name", u."id"`);
      return rows.map(map.unit);
    },
    async unitsWithUnitsBelow(root) {
      // The 1,366 parents of a Confederation without reading its 124,000 units.
      const rows = await sql.query<(Parameters<typeof map.unit>[0] & { children: number })[]>(Prisma.sql`
        WITH kids AS (
          SELECT c."parentId" AS "id", count(*)::int AS "n" FROM "Unit" c
           WHERE c."path" LIKE ${root.path} || '%' AND c."id" <> ${root.id} AND c."status" = 'ACTIVE' GROUP BY c."parentId"
        )
        SELECT ${map.UNIT_COLUMNS}, k."n" AS "children" FROM kids k JOIN "Unit" u ON u."id" = k."id"
         WHERE u."id" = ${root.id} OR u."status" = 'ACTIVE' ORDER BY u."depth", u."name", u."id"`);
      return rows.map((r) => ({ unit: map.unit(r), children: r.children }));
    },
    async allUnits() {
      return (await db.unit.findMany({ orderBy: { id: "asc" } })).map(map.unit);
    },
    async createUnit(input) {
      const created = await db.unit.create({
        data: { code: input.code, name: input.name, level: input.level, parentId: input.parent?.id ?? null, path: "", depth: input.parent ? input.parent.depth + 1 : 0, demo: input.demo, abbreviation: input.abbreviation ?? null, place: input.place ?? null },
      });
      const u = await db.unit.update({ where: { id: created.id }, data: { path: `${input.parent?.path ?? "/"}${created.id}/` } });
      await db.unitParentHistory.create({ data: { unitId: u.id, parentId: u.parentId } });
      return map.unit(u);
    },
    async createUnits(items) {
      if (!items.length) return [];
      const ids = await reserveUnitIds(db, items.length);
      const made: M.Unit[] = [];
      items.forEach((item, i) => {
        const parent = typeof item.parent === "number" ? made[item.parent] : item.parent;
        if (typeof item.parent === "number" && !(item.parent < i && parent)) throw new Error(`createUnits: item ${i} names a parent that does not come before it`);
        const id = ids[i]!;
        made.push({
          id,
          code: item.code,
          name: item.name,
          level: item.level,
          parentId: parent?.id ?? null,
          path: `${parent?.path ?? "/"}${id}/`,
          depth: parent ? parent.depth + 1 : 0,
          status: "ACTIVE",
          demo: item.demo,
          reviewPassThrough: false,
          abbreviation: item.abbreviation ?? null,
          place: item.place ?? null,
        });
      });
      for (let from = 0; from < made.length; from += UNIT_BATCH) {
        const batch = made.slice(from, from + UNIT_BATCH);
        await db.$executeRawUnsafe(
          `INSERT INTO "Unit" ("id", "code", "name", "level", "parentId", "path", "depth", "demo", "abbreviation", "place")
           SELECT x.id, x.code, x.name, x.level::"UnitLevel", x."parentId", x.path, x.depth, x.demo, x.abbreviation, x.place
           FROM jsonb_to_recordset($1::jsonb) AS x(id int, code text, name text, level text, "parentId" int, path text, depth int, demo boolean, abbreviation text, place text)`,
          JSON.stringify(batch.map((u) => ({ id: u.id, code: u.code, name: u.name, level: u.level, parentId: u.parentId, path: u.path, depth: u.depth, demo: u.demo, abbreviation: u.abbreviation, place: u.place }))),
        );
        await db.$executeRawUnsafe(
          `INSERT INTO "UnitParentHistory" ("unitId", "parentId") SELECT x."unitId", x."parentId" FROM jsonb_to_recordset($1::jsonb) AS x("unitId" int, "parentId" int)`,
          JSON.stringify(batch.map((u) => ({ unitId: u.id, parentId: u.parentId }))),
        );
      }
      return made;
    },
    async renameUnit(id, name) {
      await db.unit.update({ where: { id }, data: { name } });
    },
    async setUnitDetails(id, details) {
      await db.unit.update({ where: { id }, data: details });
    },
    async moveUnit(unit, newParent, byId, at) {
      const newPath = `${newParent.path}${unit.id}/`;
      const delta = newParent.depth + 1 - unit.depth;
      await db.$executeRawUnsafe(
        `UPDATE "Unit" SET "path" = $1 || substr("path", length($2) + 1), "depth" = "depth" + $3 WHERE "path" LIKE $2 || '%'`,
        newPath,
        unit.path,
        delta,
      );
      await db.unit.update({ where: { id: unit.id }, data: { parentId: newParent.id } });
      await db.unitParentHistory.updateMany({ where: { unitId: unit.id, validTo: null }, data: { validTo: at } });
      await db.unitParentHistory.create({ data: { unitId: unit.id, parentId: newParent.id, validFrom: at, changedById: byId } });
      return map.unit((await db.unit.findFirst({ where: { id: unit.id } }))!);
    },
    async closeUnit(id, at) {
      await db.unit.update({ where: { id }, data: { status: "CLOSED", closedAt: at } });
    },
  };
}
