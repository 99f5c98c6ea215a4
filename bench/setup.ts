/**
 * Database preparation for the benchmarks, done in the bench process with the project's
 * own code before the server starts: migrate, seed reference data, build a world, then add
 * one grassroots unit per officer, with the officer's OFFICER role and privacy consent
 * already given (so /baocao starts at once), given in their private chat with the bot,
 * which the bot therefore knows: the load is officers who use the bot, not first contacts. The database is closed afterwards: PGlite is
 * single-process, and the server opens the same directory next.
 *
 * Two worlds, because made-up sandbox identities may only touch demo units and platform
 * identities only real ones (src/core/permissions.ts): "demo" is the sandbox's demo world
 * (seedDemo, units under DEMO-HOACHAT); "real" is a sector union BENCH-ROOT issuing the
 * plan's campaign for the current year, with an upper-grassroots union BENCH-UPPER under it.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type DatabaseConfig } from "../src/infra/db/open.js";
import { createStore } from "../src/infra/store/index.js";
import { createTranslator } from "../src/infra/i18n.js";
import { seedDemo, seedReference, type SeedDeps } from "../src/seed/seed.js";
import { loadTemplate } from "../src/seed/load.js";
import { createFromTemplate } from "../src/core/usecases/campaigns.js";
import { CONSENT_PURPOSE, NOTICE_VERSION } from "../src/core/usecases/people.js";
import { localDateOf, yearOf } from "../src/core/time.js";
import type { Tx } from "../src/core/ports.js";
import type { Env } from "../src/core/usecases/env.js";

export type Backend = "pglite" | "postgres";
export type World = "demo" | "real";

/** A simulated sandbox officer: user id, display name and the id of their private chat. */
export interface Officer {
  userId: string;
  userName: string;
  chatId: string;
}

/** An officer as the database knows them: identity "tg:…", private chat "tg:…". */
export interface Seat {
  name: string;
  identityKey: string;
  chatKey: string;
}

export interface PreparedDatabase {
  backend: Backend;
  /** Environment for the server process (DATA_DIR or DATABASE_URL). */
  env: Record<string, string>;
  /** The PostgreSQL database's name (its backends' command lines show it); null on PGlite. */
  postgresName: string | null;
  /** Remove the data directory or drop the database. Safe to call twice. */
  cleanup(): Promise<void>;
}

const PARENT_CODE: Record<World, string> = { demo: "DEMO-HOACHAT", real: "BENCH-UPPER" };
/** Units, persons and roles are created this many officers per transaction. */
const CHUNK = 50;

function officer(userId: string, name: string): Officer {
  return { userId, userName: name, chatId: `dm-${userId}` };
}

/** "Cán bộ thử tải 007": the display name of officer `i` (the warm-up ones are named apart). */
export function officerName(i: number, warmup = false): string {
  return `${warmup ? "Cán bộ khởi động" : "Cán bộ thử tải"} ${String(i).padStart(3, "0")}`;
}

export function officersFor(count: number, warmup: number): { officers: Officer[]; warmup: Officer[] } {
  return {
    officers: Array.from({ length: count }, (_, i) => officer(`bench-${i}`, officerName(i))),
    warmup: Array.from({ length: warmup }, (_, i) => officer(`bench-warm-${i}`, officerName(i, true))),
  };
}

/** The seat of a sandbox officer: web identities, as the sandbox adapter builds them. */
export const webSeat = (o: Officer): Seat => ({ name: o.userName, identityKey: `web:${o.userId}`, chatKey: `web:${o.chatId}` });

/** The real world's top: BENCH-ROOT, which issues the plan's campaign, and BENCH-UPPER under it. */
async function realWorld(deps: SeedDeps, tx: Tx): Promise<void> {
  const root = await tx.createUnit({ code: "BENCH-ROOT", name: "Công đoàn ngành thử tải", level: "SECTOR", parent: null, demo: false });
  await tx.createUnit({ code: PARENT_CODE.real, name: "Công đoàn cấp trên cơ sở thử tải", level: "UPPER_GRASSROOTS", parent: root, demo: false });
  const today = localDateOf(deps.now, deps.timeZone);
  const env: Env = { tx, actor: { kind: "system", tag: "seed" }, now: deps.now, today, translate: deps.translate, defaultLocale: deps.defaultLocale, timeZone: deps.timeZone, roles: async () => [] };
  await createFromTemplate(env, loadTemplate("64-kh-cdct")!, yearOf(today), root, "01/KH-CĐCT");
}

async function seed(cfg: DatabaseConfig, world: World, seats: Seat[]): Promise<void> {
  const db = await openDatabase(cfg);
  try {
    const store = createStore(db);
    const translator = createTranslator("vi");
    const deps = { store, translate: translator.translate, defaultLocale: "vi" as const, timeZone: "Asia/Ho_Chi_Minh", now: new Date() };
    await seedReference(deps);
    if (world === "demo") await seedDemo(deps);
    else await store.transaction((tx) => realWorld(deps, tx));
    const demo = world === "demo";
    for (let start = 0; start < seats.length; start += CHUNK) {
      const chunk = seats.slice(start, start + CHUNK);
      await store.transaction(async (tx) => {
        const parent = await tx.getUnitByCode(PARENT_CODE[world]);
        if (!parent) throw new Error(`the ${world} world has no ${PARENT_CODE[world]}`);
        for (const [k, s] of chunk.entries()) {
          const i = start + k;
          const unit = await tx.createUnit({
            code: `BENCH-${String(i).padStart(4, "0")}`,
            name: `Công đoàn cơ sở thử tải số ${i + 1}`,
            level: "GRASSROOTS",
            parent,
            demo,
          });
          const platform = s.identityKey.slice(0, s.identityKey.indexOf(":"));
          const person = await tx.createPerson({ displayName: s.name, sandbox: demo, locale: null, identityKey: s.identityKey, platform });
          await tx.grantRole(person.id, unit.id, "OFFICER", null);
          // Consent is given in the officer's private chat with the bot, which the bot then knows.
          await tx.upsertChat({ key: s.chatKey, platform, kind: "private", title: null, personId: person.id });
          await tx.addConsent(person.id, CONSENT_PURPOSE, NOTICE_VERSION, s.chatKey, deps.now);
        }
      });
    }
  } finally {
    await db.close();
  }
}

/** A fresh database of `backend` with `world` and one unit and officer per seat. */
export async function prepareDatabase(backend: Backend, world: World, seats: Seat[]): Promise<PreparedDatabase> {
  const db = await emptyDatabase(backend);
  try {
    await seed(db.config, world, seats);
  } catch (e) {
    await db.cleanup().catch(() => {});
    throw e;
  }
  return db;
}

/** A fresh, empty database of `backend`, not yet opened (the project's code migrates it on open). */
export interface EmptyDatabase extends PreparedDatabase {
  config: DatabaseConfig;
}

export async function emptyDatabase(backend: Backend): Promise<EmptyDatabase> {
  if (backend === "pglite") {
    const dir = await mkdtemp(path.join(tmpdir(), "thidua-bench-"));
    return { backend, config: { kind: "pglite", dataDir: dir }, env: { DATA_DIR: dir }, postgresName: null, cleanup: () => rm(dir, { recursive: true, force: true }) };
  }
  const admin = adminUrl();
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
  return { backend, config: { kind: "postgres", url: url.toString(), poolSize: 4 }, env: { DATABASE_URL: url.toString() }, postgresName: name, cleanup };
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

/**
 * Transactions PostgreSQL has ended in database `name` (committed or rolled back): each
 * statement sent outside a transaction counts as one. A backend publishes its counts at
 * most once a second and at the latest 10 s after the last time: read them after a pause.
 */
export async function transactionsOf(name: string): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(`SELECT (xact_commit + xact_rollback)::text AS n FROM pg_stat_database WHERE datname = $1`, [name]);
    return Number(rows[0]?.n ?? NaN);
  } finally {
    await client.end();
  }
}
