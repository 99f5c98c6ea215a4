/**
 * The migrator: the committed SQL is applied once — also when two instances start on the
 * same PostgreSQL at the same moment — and a database that does not match the files
 * (an applied file edited, or a migration this version does not know) stops start-up.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import { MigrationError, migrate, readMigrations } from "../../src/infra/db/migrate.js";
import { openDatabase, pgliteSession } from "../../src/infra/db/open.js";
import { createTestDatabase, describePostgres } from "../support/database.js";

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

// Only where a PostgreSQL server is configured (CI); elsewhere the summary says it was not run.
describePostgres("migrations", (backend) => {
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

describe("upgrading a database made with an earlier version", () => {
  it("keeps its data and puts what is under review on the new path (fixture of 20261124000000_init)", async () => {
    const lite = new PGlite();
    const session = pgliteSession(lite);
    const files = await readMigrations();
    const initIndex = files.findIndex((f) => f.name === "20261124000000_init");
    await migrate(session, files.slice(0, initIndex + 1));
    const fixture = readFileSync(path.join(import.meta.dirname, "../fixtures/db-20261124-init.sql"), "utf8");
    await lite.exec(fixture);
    // A real tree beside the demo one, as a CSV import made it then: a sector union at the root.
    await lite.exec(`
      INSERT INTO "Unit" (id, code, name, level, "parentId", path, depth, demo) VALUES
        (100, 'CDCT', 'Công đoàn Công Thương Việt Nam', 'SECTOR', NULL, '/100/', 0, false),
        (101, 'HC', 'Công đoàn Tổng công ty Hóa chất', 'UPPER_GRASSROOTS', 100, '/100/101/', 1, false),
        (102, 'PB', 'Công đoàn Công ty Phân bón', 'GRASSROOTS', 101, '/100/101/102/', 2, false);
      INSERT INTO "UnitParentHistory" ("unitId", "parentId") VALUES (100, NULL), (101, 100), (102, 101);`);
    const before = await session.query<{ n: number }>(`SELECT (SELECT count(*) FROM "AuditEvent") + (SELECT count(*) FROM "ReportFigure") + (SELECT count(*) FROM "Theme") AS n`);

    const applied = await migrate(session, files);
    expect(applied).toEqual(files.slice(initIndex + 1).map((f) => f.name));

    // Nothing lost.
    const after = await session.query<{ n: number }>(`SELECT (SELECT count(*) FROM "AuditEvent") + (SELECT count(*) FROM "ReportFigure") + (SELECT count(*) FROM "Theme") AS n`);
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
    // The real tree now hangs under Tổng Liên đoàn, paths and depths following.
    const real = await session.query<{ code: string; level: string; path: string; depth: number; parent: string | null }>(
      `SELECT u.code, u.level::text, u.path, u.depth, p.code AS parent FROM "Unit" u LEFT JOIN "Unit" p ON p.id = u."parentId" WHERE NOT u.demo ORDER BY u.depth`,
    );
    const tld = real[0]!;
    expect(tld).toMatchObject({ code: "TLD", level: "CONFEDERATION", depth: 0, parent: null });
    const tldId = tld.path.split("/")[1];
    expect(real.slice(1)).toEqual([
      { code: "CDCT", level: "SECTOR", path: `/${tldId}/100/`, depth: 1, parent: "TLD" },
      { code: "HC", level: "UPPER_GRASSROOTS", path: `/${tldId}/100/101/`, depth: 2, parent: "CDCT" },
      { code: "PB", level: "GRASSROOTS", path: `/${tldId}/100/101/102/`, depth: 3, parent: "HC" },
    ]);
    const history = await session.query<{ parentId: number | null; open: boolean }>(`SELECT "parentId", "validTo" IS NULL AS open FROM "UnitParentHistory" WHERE "unitId" = 100 ORDER BY id`);
    expect(history).toEqual([
      { parentId: null, open: false },
      { parentId: Number(tldId), open: true },
    ]);
    // The demo tree is left to the demo seeding; its report waits at its direct upper unit.
    const report = await session.query<{ status: string; at: string }>(`SELECT r.status::text, a.code AS at FROM "PhaseReport" r JOIN "Unit" a ON a.id = r."atUnitId"`);
    expect(report).toEqual([{ status: "SUBMITTED", at: "DEMO-HOACHAT" }]);
    // The accepted registration goes on towards TLĐ: it waits at the sector union.
    const reg = await session.query<{ status: string; at: string }>(`SELECT r.status::text, a.code AS at FROM "ThemeRegistration" r JOIN "Unit" a ON a.id = r."atUnitId"`);
    expect(reg).toEqual([{ status: "APPROVED", at: "DEMO-CDCTVN" }]);
    // The work the upper-grassroots union had approved ("REVIEWED") is proposed to the sector union.
    const work = await session.query<{ status: string; at: string; occasion: string }>(
      `SELECT w.status::text, a.code AS at, w."occasionLevel"::text AS occasion FROM "PlaqueWork" w JOIN "Unit" a ON a.id = w."atUnitId"`,
    );
    expect(work).toEqual([{ status: "PROPOSED", at: "DEMO-CDCTVN", occasion: "SECTOR" }]);
    // Every item's path starts with its sending.
    const steps = await session.query<{ type: string; n: number }>(`SELECT "subjectType"::text AS type, count(*)::int AS n FROM "ReviewDecision" WHERE decision = 'SUBMIT' GROUP BY 1 ORDER BY 1`);
    expect(steps).toEqual([
      { type: "NOMINATION", n: 1 },
      { type: "REGISTRATION", n: 1 },
      { type: "REPORT", n: 1 },
      { type: "WORK", n: 1 },
    ]);
    await lite.close();
  });
});
