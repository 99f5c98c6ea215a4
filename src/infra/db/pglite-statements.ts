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
 * Only inside a transaction of ours: there the transaction holds PGlite's lock, and
 * transactions.ts sends its statements one at a time. Outside one, `query` takes the lock.
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

export function pgliteStatements(db: PGlite, serialize: Serialize, parsers: Record<number, Parser>, beforeEach: () => Promise<void>): Conn {
  const names = new Map<string, string>();
  const fixed = Buffer.concat([serialize.describe({ type: "P" }), serialize.execute({}), serialize.sync()]);
  return {
    async run(text, values) {
      await beforeEach();
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
      let answer: Messages;
      try {
        answer = (await db.execProtocol(parse ? Buffer.concat([parse, bind, fixed]) : Buffer.concat([bind, fixed]), { syncToFs: false })) as unknown as Messages;
      } catch (e) {
        // A text the server refused to parse left no statement under its name.
        if (parse && name !== undefined) names.delete(text);
        throw e;
      }
      return rowsOf(answer, parsers);
    },
  };
}

/** Rows as objects by column name, and the count of a write ("INSERT 0 5" → 5). */
function rowsOf(answer: Messages, parsers: Record<number, Parser>): { rows: unknown[]; count: number } {
  let columns: { name: string; parse: ((s: string) => unknown) | null }[] = [];
  const rows: unknown[] = [];
  let count = 0;
  for (const m of answer.messages) {
    if (m.name === "rowDescription") {
      columns = (m.fields as { name: string; dataTypeID: number }[]).map((f) => {
        const p = parsers[f.dataTypeID];
        return { name: f.name, parse: p ? (s: string) => p(s, f.dataTypeID) : null };
      });
    } else if (m.name === "dataRow") {
      const row: Record<string, unknown> = {};
      const fields = m.fields as (string | null)[];
      for (let i = 0; i < columns.length; i++) {
        const c = columns[i]!;
        const v = fields[i] ?? null;
        row[c.name] = v === null || c.parse === null ? v : c.parse(v);
      }
      rows.push(row);
    } else if (m.name === "commandComplete") {
      const parts = m.text!.split(" ");
      if (["INSERT", "UPDATE", "DELETE", "MERGE", "COPY"].includes(parts[0]!)) count += Number(parts[parts.length - 1]);
    }
  }
  return { rows, count };
}

/**
 * A parameter in PostgreSQL's text form, as pg sends it (dates and bigints come already
 * as text from transactions.ts): arrays as array literals, objects as JSON.
 */
export function textOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return `{${v.map((x) => (x === null || x === undefined ? "NULL" : Array.isArray(x) ? textOf(x) : `"${String(textOf(x)).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)).join(",")}}`;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
