/** The unit tree: a parent edge plus a materialised path for subtree queries. */
import type { Tx } from "../../core/ports.js";
import * as map from "./map.js";
import type { Db } from "./map.js";

type UnitsTx = Pick<Tx, "getUnit" | "getUnitByCode" | "getUnits" | "childrenOf" | "descendantsOf" | "allUnits" | "createUnit" | "renameUnit" | "moveUnit" | "closeUnit">;

export function unitsStore(db: Db): UnitsTx {
  return {
    async getUnit(id) {
      const u = await db.unit.findUnique({ where: { id } });
      return u ? map.unit(u) : null;
    },
    async getUnitByCode(code) {
      const u = await db.unit.findUnique({ where: { code } });
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
      const rows = await db.unit.findMany({ where: { path: { startsWith: unit.path }, id: { not: unit.id }, status: "ACTIVE" }, orderBy: [{ depth: "asc" }, { name: "asc" }] });
      return rows.map(map.unit);
    },
    async allUnits() {
      return (await db.unit.findMany({ orderBy: { id: "asc" } })).map(map.unit);
    },
    async createUnit(input) {
      const created = await db.unit.create({
        data: { code: input.code, name: input.name, level: input.level, parentId: input.parent?.id ?? null, path: "", depth: input.parent ? input.parent.depth + 1 : 0, demo: input.demo },
      });
      const u = await db.unit.update({ where: { id: created.id }, data: { path: `${input.parent?.path ?? "/"}${created.id}/` } });
      await db.unitParentHistory.create({ data: { unitId: u.id, parentId: u.parentId } });
      return map.unit(u);
    },
    async renameUnit(id, name) {
      await db.unit.update({ where: { id }, data: { name } });
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
      return map.unit((await db.unit.findUnique({ where: { id: unit.id } }))!);
    },
    async closeUnit(id, at) {
      await db.unit.update({ where: { id }, data: { status: "CLOSED", closedAt: at } });
    },
  };
}
