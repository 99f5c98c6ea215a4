/**
 * The Store port on Prisma. One implementation for PGlite and PostgreSQL: the SQL is the
 * same. `transaction` opens a transaction of our own (../db/transactions.ts): the SQL the
 * store sends itself and Prisma's model queries made inside it all run on it.
 */
import type { Store, Tx } from "../../core/ports.js";
import type { Database } from "../db/open.js";
import type { Sql } from "../db/transactions.js";
import { campaignsStore } from "./campaigns.js";
import { chatsStore } from "./chats.js";
import type { Db } from "./map.js";
import { peopleStore } from "./people.js";
import { noticesStore } from "./notices.js";
import { plumbingStore } from "./plumbing.js";
import { queriesStore } from "./queries.js";
import { ReferenceCache } from "./reference-cache.js";
import { submissionsStore } from "./submissions.js";
import { unitsStore } from "./units.js";

/** A transaction may run this long unless told otherwise (a tree import needs more). */
const TX_TIMEOUT_MS = 30_000;

function txOn(db: Db, sql: Sql, ref: ReferenceCache, depth: () => { n: number }): Tx {
  return {
    async savepoint(fn) {
      // Named by depth: a name only has to differ from the savepoints still open (and the
      // statements stay few, for the driver's prepared-statement cache).
      const d = depth();
      const name = `sp_${++d.n}`;
      try {
        await sql.executeText(`SAVEPOINT ${name}`);
        try {
          const out = await fn();
          await sql.executeText(`RELEASE SAVEPOINT ${name}`);
          return out;
        } catch (e) {
          await sql.executeText(`ROLLBACK TO SAVEPOINT ${name}`);
          throw e;
        }
      } finally {
        d.n--;
      }
    },
    ...peopleStore(db, sql),
    ...unitsStore(db, sql),
    ...chatsStore(db, sql),
    ...campaignsStore(db, ref),
    ...submissionsStore(db),
    ...queriesStore(db),
    ...plumbingStore(db, sql, ref),
    ...noticesStore(db, sql),
  };
}

export function createStore(db: Pick<Database, "prisma" | "transactions" | "sql">): Store {
  // The same methods inside and outside a transaction: the connection follows the async
  // context. Outside one each call runs on its own; savepoints need one.
  const DEPTH = Symbol("savepoint depth");
  const depth = () => {
    const local = db.transactions.current()?.local;
    if (!local) throw new Error("savepoint() needs a transaction");
    let d = local.get(DEPTH) as { n: number } | undefined;
    if (!d) local.set(DEPTH, (d = { n: 0 }));
    return d;
  };
  const tx = txOn(db.prisma as unknown as Db, db.sql, new ReferenceCache(db.transactions), depth);
  return {
    ...tx,
    async savepoint(fn) {
      if (!db.transactions.current()) throw new Error("savepoint() needs a transaction");
      return tx.savepoint(fn);
    },
    transaction: (fn, opts) => db.transactions.run(() => fn(tx), { timeoutMs: opts?.timeoutMs ?? TX_TIMEOUT_MS }),
  };
}
