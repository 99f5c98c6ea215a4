/**
 * Checking an imported unit tree: cycles and parents-first order, in work linear in the
 * number of units, so a whole Confederation or a 20,000-deep chain is checked at once.
 */
import { describe, expect, it } from "vitest";
import { codesReachingCycle, parentsFirst, type WalkCount } from "../../src/core/unit-tree.js";

/** U0 ← U1 ← … ← U(n-1): each unit's parent is the one before it. */
function chain(n: number): Map<string, string | undefined> {
  return new Map(Array.from({ length: n }, (_, i) => [`U${i}`, i ? `U${i - 1}` : undefined]));
}

describe("the unit tree of an import", () => {
  it("checks a 20,000-deep chain for cycles following each parent edge once", () => {
    const parents = chain(20_000);
    const count: WalkCount = { steps: 0 };
    // Listed deepest first, the worst order for a walk that starts afresh from every unit.
    const codes = [...parents.keys()].reverse();
    expect(codesReachingCycle(codes, (c) => parents.get(c), count).size).toBe(0);
    expect(count.steps).toBe(20_000);
  });

  it("finds a 20,000-long cycle, and the units hanging below it, in linear work", () => {
    const parents = chain(20_000);
    parents.set("U0", "U19999");
    parents.set("BELOW", "U5");
    parents.set("APART", undefined);
    const count: WalkCount = { steps: 0 };
    const cyclic = codesReachingCycle([...parents.keys()], (c) => parents.get(c), count);
    expect(cyclic.size).toBe(20_001);
    expect(cyclic.has("BELOW")).toBe(true);
    expect(cyclic.has("APART")).toBe(false);
    expect(count.steps).toBe(20_002);
  });

  it("follows parents known only to the database, and stops at unknown codes", () => {
    const parents = new Map<string, string | undefined>([["NEW", "OLD"], ["OLD", "NEW"], ["X", "NOWHERE"]]);
    expect([...codesReachingCycle(["NEW", "X"], (c) => parents.get(c))]).toEqual(["NEW"]);
  });

  it("orders a 20,000-deep chain listed deepest first so that parents come first", () => {
    const items = [...chain(20_000)].map(([code, parent]) => ({ code, parentCode: parent ?? "" })).reverse();
    const ordered = parentsFirst(items);
    expect(ordered).toHaveLength(20_000);
    const at = new Map(ordered.map((r, i) => [r.code, i]));
    expect(ordered.every((r, i) => !r.parentCode || at.get(r.parentCode)! < i)).toBe(true);
  });
});
