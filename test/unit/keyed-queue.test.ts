import { describe, expect, it } from "vitest";
import { KeyedQueue } from "../../src/infra/keyed-queue.js";

/** A task that records its start and end, and finishes when told. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const done = new Promise<void>((r) => (open = r));
  return { open, task: async () => (log.push(`${name}+`), await done, log.push(`${name}-`)) };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

describe("KeyedQueue", () => {
  it("runs one key's tasks in order and different keys side by side", async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    const a1 = gate(log, "a1"), a2 = gate(log, "a2"), b1 = gate(log, "b1");
    const all = [q.run("a", a1.task), q.run("a", a2.task), q.run("b", b1.task)];
    await settle();
    expect(log).toEqual(["a1+", "b1+"]);
    for (const g of [a1, a2, b1]) g.open();
    await Promise.all(all);
    expect(log.indexOf("a2+")).toBeGreaterThan(log.indexOf("a1-"));
    expect(q.size).toBe(0);
  });

  it("holds every key of a task on several keys: it waits for both, and both wait for it", async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    const a = gate(log, "a"), b = gate(log, "b"), ab = gate(log, "ab"), a2 = gate(log, "a2"), b2 = gate(log, "b2");
    const all = [q.run("old", a.task), q.run("new", b.task), q.runAll(["old", "new"], ab.task), q.run("old", a2.task), q.run("new", b2.task)];
    await settle();
    a.open();
    await settle();
    expect(log).not.toContain("ab+"); // "new" is still busy
    b.open();
    await settle();
    expect(log.at(-1)).toBe("ab+"); // neither later task overtook it
    ab.open();
    await settle();
    expect(log.slice(-2).sort()).toEqual(["a2+", "b2+"]);
    for (const g of [a2, b2]) g.open();
    await Promise.all(all);
    expect(q.size).toBe(0);
  });

  it("goes on after a failed task", async () => {
    const q = new KeyedQueue();
    const failed = q.runAll(["x", "y"], () => Promise.reject(new Error("boom")));
    await expect(failed).rejects.toThrow("boom");
    await expect(q.run("y", async () => 42)).resolves.toBe(42);
    await q.idle();
    expect(q.size).toBe(0);
  });
});
