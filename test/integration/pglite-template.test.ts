/**
 * A new PGlite data directory starts from the empty cluster made at install
 * (scripts/pglite-template.mjs) instead of running initdb; an existing one is opened as it
 * is, and a directory holding something else is left for PGlite to judge.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emptyCluster, openDatabase } from "../../src/infra/db/open.js";

describe("the empty PGlite cluster made at install", { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const fresh = async () => {
    const d = await mkdtemp(path.join(tmpdir(), "thidua-template-"));
    dirs.push(d);
    return d;
  };

  it("is used for a new directory, which then holds a database that opens again with its data", async () => {
    const dir = await fresh();
    expect(await emptyCluster(path.join(dir, "pg"))).toBeInstanceOf(Blob);
    const db = await openDatabase({ kind: "pglite", dataDir: dir });
    await db.prisma.chat.create({ data: { key: "test:template", platform: "test", kind: "GROUP" } });
    await db.close();
    expect(await emptyCluster(path.join(dir, "pg"))).toBeNull(); // a cluster is there now
    const again = await openDatabase({ kind: "pglite", dataDir: dir });
    expect(again.applied).toEqual([]);
    expect(await again.prisma.chat.count({ where: { key: "test:template" } })).toBe(1);
    await again.close();
  });

  it("is not used for a directory that already holds something", async () => {
    const dir = await fresh();
    await mkdir(path.join(dir, "pg"));
    await writeFile(path.join(dir, "pg", "stray"), "x");
    expect(await emptyCluster(path.join(dir, "pg"))).toBeNull();
  });
});
