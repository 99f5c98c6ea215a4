/**
 * Who may do what. Rights flow down the tree: officers act for their own unit; officers
 * of a strict ancestor review; members only receive. Made-up sandbox identities and demo
 * units live in their own world and never touch real units.
 */
import type { Person, Role, RoleKind, Unit } from "./model.js";

/** Ids in a unit's path, root first, the unit itself last. */
export function pathIds(unit: Pick<Unit, "path">): number[] {
  return unit.path.split("/").filter(Boolean).map(Number);
}

/** True when `ancestor` is strictly above `unit`. */
export function isStrictAncestor(ancestor: Pick<Unit, "id" | "path">, unit: Pick<Unit, "id" | "path">): boolean {
  return ancestor.id !== unit.id && unit.path.startsWith(ancestor.path);
}

/** A sandbox identity may only touch demo units, and a real identity only real units. */
export function sameWorld(person: Pick<Person, "sandbox">, unit: Pick<Unit, "demo">): boolean {
  return person.sandbox === unit.demo;
}

export function hasRole(roles: Role[], unitId: number, kinds: RoleKind[]): boolean {
  return roles.some((r) => r.unitId === unitId && kinds.includes(r.kind));
}

/** Units this person may act for (officer, active unit, same world). */
export function actingUnits(person: Person, roles: Role[], kinds: RoleKind[] = ["OFFICER"]): Unit[] {
  const seen = new Map<number, Unit>();
  for (const r of roles) {
    if (kinds.includes(r.kind) && r.unit.status === "ACTIVE" && sameWorld(person, r.unit)) seen.set(r.unit.id, r.unit);
  }
  return [...seen.values()].sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name, "vi"));
}

export function canActFor(person: Person, roles: Role[], unit: Unit): boolean {
  return unit.status === "ACTIVE" && sameWorld(person, unit) && hasRole(roles, unit.id, ["OFFICER"]);
}

/** Officers (or administrators, for invites) of `unit` or of one of its ancestors. */
export function canManage(person: Person, roles: Role[], unit: Unit): boolean {
  if (!sameWorld(person, unit) || unit.status !== "ACTIVE") return false;
  const above = new Set(pathIds(unit));
  return roles.some((r) => (r.kind === "OFFICER" || r.kind === "ADMIN") && r.unit.status === "ACTIVE" && above.has(r.unitId));
}
