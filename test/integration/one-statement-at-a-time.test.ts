/**
 * Store calls made together inside one transaction (Promise.all over Prisma's model queries
 * and the driver's own statements) share the transaction's connection: they go one after
 * another, in the order they reach it, each with its own answer. Without a pipelining pool
 * pg accepts a query while another is running only with a deprecation warning (pg 9 will
 * refuse); the pool now pipelines (open.ts), so pg would take them anyway and this test
 * guards the answers and the absence of the warning, not the queue in transactions.ts
 * alone. This file is its own process, so a warning here comes from these calls.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/infra/db/open.js";
import { createStore } from "../../src/infra/store/index.js";
import type { Store } from "../../src/core/ports.js";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { createTestDatabase, describePostgres, type TestDatabase } from "../support/database.js";

describePostgres("statements of one transaction", () => {
  let t: TestDatabase;
  let db: Database;
  let store: Store;
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
    db = await openDatabase(t.config);
    store = createStore(db);
    process.on("warning", onWarning);
  });
  afterAll(async () => {
    process.off("warning", onWarning);
    await db?.close();
    await t?.drop();
  });

  it("go one at a time on the transaction's connection, each with its own answer, with no warning from pg", async () => {
    const results = await store.transaction(async (tx) =>
      Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const r =
            i % 3 === 0
              ? await db.sql.query<{ i: number }[]>(Prisma.sql`SELECT ${i}::int AS i, pg_sleep(0.002)`)
              : i % 3 === 1
                ? [{ i: (await tx.getChat(`test:none-${i}`)) === null ? i : -1 }]
                : [{ i: (await db.prisma.unit.count()) === 0 ? i : -1 }];
          return r[0]!.i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 30 }, (_, i) => i));
    await new Promise((r) => setImmediate(r)); // process warnings are emitted on the next tick
    expect(warnings.filter((w) => /already executing/.test(w))).toEqual([]);
  });
});
