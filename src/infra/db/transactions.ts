/**
 * Transactions of our own, with Prisma's queries joining them.
 *
 * Prisma's interactive transaction costs the process about three raw statements' worth of
 * CPU on top of its own BEGIN and COMMIT, and every query sent through Prisma, even a raw
 * one, costs about 2.5 times the driver's own (bench/query-cost.ts). Every update runs in
 * a transaction, so the store opens it itself: it takes a connection through the driver
 * adapter (BEGIN on PostgreSQL; PGlite's transaction lock), keeps it in an
 * AsyncLocalStorage for the duration of the callback, and
 *
 * - the statements every update runs go straight to that connection (`sql`, below);
 * - everything else still uses Prisma's model queries: the adapter Prisma is given
 *   (`routingAdapter`) sends whatever Prisma asks from inside the callback to the same
 *   connection, so those queries join the transaction. A transaction Prisma would open
 *   itself there (a nested write) becomes a savepoint.
 *
 * Once the transaction has ended, its context is closed: anything started inside it that
 * outlives it (a timer, a background loop) goes to the pool again, never to a connection
 * handed back. Prisma batches `findUnique` calls of the same tick into one query, whatever
 * context each came from: the store never uses `findUnique` (test/unit/store-rules.test.ts).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from "@prisma/driver-adapter-utils";
import type { Prisma } from "../../generated/prisma/client.ts";

/** The way a statement is sent on a connection (pg's client or pool, PGlite or its transaction). */
export interface Conn {
  run(text: string, values: unknown[]): Promise<{ rows: unknown[]; count: number }>;
  /**
   * Send the statements at once, in order, and wait for every answer (one write and one
   * round trip on PostgreSQL); rejects with the first failure. Absent: one after another.
   */
  pipeline?(statements: { text: string; values: unknown[] }[]): Promise<void>;
}

/** SQL sent by the driver itself, on the current transaction's connection when there is one. */
export interface Sql {
  /** Rows, typed as Prisma's `$queryRaw<T>`: T is the array of rows. */
  query<T = unknown[]>(q: Prisma.Sql): Promise<T>;
  execute(q: Prisma.Sql): Promise<number>;
  queryText<T = unknown[]>(text: string, ...values: unknown[]): Promise<T>;
  /**
   * Tens of thousands of rows, in the statement's order, read the cheaper way for the
   * database: on PGlite, whose JavaScript side reads a result field by field (74,604 rows
   * of thirteen columns: 1.2 s), as one JSON text parsed at once (0.6 s less); on
   * PostgreSQL, where building that text costs the server more than `pg` takes to read
   * the rows (0.8 s against 1.6 s), as rows. For integer, text, boolean and JSON columns
   * only: a date or a bigint would come back as one thing on one and another on the other.
   */
  queryMany<R>(text: string, ...values: unknown[]): Promise<R[]>;
  executeText(text: string, ...values: unknown[]): Promise<number>;
  /**
   * A write whose answer nobody waits for, sent with the transaction's COMMIT (on
   * PostgreSQL in the same round trip). If it fails, the transaction fails. Outside a
   * transaction it runs at once.
   */
  executeAtCommit(q: Prisma.Sql): Promise<void>;
}

export interface TransactionOptions {
  /** The transaction fails (and is rolled back) once it has run this long. */
  timeoutMs: number;
}

export interface Open {
  readonly txn: Transaction;
  readonly conn: Conn;
  /** What the store keeps for the length of this transaction (e.g. the reference generation read). */
  readonly local: Map<symbol, unknown>;
  closed: boolean;
  expired: boolean;
  timeoutMs: number;
  savepoints: number;
  /** The statement sent last on this connection: the next one waits for it (see `serial`). */
  queue: Promise<void>;
  /** Statements to send with the COMMIT (Sql.executeAtCommit). */
  atCommit: { text: string; values: unknown[] }[];
}

const settled = () => undefined;

/**
 * One statement at a time on a transaction's connection, in the order they reach it:
 * store calls made together (Promise.all) inside one update share its connection, and pg
 * only queues them itself under protest (deprecated, to be removed in pg 9).
 */
function serial<T>(open: Open, fn: () => Promise<T>): Promise<T> {
  const next = open.queue.then(fn);
  open.queue = next.then(settled, settled);
  return next;
}

const NO_ARGS = { args: [], argTypes: [] };

export class TransactionTimeoutError extends Error {
  override readonly name = "TransactionTimeoutError";
}

/**
 * `begin` opens a transaction on the adapter given; `connOf` reaches the driver object
 * under the adapter's transaction (its `client`).
 */
export class Transactions {
  private readonly als = new AsyncLocalStorage<Open>();
  readonly sql: Sql;

  constructor(
    private readonly adapter: SqlDriverAdapter,
    private readonly outside: Conn,
    private readonly connOf: (txn: Transaction) => Conn,
    /** PostgreSQL sends BEGIN in startTransaction and wants COMMIT/ROLLBACK sent; PGlite does both itself. */
    private readonly phantom: boolean,
    /** `queryMany` reads its rows as one JSON text (PGlite). */
    manyAsJson = false,
  ) {
    const run = (text: string, values: readonly unknown[]) => {
      const open = this.current();
      return open ? serial(open, () => open.conn.run(text, values.map(param))) : this.outside.run(text, values.map(param));
    };
    this.sql = {
      query: async <T>(q: Prisma.Sql) => (await run(q.text, q.values)).rows as T,
      execute: async (q: Prisma.Sql) => (await run(q.text, q.values)).count,
      queryText: async <T>(text: string, ...values: unknown[]) => (await run(text, values)).rows as T,
      queryMany: async <R>(text: string, ...values: unknown[]) => {
        if (!manyAsJson) return (await run(text, values)).rows as R[];
        // A plain aggregate over a subquery takes its rows in the subquery's order.
        const [row] = (await run(`SELECT json_agg(q)::text AS "rows" FROM (${text}) q`, values)).rows as { rows: string | null }[];
        return row?.rows ? (JSON.parse(row.rows) as R[]) : [];
      },
      executeText: async (text: string, ...values: unknown[]) => (await run(text, values)).count,
      executeAtCommit: async (q: Prisma.Sql) => {
        const open = this.current();
        if (open) open.atCommit.push({ text: q.text, values: q.values.map(param) });
        else await run(q.text, q.values);
      },
    };
  }

  /** The open transaction of this async context, if any (throws once it has timed out). */
  current(): Open | undefined {
    const open = this.als.getStore();
    if (!open || open.closed) return undefined;
    if (open.expired) throw new TransactionTimeoutError(`transaction timed out after ${open.timeoutMs} ms and was rolled back`);
    return open;
  }

  async run<T>(fn: () => Promise<T>, opts: TransactionOptions): Promise<T> {
    const txn = await this.adapter.startTransaction();
    const open: Open = { txn, conn: this.connOf(txn), local: new Map(), closed: false, expired: false, timeoutMs: opts.timeoutMs, savepoints: 0, queue: Promise.resolve(), atCommit: [] };
    const timer = setTimeout(() => (open.expired = true), opts.timeoutMs);
    timer.unref();
    let out: T;
    try {
      out = await this.als.run(open, fn);
      if (open.expired) throw new TransactionTimeoutError(`transaction timed out after ${open.timeoutMs} ms and was rolled back`);
    } catch (e) {
      clearTimeout(timer);
      open.closed = true;
      await open.queue;
      await this.end(open, "ROLLBACK").catch(() => undefined);
      throw e;
    }
    clearTimeout(timer);
    open.closed = true;
    await open.queue;
    await this.end(open, "COMMIT");
    return out;
  }

  /**
   * COMMIT (with the statements kept for it) or ROLLBACK, and the connection handed back.
   * On PostgreSQL the kept statements and the COMMIT go in one round trip: if one of them
   * fails, the server takes the COMMIT for a ROLLBACK, and the failure is thrown.
   */
  private async end(open: Open, how: "COMMIT" | "ROLLBACK"): Promise<void> {
    const { txn, conn } = open;
    const last = open.atCommit.splice(0);
    if (how === "ROLLBACK") last.length = 0;
    if (this.phantom) {
      if (how === "ROLLBACK") return txn.rollback();
      try {
        for (const s of last) await conn.run(s.text, s.values);
      } catch (e) {
        await txn.rollback();
        throw e;
      }
      return txn.commit();
    }
    try {
      if (last.length && conn.pipeline) {
        await conn.pipeline([...last, { text: how, values: [] }]);
      } else {
        try {
          for (const s of last) await conn.run(s.text, s.values);
        } catch (e) {
          await txn.executeRaw({ sql: "ROLLBACK", ...NO_ARGS }).catch(() => undefined);
          throw e;
        }
        await txn.executeRaw({ sql: how, ...NO_ARGS });
      }
    } finally {
      // Hands the connection back (after a failed COMMIT too: the server has ended the transaction).
      await (how === "COMMIT" ? txn.commit() : txn.rollback());
    }
  }

  /** Prisma's adapter: inside a transaction of ours, its queries join it. */
  routingFactory(inner: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
    const current = () => this.current();
    const savepoint = (open: Open) => this.savepoint(open);
    return {
      provider: inner.provider,
      adapterName: inner.adapterName,
      async connect() {
        const a = await inner.connect();
        const routed: SqlDriverAdapter = {
          provider: a.provider,
          adapterName: a.adapterName,
          queryRaw: async (q: SqlQuery) => {
            const open = current();
            return open ? serial(open, () => open.txn.queryRaw(q)) : a.queryRaw(q);
          },
          executeRaw: async (q: SqlQuery) => {
            const open = current();
            return open ? serial(open, () => open.txn.executeRaw(q)) : a.executeRaw(q);
          },
          startTransaction: async (level) => {
            const open = current();
            return open ? savepoint(open) : a.startTransaction(level);
          },
          executeScript: (s) => a.executeScript(s),
          dispose: () => a.dispose(),
          ...(a.getConnectionInfo && { getConnectionInfo: () => a.getConnectionInfo!() }),
        };
        return routed;
      },
    };
  }

  /** What Prisma takes for a transaction of its own, inside one of ours. */
  private async savepoint(open: Open): Promise<Transaction> {
    const name = `prisma_${++open.savepoints}`;
    const { txn } = open;
    const send = (sql: string) => serial(open, () => txn.executeRaw({ sql, ...NO_ARGS }));
    await send(`SAVEPOINT ${name}`);
    return {
      provider: txn.provider,
      adapterName: txn.adapterName,
      options: { usePhantomQuery: true },
      queryRaw: (q) => serial(open, () => txn.queryRaw(q)),
      executeRaw: (q) => serial(open, () => txn.executeRaw(q)),
      commit: async () => {
        await send(`RELEASE SAVEPOINT ${name}`);
      },
      rollback: async () => {
        await send(`ROLLBACK TO SAVEPOINT ${name}`);
      },
    };
  }
}

/**
 * A parameter as the driver should send it. A Date goes as UTC text: the columns are
 * `timestamp` without a time zone holding UTC (as Prisma writes them), and pg would
 * otherwise send the machine's local time.
 */
function param(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint") return v.toString();
  return v;
}

/** Type OIDs read differently from the drivers' defaults, to match what Prisma returns. */
const INT8 = 20;
const DATE = 1082;
const TIMESTAMP = 1114;

/** PostgreSQL's text form of a `timestamp` (UTC here) or a `date` → a Date. */
export const parseTimestamp = (s: string): Date => new Date(`${s.replace(" ", "T")}Z`);
const parseDate = (s: string): Date => new Date(`${s}T00:00:00.000Z`);

export const PARSERS: Record<number, (s: string) => unknown> = {
  [INT8]: (s) => BigInt(s),
  [DATE]: parseDate,
  [TIMESTAMP]: parseTimestamp,
};
