/**
 * Database preparation for the sandbox benchmark, done in the bench process with the
 * project's own code before the server starts: migrate, seed reference data and the demo
 * world, then add grassroots units under DEMO-HOACHAT, one officer each, with the privacy
 * consent already given (so /baocao starts at once). The database is closed afterwards:
 * PGlite is single-process, and the server opens the same directory next.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type DatabaseConfig } from "../src/infra/db/open.js";
import { createStore } from "../src/infra/store/index.js";
import { createTranslator } from "../src/infra/i18n.js";
import { seedDemo, seedReference } from "../src/seed/seed.js";
import { CONSENT_PURPOSE, NOTICE_VERSION } from "../src/core/usecases/people.js";

export type Backend = "pglite" | "postgres";

/** A simulated officer: sandbox user id, display name and the id of their private chat. */
export interface Officer {
  userId: string;
  userName: string;
  chatId: string;
}

export interface PreparedDatabase {
  backend: Backend;
  /** Environment for the server process (DATA_DIR or DATABASE_URL). */
  env: Record<string, string>;
  officers: Officer[];
  /** Extra officers used only to warm the server up, so the measured ones start fresh. */
  warmup: Officer[];
  /** Remove the data directory or drop the database. Safe to call twice. */
  cleanup(): Promise<void>;
}

const PARENT_CODE = "DEMO-HOACHAT";
/** Units, persons and roles are created this many officers per transaction. */
const CHUNK = 50;

function officer(userId: string, name: string): Officer {
  return { userId, userName: name, chatId: `dm-${userId}` };
}

export function officersFor(count: number, warmup: number): { officers: Officer[]; warmup: Officer[] } {
  const pad = (i: number) => String(i).padStart(3, "0");
  return {
    officers: Array.from({ length: count }, (_, i) => officer(`bench-${i}`, `Cán bộ thử tải ${pad(i)}`)),
    warmup: Array.from({ length: warmup }, (_, i) => officer(`bench-warm-${i}`, `Cán bộ khởi động ${pad(i)}`)),
  };
}

async function seed(cfg: DatabaseConfig, all: Officer[]): Promise<void> {
  const db = await openDatabase(cfg);
  try {
    const store = createStore(db.prisma);
    const translator = createTranslator("vi");
    const deps = { store, translate: translator.translate, defaultLocale: "vi" as const, timeZone: "Asia/Ho_Chi_Minh", now: new Date() };
    await seedReference(deps);
    await seedDemo(deps);
    for (let start = 0; start < all.length; start += CHUNK) {
      const chunk = all.slice(start, start + CHUNK);
      await store.transaction(async (tx) => {
        const parent = await tx.getUnitByCode(PARENT_CODE);
        if (!parent) throw new Error(`seedDemo did not create ${PARENT_CODE}`);
        for (const [k, o] of chunk.entries()) {
          const i = start + k;
          const unit = await tx.createUnit({
            code: `BENCH-${String(i).padStart(4, "0")}`,
            name: `Công đoàn cơ sở thử tải số ${i + 1}`,
            level: "GRASSROOTS",
            parent,
            demo: true,
          });
          const person = await tx.createPerson({ displayName: o.userName, sandbox: true, locale: null, identityKey: `web:${o.userId}`, platform: "web" });
          await tx.grantRole(person.id, unit.id, "OFFICER", null);
          await tx.addConsent(person.id, CONSENT_PURPOSE, NOTICE_VERSION, `web:${o.chatId}`, deps.now);
        }
      });
    }
  } finally {
    await db.close();
  }
}

export async function preparePglite(count: number, warmupCount: number): Promise<PreparedDatabase> {
  const dir = await mkdtemp(path.join(tmpdir(), "thidua-bench-"));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const { officers, warmup } = officersFor(count, warmupCount);
  try {
    await seed({ kind: "pglite", dataDir: dir }, [...officers, ...warmup]);
  } catch (e) {
    await cleanup();
    throw e;
  }
  return { backend: "pglite", env: { DATA_DIR: dir }, officers, warmup, cleanup };
}

/** The PostgreSQL server to create the bench database on. */
export function adminUrl(): string {
  return process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
}

/** Connect to the admin URL; null when it answers, else the reason (for "skipped"). */
export async function postgresUnavailable(url = adminUrl()): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (e) {
    return `no PostgreSQL at ${redactUrl(url)}: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    await client.end().catch(() => {});
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function preparePostgres(count: number, warmupCount: number, admin = adminUrl()): Promise<PreparedDatabase> {
  const name = `thidua_bench_${randomBytes(5).toString("hex")}`;
  await adminQuery(admin, `CREATE DATABASE "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  let dropped = false;
  const cleanup = async () => {
    if (dropped) return;
    dropped = true;
    await adminQuery(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
  const { officers, warmup } = officersFor(count, warmupCount);
  try {
    await seed({ kind: "postgres", url: url.toString(), poolSize: 4 }, [...officers, ...warmup]);
  } catch (e) {
    await cleanup().catch(() => {});
    throw e;
  }
  return { backend: "postgres", env: { DATABASE_URL: url.toString() }, officers, warmup, cleanup };
}
