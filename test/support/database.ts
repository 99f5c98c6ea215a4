/**
 * Databases for tests: every test file gets a fresh one. PGlite in memory always; a new
 * database on the PostgreSQL server of TEST_DATABASE_URL when it is set (CI sets it), so
 * the same tests run on both.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, it } from "vitest";
import { POSTGRES_NOT_RUN } from "./summary-reporter.js";
import type { DatabaseConfig } from "../../src/infra/db/open.js";

export type Backend = "pglite" | "postgres";

/** The backends to run integration tests on in this environment. */
export function backends(): Backend[] {
  return process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

/**
 * A suite that only means something on PostgreSQL (several instances, several
 * connections). Without TEST_DATABASE_URL it still declares one test, skipped and named
 * with POSTGRES_NOT_RUN, so that the file is not empty (vitest fails a file without tests)
 * and the summary says what was not run.
 */
export function describePostgres(name: string, fn: (backend: "postgres") => void, options: { timeout?: number } = {}): void {
  if (process.env.TEST_DATABASE_URL) describe(`${name} on postgres`, options, () => fn("postgres"));
  else describe(`${name} on postgres`, () => it.skip(POSTGRES_NOT_RUN, () => undefined));
}

export interface TestDatabase {
  config: DatabaseConfig;
  drop(): Promise<void>;
}

export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === "pglite") return { config: { kind: "pglite", dataDir: "memory://" }, drop: async () => {} };
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error("TEST_DATABASE_URL is not set");
  const name = `thidua_t_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    config: { kind: "postgres", url: url.toString(), poolSize: 10 },
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
