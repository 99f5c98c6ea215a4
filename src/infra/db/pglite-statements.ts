/**
 * The store's own statements inside a transaction on PGlite, sent the way the PostgreSQL
 * path sends them: prepared once under a name, then each time one Bind/Execute/Sync
 * message in one call into PGlite.
 *
 * PGlite's `query` makes six calls into its WebAssembly PostgreSQL for every statement
 * (Parse, Describe statement, Bind, Describe portal, Execute, Sync), and the server parses,
 * analyses and plans the text again each time. Here the text is parsed once per database
 * (a named prepared statement, as `pgConn` does on PostgreSQL), the parameters go as text
 * the server types from the statement (as pg sends them on PostgreSQL), and the
 * answer is read from the messages PGlite has already parsed.
 *
 * Inside a transaction of ours the transaction holds PGlite's lock, and transactions.ts
 * sends its statements one at a time. Outside one (`outside`), each statement takes the
 * lock PGlite's own `query` takes, and runs on its own as an implicit transaction: the
 * inbox's statement, once or twice for every update, took some 1.8 ms a call through
 * `query` (waiting for the lock included), against 0.37 ms for an update's first
 * statement sent this way.
 */
import type { PGlite } from "@electric-sql/pglite";
import type { Conn } from "./transactions.js";

/** Statements prepared by name per database; past this, a text is sent unnamed each time. */
const MAX_PREPARED = 500;

type Parser = (text: string, typeId: number) => unknown;

interface Messages {
  messages: { name: string; fields?: unknown[]; text?: string }[];
}

/** What pg-protocol's serializer gives (PGlite bundles the same one). */
interface Serialize {
  parse(q: { name?: string; text: string; types?: number[] }): Uint8Array;
  bind(q: { statement?: string; values?: unknown[] }): Uint8Array;
  describe(q: { type: "P" | "S"; name?: string }): Uint8Array;
  execute(q?: { portal?: string; rows?: number }): Uint8Array;
  sync(): Uint8Array;
}

/** A statement's answer in PGlite's own shape (`Results`), as Prisma's PGlite adapter reads it. */
export interface PGliteResults {
  rows: unknown[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows: number;
}

export interface PGliteStatements extends Conn {
  /** PGlite's `query`, in one call: what Prisma's adapter sends inside a transaction of ours. */
  query(text: string, values: unknown[], options?: { rowMode?: "array" | "object"; parsers?: Record<number, Parser> }): Promise<PGliteResults>;
  /** The same way for a statement outside any transaction: it waits for the one running to end. */
  readonly outside: Conn;
}

export function pgliteStatements(db: PGlite, serialize: Serialize, parsers: Record<number, Parser>, beforeEach: () => Promise<void>): PGliteStatements {
  const names = new Map<string, string>();
  const fixed = Buffer.concat([serialize.describe({ type: "P" }), serialize.execute({}), serialize.sync()]);
  // Prisma's adapter gives the same parsers object with every query: merged with ours once.
  const merged = new WeakMap<object, Record<number, Parser>>();
  async function send(text: string, values: unknown[]): Promise<Messages> {
    await beforeEach();
    return sendNow(text, values, false);
  }
  /** `sync`: a statement of its own, committed when it ends: PGlite's file system then syncs, as after PGlite's `query`. */
  async function sendNow(text: string, values: unknown[], sync: boolean): Promise<Messages> {
    let name = names.get(text);
    let parse: Uint8Array | null = null;
    if (name === undefined) {
      if (names.size < MAX_PREPARED) {
        name = `thidua_${names.size + 1}`;
        names.set(text, name);
      }
      parse = serialize.parse({ name: name ?? "", text, types: [] });
    }
    const bind = serialize.bind({ statement: name ?? "", values: values.map(textOf) });
    try {
      return (await db.execProtocol(parse ? Buffer.concat([parse, bind, fixed]) : Buffer.concat([bind, fixed]), { syncToFs: sync })) as unknown as Messages;
    } catch (e) {
      // A text the server refused to parse left no statement under its name.
      if (parse && name !== undefined) names.delete(text);
      throw e;
    }
  }
  return {
    async run(text, values) {
      const r = resultsOf(await send(text, values), parsers, false);
      return { rows: r.rows, count: r.affectedRows };
    },
    async query(text, values, options) {
      let p = parsers;
      if (options?.parsers) {
        p = merged.get(options.parsers) ?? { ...parsers, ...options.parsers };
        merged.set(options.parsers, p);
      }
      return resultsOf(await send(text, values), p, options?.rowMode === "array");
    },
    outside: {
      async run(text, values) {
        await beforeEach();
        const r = resultsOf(await db._runExclusiveTransaction(() => sendNow(text, values, true)), parsers, false);
        return { rows: r.rows, count: r.affectedRows };
      },
    },
  };
}

/** Rows (as objects by column name, or as arrays), their columns, and the count of a write ("INSERT 0 5" → 5). */
function resultsOf(answer: Messages, parsers: Record<number, Parser>, asArrays: boolean): PGliteResults {
  let fields: { name: string; dataTypeID: number }[] = [];
  let parse: (((s: string) => unknown) | null)[] = [];
  const rows: unknown[] = [];
  let affectedRows = 0;
  for (const m of answer.messages) {
    if (m.name === "rowDescription") {
      fields = (m.fields as { name: string; dataTypeID: number }[]).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID }));
      parse = fields.map((f) => {
        const p = parsers[f.dataTypeID];
        return p ? (s: string) => p(s, f.dataTypeID) : null;
      });
    } else if (m.name === "dataRow") {
      const values = m.fields as (string | null)[];
      const row: unknown[] | Record<string, unknown> = asArrays ? [] : {};
      for (let i = 0; i < fields.length; i++) {
        const v = values[i] ?? null;
        const out = v === null || parse[i] === null ? v : parse[i]!(v);
        if (asArrays) (row as unknown[]).push(out);
        else (row as Record<string, unknown>)[fields[i]!.name] = out;
      }
      rows.push(row);
    } else if (m.name === "commandComplete") {
      const parts = m.text!.split(" ");
      if (["INSERT", "UPDATE", "DELETE", "MERGE", "COPY"].includes(parts[0]!)) affectedRows += Number(parts[parts.length - 1]);
    }
  }
  return { rows, fields, affectedRows };
}

/**
 * A parameter in PostgreSQL's text form, as pg sends it (dates and bigints come already
 * as text from transactions.ts): arrays as array literals, objects as JSON.
 */
export function textOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  // bytea, in its hex form
  if (ArrayBuffer.isView(v)) return `\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex")}`;
  if (Array.isArray(v)) return `{${v.map((x) => (x === null || x === undefined ? "NULL" : Array.isArray(x) ? textOf(x) : `"${String(textOf(x)).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)).join(",")}}`;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
