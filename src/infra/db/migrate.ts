/**
 * Applies the committed migrations (prisma/migrations/<name>/migration.sql) at start-up,
 * on PGlite and on PostgreSQL alike: in name order, each in its own transaction, under an
 * advisory lock so several instances starting together migrate once. Applied files are
 * recorded with a checksum; an applied file that was edited afterwards stops start-up.
 *
 * Why not `prisma migrate deploy`: through the pg driver adapter it fails here
 * (prisma/orm#27403), and native engines cannot be downloaded. See prisma/README.md.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fromRoot } from "../../paths.js";

/** The minimal SQL surface the migrator needs; both databases provide it. */
export interface SqlSession {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Run a script of several statements. */
  exec(sql: string): Promise<void>;
}

export const MIGRATIONS_DIR = fromRoot("prisma/migrations");

/** Arbitrary but fixed: the advisory lock key of "thidua-bot migrations". */
const LOCK_KEY = 746_872_201;

export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const out: Migration[] = [];
  for (const name of names) {
    const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
    out.push({ name, sql, checksum: createHash("sha256").update(sql).digest("hex") });
  }
  return out;
}

/** Apply pending migrations. Returns the names applied by this call (empty if up to date). */
export async function migrate(session: SqlSession, migrations?: Migration[]): Promise<string[]> {
  const files = migrations ?? (await readMigrations());
  await session.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
  try {
    await session.exec(`CREATE TABLE IF NOT EXISTS "_thidua_migrations" (
      "name" TEXT PRIMARY KEY,
      "checksum" TEXT NOT NULL,
      "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const applied = new Map(
      (await session.query<{ name: string; checksum: string }>(`SELECT "name", "checksum" FROM "_thidua_migrations"`)).map((r) => [r.name, r.checksum]),
    );
    const known = new Set(files.map((f) => f.name));
    for (const name of applied.keys()) {
      if (!known.has(name)) throw new MigrationError(`the database has migration ${name}, which this version does not know: run a newer version`);
    }
    const done: string[] = [];
    for (const m of files) {
      const sum = applied.get(m.name);
      if (sum !== undefined) {
        if (sum !== m.checksum) throw new MigrationError(`migration ${m.name} was edited after it was applied; restore the original file`);
        continue;
      }
      await session.exec("BEGIN");
      try {
        await session.exec(m.sql);
        await session.query(`INSERT INTO "_thidua_migrations" ("name", "checksum") VALUES ($1, $2)`, [m.name, m.checksum]);
        await session.exec("COMMIT");
      } catch (e) {
        await session.exec("ROLLBACK");
        throw new MigrationError(`migration ${m.name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      done.push(m.name);
    }
    return done;
  } finally {
    await session.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]);
  }
}
