/**
 * The administration CLI on a database of its own: run commands as an administrator would
 * (`cli`), write input files next to it (`file`), and look into what it wrote between
 * commands (`peek`, closed again before the next command: PGlite is one process at a time).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../../src/cli/cli.js";
import { openDatabase, type Database } from "../../src/infra/db/open.js";
import { createTestDatabase, type Backend } from "./database.js";

export interface CliWorld {
  /** A directory for the files the test writes and the CLI reads or writes. */
  dir: string;
  cli(...argv: string[]): Promise<{ code: number; out: string; err: string }>;
  /** `cli` with more environment variables (DEFAULT_LOCALE=en: the CLI in English). */
  cliWith(vars: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string; err: string }>;
  /** Writes `content` into the world's directory; returns its path. */
  file(name: string, content: string | Uint8Array): Promise<string>;
  peek<T>(fn: (prisma: Database["prisma"]) => Promise<T>): Promise<T>;
  /** Empties every table, keeping the schema and the record of migrations (tables named "_…"): a fresh start for the next test without a new database (making one costs seconds). */
  reset(): Promise<void>;
  drop(): Promise<void>;
}

export async function cliWorld(backend: Backend, prefix: string): Promise<CliWorld> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const db = await createTestDatabase(backend);
  const env: Record<string, string> = db.config.kind === "postgres" ? { DATABASE_URL: db.config.url } : { DATA_DIR: path.join(dir, "data") };
  const world: CliWorld = {
    dir,
    cli: (...argv) => world.cliWith({}, ...argv),
    async cliWith(vars, ...argv) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(argv, { ...env, ...vars }, (l) => out.push(l), (l) => err.push(l));
      return { code, out: out.join("\n"), err: err.join("\n") };
    },
    async file(name, content) {
      const p = path.join(dir, name);
      await writeFile(p, content);
      return p;
    },
    async peek(fn) {
      const d = await openDatabase(db.config.kind === "postgres" ? db.config : { kind: "pglite", dataDir: env.DATA_DIR! });
      try {
        return await fn(d.prisma);
      } finally {
        await d.close();
      }
    },
    async reset() {
      await world.peek(async (p) => {
        const tables = await p.$queryRawUnsafe<{ tablename: string }[]>(
          `SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = current_schema() AND left(tablename, 1) <> '_'`,
        );
        // The reference data (commemorations, forms) is written again by the next command.
        if (tables.length) await p.$executeRawUnsafe(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(", ")} RESTART IDENTITY CASCADE`);
      });
    },
    async drop() {
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return world;
}
