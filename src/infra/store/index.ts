/**
 * The Store port on Prisma. One implementation for PGlite and PostgreSQL: the SQL is the
 * same. `transaction` opens an interactive transaction; everything inside runs on it.
 */
import type { Store, Tx } from "../../core/ports.js";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { campaignsStore } from "./campaigns.js";
import { chatsStore } from "./chats.js";
import type { Db } from "./map.js";
import { peopleStore } from "./people.js";
import { noticesStore } from "./notices.js";
import { plumbingStore } from "./plumbing.js";
import { queriesStore } from "./queries.js";
import { submissionsStore } from "./submissions.js";
import { unitsStore } from "./units.js";

/** Interactive transactions wait this long for a connection and may run this long. */
const TX_OPTIONS = { maxWait: 15_000, timeout: 30_000 } as const;

function txOn(db: Db): Tx {
  let savepoints = 0;
  return {
    async savepoint(fn) {
      const name = `sp_${++savepoints}`;
      await db.$executeRawUnsafe(`SAVEPOINT ${name}`);
      try {
        const out = await fn();
        await db.$executeRawUnsafe(`RELEASE SAVEPOINT ${name}`);
        return out;
      } catch (e) {
        await db.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT ${name}`);
        throw e;
      }
    },
    ...peopleStore(db),
    ...unitsStore(db),
    ...chatsStore(db),
    ...campaignsStore(db),
    ...submissionsStore(db),
    ...queriesStore(db),
    ...plumbingStore(db),
    ...noticesStore(db),
  };
}

export function createStore(prisma: PrismaClient): Store {
  // Outside a transaction, the store still works (each call on its own); savepoints need one.
  const outside = txOn(prisma as unknown as Db);
  return {
    ...outside,
    async savepoint() {
      throw new Error("savepoint() needs a transaction");
    },
    transaction: (fn, opts) => prisma.$transaction((tx) => fn(txOn(tx)), { ...TX_OPTIONS, ...(opts?.timeoutMs && { timeout: opts.timeoutMs }) }),
  };
}
