/**
 * Opens the database: PGlite in DATA_DIR (embedded, default) or a PostgreSQL server
 * (DATABASE_URL); applies pending migrations; returns a Prisma client on a driver adapter.
 */
import { mkdir, open, readFile, readdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { serialize } from "pg-protocol";
import { PrismaClient } from "../../generated/prisma/client.ts";
import { migrate, type SqlSession } from "./migrate.js";
import { PARSERS, Transactions, type Conn, type Sql } from "./transactions.js";
import { pgliteStatements, type PGliteStatements } from "./pglite-statements.js";
import { fromRoot } from "../../paths.js";

export type DatabaseConfig = { kind: "postgres"; url: string; poolSize?: number } | { kind: "pglite"; dataDir: string };

export interface Database {
  readonly kind: "pglite" | "postgres";
  readonly prisma: PrismaClient;
  /** Transactions of our own that Prisma's queries join (see transactions.ts). */
  readonly transactions: Transactions;
  /** SQL straight through the driver, in the current transaction if there is one. */
  readonly sql: Sql;
  /** Migrations applied when this database was opened. */
  readonly applied: string[];
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Another process holds this PGlite directory (PGlite is single-process). */
export class DataDirBusyError extends Error {
  override readonly name = "DataDirBusyError";
}

/** DATA_DIR cannot be created or written (a file in the way, no permission, a read-only disk). */
export class DataDirUnusableError extends Error {
  override readonly name = "DataDirUnusableError";
}

const LOCK_FILE = "thidua.pid";
/** Directories this process has open (a pid file with our pid may be a previous life's). */
const openDirs = new Set<string>();

async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  if (openDirs.has(dir)) throw new DataDirBusyError(`DATA_DIR ${dir} is already open in this process`);
  const unusable = (e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    return new DataDirUnusableError(`DATA_DIR ${dir} cannot be created or written (${code}); set DATA_DIR to a directory this process may write`);
  };
  await mkdir(dir, { recursive: true }).catch((e: unknown) => {
    throw unusable(e);
  });
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const h = await open(file, "wx").catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code === "EEXIST") throw e;
        throw unusable(e);
      });
      await h.writeFile(String(process.pid));
      await h.close();
      openDirs.add(dir);
      return async () => {
        openDirs.delete(dir);
        await rm(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e instanceof DataDirUnusableError ? e : unusable(e);
      const pid = Number((await readFile(file, "utf8").catch(() => "")).trim());
      // A live other process holds it. (Our own pid here is a previous life of a restarted
      // container, since this process has not opened the directory.)
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DataDirBusyError(
          `DATA_DIR ${dir} is in use by process ${pid}; stop it first, or use PostgreSQL (DATABASE_URL) to run several processes. If no such process runs, delete ${file}.`,
        );
      }
      await rm(file, { force: true }); // left behind by a process that died
    }
  }
  throw new DataDirBusyError(`could not lock DATA_DIR ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function pgliteSession(db: PGlite): SqlSession {
  return {
    query: async <R>(sql: string, params?: unknown[]) => (await db.query<R>(sql, params)).rows,
    exec: async (sql) => {
      await db.exec(sql);
    },
  };
}

function pgSession(client: pg.PoolClient): SqlSession {
  return {
    query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
    exec: async (sql) => {
      await client.query(sql);
    },
  };
}

const PG_TYPES = { getTypeParser: (oid: number, format?: string) => PARSERS[oid] ?? pg.types.getTypeParser(oid, format as "text") };

/**
 * The store's own statements are few and fixed: each is prepared once per connection (a
 * name per text), so PostgreSQL parses and plans it once instead of at every update.
 */
const MAX_PREPARED = 500;

function pgConn(c: pg.Pool | pg.PoolClient, names: Map<string, string>): Conn {
  async function run(text: string, values: unknown[]) {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED) {
      name = `thidua_${names.size + 1}`;
      names.set(text, name);
    }
    const r = await c.query({ ...(name !== undefined && { name }), text, values, types: PG_TYPES as pg.CustomTypesConfig });
    return { rows: r.rows, count: r.rowCount ?? 0 };
  }
  if (c instanceof pg.Pool) return { run };
  return {
    run,
    // The pool's connections pipeline (see openPostgres): each query is written as it is
    // made, without waiting for the answer to the one before; corked, they leave together.
    async pipeline(statements) {
      const stream = streamOf(c);
      stream.cork();
      let answers: Promise<unknown>[];
      try {
        answers = statements.map((s) => run(s.text, s.values));
      } finally {
        stream.uncork();
      }
      const settled = await Promise.allSettled(answers);
      const failed = settled.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    },
  };
}

/** The socket under a pg client. */
function streamOf(client: pg.PoolClient): { cork(): void; uncork(): void } {
  const stream = (client as unknown as { connection?: { stream?: { cork(): void; uncork(): void } } }).connection?.stream;
  if (!stream) throw new Error("pg's client has no connection stream: pg changed, see open.ts");
  return stream;
}

const DEFERRED = Symbol("thidua.deferredBegin");
type Deferring = pg.PoolClient & { [DEFERRED]?: boolean };
const emptyResult = (command: string) => ({ command, rowCount: null, oid: 0, rows: [], fields: [] });

/**
 * A transaction's BEGIN waits on its connection and leaves with the transaction's first
 * statement, in the same write and round trip; a transaction that sent nothing sends neither
 * BEGIN nor COMMIT. Prisma's driver adapter sends BEGIN itself when it opens a transaction,
 * so this is done where every statement passes: the pooled client's `query`. (Callback-style
 * calls are left alone: neither the adapter nor the store makes them.)
 */
function deferBegin(client: pg.PoolClient): void {
  const c = client as Deferring;
  const send = client.query.bind(client) as (config: unknown, values?: unknown, callback?: unknown) => unknown;
  const patched = (config: unknown, values?: unknown, callback?: unknown): unknown => {
    if (typeof values === "function" || callback !== undefined) return send(config, values, callback);
    const text = typeof config === "string" ? config : (config as { text?: unknown } | null)?.text;
    if (text === "BEGIN") {
      c[DEFERRED] = true;
      return Promise.resolve(emptyResult("BEGIN"));
    }
    if (!c[DEFERRED]) return send(config, values);
    c[DEFERRED] = false;
    if (text === "COMMIT" || text === "ROLLBACK") return Promise.resolve(emptyResult(text));
    const stream = streamOf(client);
    stream.cork();
    try {
      // A failed BEGIN fails the statement behind it too (the connection is gone): its own error says nothing more.
      (send("BEGIN") as Promise<unknown>).catch(() => undefined);
      return send(config, values);
    } finally {
      stream.uncork();
    }
  };
  (client as unknown as { query: typeof patched }).query = patched;
}

/** The driver object under a driver adapter's transaction (both adapters keep it as `client`). */
function clientOf<C>(txn: object): C {
  const client = (txn as { client?: C }).client;
  if (!client) throw new Error("the Prisma driver adapter's transaction has no client: the adapter changed, see transactions.ts");
  return client;
}

const IN_MEMORY = "memory://";

/**
 * PostgreSQL's default 128 MB of shared buffers live in PGlite's WebAssembly memory and are
 * touched at start-up: about 100 MB of the process's RSS before any data is read (measured:
 * 349 MB with 128 MB, 250 MB with 32 MB, an opened database and three queries). The data
 * files stay in the operating system's cache anyway; 32 MB holds the working set of a large
 * union tree's hot tables.
 */
/**
 * For a new data directory, the empty cluster made at install (scripts/pglite-template.mjs)
 * when there is one for this PGlite version: PGlite then need not run initdb, whose second
 * WebAssembly instance takes a first start to about 850 MB. Without it, initdb runs as usual.
 */
export async function emptyCluster(pgDir: string): Promise<Blob | null> {
  if (await readFile(path.join(pgDir, "PG_VERSION")).then(() => true, () => false)) return null;
  if (await readdir(pgDir).then((entries) => entries.length > 0, () => false)) return null; // something half made: let PGlite say what
  try {
    const version = (JSON.parse(await readFile(PGLITE_PACKAGE, "utf8")) as { version: string }).version;
    return new Blob([await readFile(path.join(ASSETS_DIR, "generated", `pglite-${version}-empty.tar.gz`))]);
  } catch {
    return null;
  }
}

const ASSETS_DIR = fromRoot("assets");
/** PGlite's package.json (not among its exports): beside the dist folder its entry point is in. */
const PGLITE_PACKAGE = path.join(path.dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite")), "..", "package.json");

/**
 * PGlite and its Prisma adapter are loaded only when the database is PGlite: a PostgreSQL
 * deployment does not carry them (about 40 MB of resident memory under tsx).
 */
async function loadPGlite() {
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import("@electric-sql/pglite"), import("pglite-prisma-adapter")]);
  return { PGlite, PrismaPGlite, options: { startParams: [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"] } };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * PGlite runs each statement synchronously on the main thread, and a transaction's
 * statements follow each other as microtasks: under load, the event loop would not read
 * a new request until a whole chain of work was done (benchmark, 200 officers: /healthz
 * p50 435 ms, 2.5 % of steps unanswered after 30 s). Giving the loop a turn before each
 * statement lets HTTP requests in between (/healthz p50 1 ms, no step unanswered) at the
 * same throughput.
 */
function yielding(db: PGlite, inTransaction: PGliteStatements): PGlite {
  type Q = { query: PGlite["query"]; exec: PGlite["exec"] };
  const wrap = <T extends Q>(target: T, fast: boolean): T =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver) as unknown;
        // Prisma's queries inside a transaction take the store's own way (pglite-statements.ts).
        if (prop === "query" && fast) return (text: string, params?: unknown[], options?: Parameters<PGliteStatements["query"]>[2]) => inTransaction.query(text, params ?? [], options);
        if (prop === "query" || prop === "exec") {
          return async (...args: unknown[]) => {
            await turn();
            return (value as (...a: unknown[]) => unknown).apply(obj, args);
          };
        }
        if (prop === "transaction") {
          return (fn: (tx: Q) => Promise<unknown>) => (value as PGlite["transaction"]).call(obj, (tx) => fn(wrap(tx as unknown as Q, true)));
        }
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(obj) : value;
      },
    });
  return wrap(db, false);
}

export async function openDatabase(cfg: DatabaseConfig): Promise<Database> {
  if (cfg.kind === "pglite") {
    const memory = cfg.dataDir.startsWith(IN_MEMORY);
    const unlock = memory ? async () => {} : await lockDataDir(path.resolve(cfg.dataDir));
    let lite: PGlite | null = null;
    try {
      const pgDir = path.resolve(cfg.dataDir, "pg");
      const template = memory ? null : await emptyCluster(pgDir);
      const { PGlite, PrismaPGlite, options } = await loadPGlite();
      lite = memory ? new PGlite(options) : new PGlite(pgDir, { ...options, ...(template && { loadDataDir: template }) });
      await lite.waitReady;
      const applied = await migrate(pgliteSession(lite));
      // Our types are read our way by default, not by a `parsers` option per query: PGlite
      // copies its table of 318 parsers for each query given one (130 µs a statement).
      // Prisma's adapter brings its own for these types, so its results do not change.
      Object.assign(lite.parsers, PARSERS);
      // In a transaction, the store's statements and Prisma's go prepared, in one call each (pglite-statements.ts).
      const inTransaction = pgliteStatements(lite, serialize, lite.parsers, turn);
      const shared = yielding(lite, inTransaction);
      const factory = new PrismaPGlite(shared);
      const transactions = new Transactions(await factory.connect(), inTransaction.outside, () => inTransaction, true, true);
      const prisma = new PrismaClient({ adapter: transactions.routingFactory(factory) });
      const db = lite;
      return {
        kind: "pglite",
        prisma,
        transactions,
        sql: transactions.sql,
        applied,
        ping: async () => (await db.query("SELECT 1")).rows.length === 1,
        async close() {
          await prisma.$disconnect();
          await db.close();
          await unlock();
        },
      };
    } catch (e) {
      await lite?.close().catch(() => {});
      await unlock();
      throw e;
    }
  }
  // A transaction waits at most this long for a connection (as Prisma's maxWait did).
  // Pipelining (pg ≥ 8.21): a query is written without waiting for the one before to be
  // answered, so the statements of one round trip (deferBegin, Conn.pipeline) go together.
  // The store still sends one statement at a time per transaction otherwise (transactions.ts).
  // An idle connection stays open for ten minutes, not pg's ten seconds: a new one costs the
  // first updates after a quiet spell some 100-300 ms (the server starts a backend, which
  // warms its caches, and every statement is prepared again).
  const pool = new pg.Pool({ connectionString: cfg.url, max: cfg.poolSize ?? 10, connectionTimeoutMillis: 15_000, idleTimeoutMillis: 600_000, pipeline: true } as pg.PoolConfig);
  // An idle connection the server closes (a restart, a failover) is replaced by the pool;
  // without a listener its "error" event would bring the whole process down.
  pool.on("error", () => undefined);
  pool.on("connect", deferBegin);
  // A connection handed back with its BEGIN never sent has no transaction open.
  pool.on("release", (_e: Error | undefined, client: pg.PoolClient) => void ((client as Deferring)[DEFERRED] = false));
  try {
    const client = await pool.connect();
    let applied: string[];
    try {
      applied = await migrate(pgSession(client));
    } finally {
      client.release();
    }
    const factory = new PrismaPg(pool);
    const prepared = new Map<string, string>();
    const transactions = new Transactions(await factory.connect(), pgConn(pool, prepared), (txn) => pgConn(clientOf<pg.PoolClient>(txn), prepared), false);
    const prisma = new PrismaClient({ adapter: transactions.routingFactory(factory) });
    return {
      kind: "postgres",
      prisma,
      transactions,
      sql: transactions.sql,
      applied,
      async ping() {
        try {
          await pool.query("SELECT 1");
          return true;
        } catch {
          return false;
        }
      },
      async close() {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  } catch (e) {
    await pool.end().catch(() => {});
    throw e;
  }
}
