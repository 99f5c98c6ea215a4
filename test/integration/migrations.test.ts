/**
 * The migrator: the committed SQL is applied once — also when two instances start on the
 * same PostgreSQL at the same moment — and a database that does not match the files
 * (an applied file edited, or a migration this version does not know) stops start-up.
 */
import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import { MigrationError, migrate, readMigrations } from "../../src/infra/db/migrate.js";
import { openDatabase, pgliteSession } from "../../src/infra/db/open.js";
import { backends, createTestDatabase } from "../support/database.js";

describe("migrations on PGlite", () => {
  it("apply every committed migration once, and nothing the second time", async () => {
    const lite = new PGlite();
    const session = pgliteSession(lite);
    const files = await readMigrations();
    expect(await migrate(session)).toEqual(files.map((f) => f.name));
    expect(await migrate(session)).toEqual([]);
    const tables = await session.query<{ n: number }>(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('Unit', 'OutboxMessage', 'DialogState')`);
    expect(tables[0]!.n).toBe(3);
    await lite.close();
  });

  it("refuse to start when an applied migration was edited", async () => {
    const lite = new PGlite();
    const session = pgliteSession(lite);
    const files = await readMigrations();
    await migrate(session, files);
    const edited = files.map((f, i) => (i === 0 ? { ...f, checksum: "0".repeat(64) } : f));
    await expect(migrate(session, edited)).rejects.toThrow(MigrationError);
    await expect(migrate(session, edited)).rejects.toThrow(/was edited after it was applied/);
    await lite.close();
  });

  it("refuse to run an older version against a newer database", async () => {
    const lite = new PGlite();
    const session = pgliteSession(lite);
    await migrate(session);
    await session.query(`INSERT INTO "_thidua_migrations" ("name", "checksum") VALUES ('29990101000000_future', 'x')`);
    await expect(migrate(session)).rejects.toThrow(/29990101000000_future, which this version does not know/);
    await lite.close();
  });

  it("roll back a migration that fails, leaving nothing half-applied", async () => {
    const lite = new PGlite();
    const session = pgliteSession(lite);
    const broken = [{ name: "20000101000000_broken", sql: `CREATE TABLE "half" (id int); SELECT no_such_function();`, checksum: "b" }];
    await expect(migrate(session, broken)).rejects.toThrow(/migration 20000101000000_broken failed/);
    expect(await session.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half'`)).toEqual([]);
    expect(await session.query(`SELECT * FROM "_thidua_migrations"`)).toEqual([]);
    await lite.close();
  });
});

// Only where a PostgreSQL server is configured (CI): nothing is declared, so nothing is skipped.
describe.each(backends().filter((b) => b === "postgres"))("migrations on %s", (backend) => {
  it("run once when two instances start together", async () => {
    const db = await createTestDatabase(backend);
    try {
      const [a, b] = await Promise.all([openDatabase(db.config), openDatabase(db.config)]);
      const files = await readMigrations();
      expect([...a.applied, ...b.applied].sort()).toEqual(files.map((f) => f.name).sort());
      const rows = await a.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "_thidua_migrations"`);
      expect(rows[0]!.n).toBe(files.length);
      await a.close();
      await b.close();
    } finally {
      await db.drop();
    }
  });
});
