import { describe, it, expect } from "vitest";
import type { Person, Role, RoleKind, Unit, UnitLevel } from "../../src/core/model.js";
import { actingUnits, canActFor, canManage, hasRole, isStrictAncestor, pathIds, sameWorld } from "../../src/core/permissions.js";

function unit(id: number, path: string, name: string, over: Partial<Unit> = {}): Unit {
  const ids = path.split("/").filter(Boolean).map(Number);
  const levels: UnitLevel[] = ["CONFEDERATION", "SECTOR", "UPPER_GRASSROOTS", "GRASSROOTS", "SECTION"];
  return {
    id,
    code: `U${id}`,
    name,
    level: levels[ids.length - 1] ?? "SECTION",
    parentId: ids.length > 1 ? (ids[ids.length - 2] ?? null) : null,
    path,
    depth: ids.length - 1,
    status: "ACTIVE",
    demo: false,
    reviewPassThrough: false,
    abbreviation: null,
    place: null,
    ...over,
  };
}

function person(over: Partial<Person> = {}): Person {
  return { id: 100, displayName: "Nguyễn Văn An", locale: "vi", sandbox: false, erasedAt: null, ...over };
}

let nextRoleId = 1;
function role(p: Person, u: Unit, kind: RoleKind): Role {
  return { id: nextRoleId++, personId: p.id, unitId: u.id, kind, unit: u };
}

// Tree: 1 (confederation) → 4 (sector) → 9 (grassroots); 40 is a sibling of 4 whose id starts alike.
const root = unit(1, "/1/", "Liên đoàn Lao động");
const sector = unit(4, "/1/4/", "Công đoàn ngành Công Thương");
const grassroots = unit(9, "/1/4/9/", "Công đoàn cơ sở Nhà máy A");
const lookalike = unit(40, "/1/40/", "Công đoàn ngành Xây dựng");
const under40 = unit(41, "/1/40/41/", "Công đoàn cơ sở Công ty B");

describe("the unit tree", () => {
  it("reads the ids of a path, root first", () => {
    expect(pathIds(grassroots)).toEqual([1, 4, 9]);
    expect(pathIds(root)).toEqual([1]);
  });

  it("a unit's ancestors are strictly above it", () => {
    expect(isStrictAncestor(root, sector)).toBe(true);
    expect(isStrictAncestor(root, grassroots)).toBe(true);
    expect(isStrictAncestor(sector, grassroots)).toBe(true);
  });

  it("a unit is not its own ancestor", () => {
    expect(isStrictAncestor(sector, sector)).toBe(false);
  });

  it("a descendant is not an ancestor", () => {
    expect(isStrictAncestor(grassroots, sector)).toBe(false);
    expect(isStrictAncestor(sector, root)).toBe(false);
  });

  it("/1/40/ is not under /1/4/ even though its path starts with the same characters", () => {
    expect(isStrictAncestor(sector, lookalike)).toBe(false);
    expect(isStrictAncestor(sector, under40)).toBe(false);
    expect(isStrictAncestor(lookalike, grassroots)).toBe(false);
  });
});

describe("the sandbox world and the real world", () => {
  it("a real person may touch only real units, a sandbox identity only demo units", () => {
    expect(sameWorld({ sandbox: false }, { demo: false })).toBe(true);
    expect(sameWorld({ sandbox: true }, { demo: true })).toBe(true);
    expect(sameWorld({ sandbox: true }, { demo: false })).toBe(false);
    expect(sameWorld({ sandbox: false }, { demo: true })).toBe(false);
  });
});

describe("units a person acts for", () => {
  const an = person();

  it("are the units where the person is an officer, shallowest first", () => {
    const roles = [role(an, grassroots, "OFFICER"), role(an, root, "OFFICER"), role(an, sector, "OFFICER")];
    expect(actingUnits(an, roles).map((u) => u.id)).toEqual([1, 4, 9]);
  });

  it("leave out member and admin roles by default", () => {
    const roles = [role(an, root, "MEMBER"), role(an, sector, "ADMIN"), role(an, grassroots, "OFFICER")];
    expect(actingUnits(an, roles).map((u) => u.id)).toEqual([9]);
  });

  it("can include admin roles when asked", () => {
    const roles = [role(an, root, "MEMBER"), role(an, sector, "ADMIN"), role(an, grassroots, "OFFICER")];
    expect(actingUnits(an, roles, ["OFFICER", "ADMIN"]).map((u) => u.id)).toEqual([4, 9]);
  });

  it("leave out closed units", () => {
    const closed = unit(9, "/1/4/9/", "Công đoàn cơ sở đã giải thể", { status: "CLOSED" });
    expect(actingUnits(an, [role(an, closed, "OFFICER"), role(an, sector, "OFFICER")]).map((u) => u.id)).toEqual([4]);
  });

  it("leave out units of the other world", () => {
    const demo = unit(70, "/70/", "Đơn vị thử", { demo: true });
    expect(actingUnits(an, [role(an, demo, "OFFICER"), role(an, sector, "OFFICER")]).map((u) => u.id)).toEqual([4]);
    const visitor = person({ id: 200, sandbox: true });
    expect(actingUnits(visitor, [role(visitor, demo, "OFFICER"), role(visitor, sector, "OFFICER")]).map((u) => u.id)).toEqual([70]);
  });

  it("list a unit once even with two officer roles there", () => {
    expect(actingUnits(an, [role(an, sector, "OFFICER"), role(an, sector, "OFFICER")]).map((u) => u.id)).toEqual([4]);
  });

  it("at the same depth, are sorted by name", () => {
    expect(actingUnits(an, [role(an, lookalike, "OFFICER"), role(an, sector, "OFFICER")]).map((u) => u.name)).toEqual([
      "Công đoàn ngành Công Thương",
      "Công đoàn ngành Xây dựng",
    ]);
  });

  it("a person with no roles acts for nothing", () => {
    expect(actingUnits(an, [])).toEqual([]);
  });
});

describe("acting for and managing a unit", () => {
  const an = person();

  it("an officer acts for their own unit but not for the units below", () => {
    const roles = [role(an, sector, "OFFICER")];
    expect(canActFor(an, roles, sector)).toBe(true);
    expect(canActFor(an, roles, grassroots)).toBe(false);
    expect(hasRole(roles, 4, ["OFFICER"])).toBe(true);
    expect(hasRole(roles, 4, ["ADMIN"])).toBe(false);
  });

  it("an officer manages their own unit and every unit below it", () => {
    const roles = [role(an, sector, "OFFICER")];
    expect(canManage(an, roles, sector)).toBe(true);
    expect(canManage(an, roles, grassroots)).toBe(true);
  });

  it("an admin of an ancestor manages the units below", () => {
    expect(canManage(an, [role(an, root, "ADMIN")], grassroots)).toBe(true);
  });

  it("nobody manages a unit above them or beside them", () => {
    const roles = [role(an, sector, "OFFICER")];
    expect(canManage(an, roles, root)).toBe(false);
    expect(canManage(an, roles, lookalike)).toBe(false);
    expect(canManage(an, roles, under40)).toBe(false);
  });

  it("a member manages nothing, not even their own unit", () => {
    expect(canManage(an, [role(an, grassroots, "MEMBER")], grassroots)).toBe(false);
  });

  it("a closed unit cannot be managed", () => {
    const closed = unit(9, "/1/4/9/", "Công đoàn cơ sở đã giải thể", { status: "CLOSED" });
    expect(canManage(an, [role(an, sector, "OFFICER")], closed)).toBe(false);
  });

  it("a sandbox identity cannot manage a real unit, even with an officer role on its ancestor", () => {
    const visitor = person({ id: 200, sandbox: true });
    expect(canManage(visitor, [role(visitor, root, "OFFICER")], grassroots)).toBe(false);
    expect(canActFor(visitor, [role(visitor, grassroots, "OFFICER")], grassroots)).toBe(false);
  });

  it("an officer role on a closed unit above grants nothing below it", () => {
    const closedSector = { ...sector, status: "CLOSED" as const };
    expect(canManage(an, [role(an, closedSector, "OFFICER")], grassroots)).toBe(false);
  });
});
