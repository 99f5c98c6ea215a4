/**
 * Walks over a unit tree given as "code → parent code", in time linear in its size: a
 * whole Confederation (125,000 units) or a 20,000-deep chain is checked in one pass, with
 * no recursion (a deep chain would overflow the stack).
 */

/** Work done by a walk: how many parent edges it followed. Tests read it to check linearity. */
export interface WalkCount {
  steps: number;
}

/**
 * The codes among `starts` whose chain of parents runs into a cycle (a unit on a cycle,
 * or below one). `parentOf` gives a code's parent, or undefined at a root or an unknown
 * code. Each code is followed at most once: colours mark codes already settled.
 */
export function codesReachingCycle(starts: readonly string[], parentOf: (code: string) => string | undefined, count: WalkCount = { steps: 0 }): Set<string> {
  const ON_PATH = 1;
  const GOOD = 2;
  const BAD = 3;
  const colour = new Map<string, number>();
  const bad = new Set<string>();
  const path: string[] = [];
  for (const start of starts) {
    if (colour.has(start)) continue;
    let cur: string | undefined = start;
    let verdict = GOOD;
    while (cur !== undefined) {
      const c = colour.get(cur);
      if (c === ON_PATH || c === BAD) {
        verdict = BAD;
        break;
      }
      if (c === GOOD) break;
      colour.set(cur, ON_PATH);
      path.push(cur);
      count.steps++;
      cur = parentOf(cur);
    }
    for (const code of path) {
      colour.set(code, verdict);
      if (verdict === BAD) bad.add(code);
    }
    path.length = 0;
  }
  return new Set(starts.filter((s) => bad.has(s)));
}

/**
 * `items` reordered so that each comes after its parent when the parent is among them
 * (breadth first: the tree's top, then each level below). Items whose parent is not among
 * them come first. Assumes no cycles (check with `codesReachingCycle`).
 */
export function parentsFirst<T extends { code: string; parentCode: string }>(items: T[]): T[] {
  const byCode = new Map(items.map((i) => [i.code, i]));
  const children = new Map<string, T[]>();
  const out: T[] = [];
  for (const i of items) {
    if (i.parentCode && byCode.has(i.parentCode)) {
      const list = children.get(i.parentCode);
      if (list) list.push(i);
      else children.set(i.parentCode, [i]);
    } else out.push(i);
  }
  for (let k = 0; k < out.length; k++) for (const child of children.get(out[k]!.code) ?? []) out.push(child);
  return out;
}
