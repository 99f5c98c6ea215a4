/**
 * The store's own transactions (src/infra/db/transactions.ts) on a real database: Prisma's
 * model queries made inside one join it (they commit and roll back with it, and see its
 * writes), two at once on PostgreSQL stay apart, work that outlives a transaction goes to
 * the pool, a transaction that runs too long is rolled back, and times written by the
 * driver and by Prisma agree whatever the machine's time zone.
 */
import { readdir, readFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/infra/db/open.js";
import { TransactionTimeoutError } from "../../src/infra/db/transactions.js";
import { createStore } from "../../src/infra/store/index.js";
import type { Store, Tx } from "../../src/core/ports.js";
import { createTranslator } from "../../src/infra/i18n.js";
import { seedDemo, seedReference } from "../../src/seed/seed.js";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { backends, createTestDatabase, type TestDatabase } from "../support/database.js";

const SLOW = 300_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(backends())("the store's transactions on %s", { timeout: SLOW }, (backend) => {
  let t: TestDatabase;
  let db: Database;
  let store: Store;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
    db = await openDatabase(t.config);
    store = createStore(db);
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  const chatKey = (n: string) => `test:tx-${n}`;
  const chatExists = async (key: string) => (await db.prisma.chat.count({ where: { key } })) === 1;

  it("commits Prisma's writes and the driver's together, and rolls both back on a failure", async () => {
    await store.transaction(async (tx) => {
      await tx.upsertChat({ key: chatKey("a"), platform: "test", kind: "group", title: "A", personId: null }); // the driver's read, Prisma's create
      await db.sql.execute(Prisma.sql`UPDATE "Chat" SET "title" = 'A2' WHERE "key" = ${chatKey("a")}`);
    });
    expect((await db.prisma.chat.findFirst({ where: { key: chatKey("a") } }))?.title).toBe("A2");

    const boom = new Error("boom");
    await expect(
      store.transaction(async (tx) => {
        await tx.upsertChat({ key: chatKey("b"), platform: "test", kind: "group", title: "B", personId: null });
        await db.sql.execute(Prisma.sql`UPDATE "Chat" SET "title" = 'gone' WHERE "key" = ${chatKey("a")}`);
        // A nested write: Prisma would open a transaction of its own; here it is a savepoint.
        await tx.createPerson({ displayName: "Nguyễn Văn A", sandbox: false, locale: null, identityKey: "test:tx-person", platform: "test" });
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await chatExists(chatKey("b"))).toBe(false);
    expect((await db.prisma.chat.findFirst({ where: { key: chatKey("a") } }))?.title).toBe("A2");
    expect(await db.prisma.identity.count({ where: { key: "test:tx-person" } })).toBe(0);
  });

  it("holds its first statement inside it, whether the driver's or Prisma's (BEGIN leaves with it on PostgreSQL)", async () => {
    const boom = new Error("boom");
    await expect(
      store.transaction(async () => {
        await db.sql.execute(Prisma.sql`INSERT INTO "Chat" ("key", "platform", "kind") VALUES (${chatKey("first-sql")}, 'test', 'GROUP')`);
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(
      store.transaction(async () => {
        await db.prisma.chat.create({ data: { key: chatKey("first-prisma"), platform: "test", kind: "GROUP" } });
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await chatExists(chatKey("first-sql"))).toBe(false);
    expect(await chatExists(chatKey("first-prisma"))).toBe(false);
    // A transaction that sent nothing, then one that does: the connection is in a clean state.
    await store.transaction(async () => undefined);
    await expect(store.transaction(async () => Promise.reject(boom))).rejects.toBe(boom);
    await store.transaction(async () => db.sql.execute(Prisma.sql`INSERT INTO "Chat" ("key", "platform", "kind") VALUES (${chatKey("after-empty")}, 'test', 'GROUP')`));
    expect(await chatExists(chatKey("after-empty"))).toBe(true);
  });

  it("writes what is kept for the commit with it, not on a rollback, and fails the whole transaction if it fails", async () => {
    const insert = (n: string) => Prisma.sql`INSERT INTO "Chat" ("key", "platform", "kind") VALUES (${chatKey(n)}, 'test', 'GROUP')`;
    await store.transaction(async () => {
      await db.sql.executeAtCommit(insert("kept"));
      // Not yet written: it goes with the COMMIT.
      expect(await db.sql.query<unknown[]>(Prisma.sql`SELECT 1 FROM "Chat" WHERE "key" = ${chatKey("kept")}`)).toEqual([]);
      await db.sql.execute(insert("plain"));
    });
    expect(await chatExists(chatKey("kept"))).toBe(true);
    expect(await chatExists(chatKey("plain"))).toBe(true);

    const boom = new Error("boom");
    await expect(
      store.transaction(async () => {
        await db.sql.executeAtCommit(insert("rolled-back"));
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await chatExists(chatKey("rolled-back"))).toBe(false);

    // The kept statement breaks a unique key at commit: nothing of the transaction stays.
    await expect(
      store.transaction(async () => {
        await db.sql.execute(insert("before-failure"));
        await db.sql.executeAtCommit(insert("kept"));
      }),
    ).rejects.toThrow(/unique|duplicate/i);
    expect(await chatExists(chatKey("before-failure"))).toBe(false);
    // Every connection of the pool is usable after it (none was handed back mid-transaction).
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => store.transaction(async () => db.sql.execute(insert(`after-failure-${i}`)))),
    );
    expect(await db.prisma.chat.count({ where: { key: { startsWith: chatKey("after-failure-") } } })).toBe(12);
    // Outside a transaction it is written at once.
    await db.sql.executeAtCommit(insert("outside"));
    expect(await chatExists(chatKey("outside"))).toBe(true);
  });

  it("lets Prisma's queries see what the transaction wrote through the driver, and the other way round", async () => {
    await store.transaction(async (tx) => {
      await db.sql.execute(Prisma.sql`INSERT INTO "Chat" ("key", "platform", "kind") VALUES (${chatKey("c")}, 'test', 'GROUP')`);
      expect(await tx.getChat(chatKey("c"))).not.toBeNull(); // a Prisma model query
      await db.prisma.chat.update({ where: { key: chatKey("c") }, data: { title: "C" } });
      const [row] = await db.sql.query<{ title: string }[]>(Prisma.sql`SELECT "title" FROM "Chat" WHERE "key" = ${chatKey("c")}`);
      expect(row?.title).toBe("C");
    });
  });

  it("sends what outlives a transaction to the pool, not to the connection it handed back", async () => {
    let later: Promise<number> | undefined;
    await store.transaction(async (tx) => {
      await tx.upsertChat({ key: chatKey("d"), platform: "test", kind: "group", title: "D", personId: null });
      later = sleep(100).then(() => db.prisma.chat.count({ where: { key: chatKey("d") } }));
    });
    expect(await later).toBe(1);
    // And a transaction after it works as any other.
    await store.transaction((tx) => tx.setChatActive(chatKey("d"), false));
    expect((await db.prisma.chat.findFirst({ where: { key: chatKey("d") } }))?.active).toBe(false);
  });

  it("rolls back a transaction that ran past its time and says so", async () => {
    const run = store.transaction(
      async (tx) => {
        await tx.upsertChat({ key: chatKey("e"), platform: "test", kind: "group", title: "E", personId: null });
        await sleep(400);
        await tx.getChat(chatKey("e"));
      },
      { timeoutMs: 150 },
    );
    await expect(run).rejects.toBeInstanceOf(TransactionTimeoutError);
    expect(await chatExists(chatKey("e"))).toBe(false);
    // Nothing is left holding the database.
    await store.transaction((tx) => tx.upsertChat({ key: chatKey("f"), platform: "test", kind: "group", title: "F", personId: null }));
    expect(await chatExists(chatKey("f"))).toBe(true);
  });

  it("reads and writes times as UTC, in Prisma and through the driver alike, in Vietnam's time zone", async () => {
    const tz = process.env.TZ;
    process.env.TZ = "Asia/Ho_Chi_Minh";
    try {
      expect(new Date(Date.UTC(2026, 10, 24, 3)).getHours()).toBe(10); // the zone took effect
      const at = new Date("2026-11-24T03:00:00.123Z");
      await store.transaction(async (tx) => {
        expect(await tx.claimUpdate("tx-time-1", at)).toBeNull(); // written by the driver
      });
      const row = await db.prisma.processedUpdate.findFirst({ where: { key: "tx-time-1" } });
      expect(row?.at.toISOString()).toBe(at.toISOString());
      await db.prisma.processedUpdate.create({ data: { key: "tx-time-2", at } }); // written by Prisma
      const [back] = await db.sql.query<{ at: Date }[]>(Prisma.sql`SELECT "at" FROM "ProcessedUpdate" WHERE "key" = 'tx-time-2'`);
      expect(back?.at.toISOString()).toBe(at.toISOString());
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  // On PGlite a transaction's statements are prepared by name and their parameters sent as
  // text by our own code (src/infra/db/pglite-statements.ts); on PostgreSQL by pg.
  /** A statement inside a transaction of ours, and one on its own. */
  const ways: [string, <T>(fn: () => Promise<T>) => Promise<T>][] = [
    ["inside a transaction", (fn) => store.transaction(fn)],
    ["on its own", (fn) => fn()],
  ];

  it.each(ways)("sends parameters of every kind as the database reads them, the same statement again from its prepared form, %s", async (_way, run) => {
    const at = new Date("2026-12-02T03:04:05.678Z");
    const bytes = Buffer.from([0, 1, 0xfe, 0xff]);
    const texts = ['có "ngoặc"', "gạch \\ chéo", null, "a,b", "{}", "NULL"];
    for (let i = 0; i < 2; i++) {
      const [row] = await run(() =>
        db.sql.queryText<{ texts: (string | null)[]; ids: number[]; doc: unknown; raw: Uint8Array; at: Date; yes: boolean; big: bigint; none: string | null }[]>(
          `SELECT $1::text[] AS texts, $2::int[] AS ids, $3::jsonb AS doc, $4::bytea AS raw, $5::timestamp(3) AS at, $6::boolean AS yes, $7::bigint AS big, $8::text AS none`,
          texts,
          [3, 1, 2],
          { tên: "Công đoàn", số: [1, 2] },
          bytes,
          at,
          true,
          9007199254740993n,
          null,
        ),
      );
      expect(row!.texts).toEqual(texts);
      expect(row!.ids).toEqual([3, 1, 2]);
      expect(row!.doc).toEqual({ tên: "Công đoàn", số: [1, 2] });
      expect(Buffer.from(row!.raw).equals(bytes)).toBe(true);
      expect(row!.at.toISOString()).toBe(at.toISOString());
      expect(row!.yes).toBe(true);
      expect(row!.big).toBe(9007199254740993n);
      expect(row!.none).toBeNull();
    }
  });

  it.each(ways)("reads many rows in the statement's order, the same on either database, and none as an empty list, %s", async (_way, run) => {
    // Descending, so that an order the statement did not ask for (the series' own) shows.
    const rows = await run(() =>
      db.sql.queryMany<{ n: number; name: string; doc: unknown; yes: boolean; none: string | null }>(
        `SELECT g AS n, $1::text || ' ' || g AS name, jsonb_build_object('số', g, 'tên', 'Công đoàn "A"') AS doc, g % 2 = 0 AS yes, NULL::text AS none
           FROM generate_series(1, $2::int) g ORDER BY g DESC`,
        "Đơn vị",
        3000,
      ),
    );
    expect(rows).toHaveLength(3000);
    expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 3000 }, (_, i) => 3000 - i));
    expect(rows[0]).toEqual({ n: 3000, name: "Đơn vị 3000", doc: { số: 3000, tên: 'Công đoàn "A"' }, yes: true, none: null });
    expect(await run(() => db.sql.queryMany("SELECT 1 AS one WHERE $1::boolean", false))).toEqual([]);
  });

  it.each(ways)("refuses a statement the server cannot parse every time it is sent, and goes on, %s", async (_way, run) => {
    for (let i = 0; i < 2; i++) {
      // Refused as a syntax error each time, never as an unknown prepared statement.
      await expect(run(() => db.sql.queryText("SELEC 1 AS one"))).rejects.toMatchObject({ code: "42601" });
    }
    expect(await run(() => db.sql.queryText<{ one: number }[]>("SELECT 1 AS one"))).toEqual([{ one: 1 }]);
  });

  it("runs a statement sent outside any transaction on its own: a transaction open meanwhile neither takes it in nor rolls it back", async () => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const boom = new Error("boom");
    const insertChat = (key: string) => Prisma.sql`INSERT INTO "Chat" ("key", "platform", "kind") VALUES (${key}, 'test', 'GROUP')`;
    const transaction = store.transaction(async () => {
      await db.sql.execute(insertChat(chatKey("inside")));
      open();
      await finished;
      throw boom;
    });
    await Promise.race([opened, transaction]);
    // From outside the transaction's context: PostgreSQL takes another connection, PGlite waits for the transaction to end.
    const alone = db.sql.execute(insertChat(chatKey("alone")));
    await sleep(50);
    finish();
    await expect(transaction).rejects.toBe(boom);
    expect(await alone).toBe(1);
    expect([await chatExists(chatKey("inside")), await chatExists(chatKey("alone"))]).toEqual([false, true]);
  });
});

// PGlite has one connection: its transactions run one after the other.
describe.each(backends().filter((b) => b === "postgres"))("two transactions at once on %s", { timeout: SLOW }, (backend) => {
  let t: TestDatabase;
  let db: Database;
  let store: Store;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
    db = await openDatabase(t.config);
    store = createStore(db);
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });
  const chatKey = (n: string) => `test:tx-${n}`;

  it("costs an update two writes to PostgreSQL: BEGIN with its first statement, the kept replies with COMMIT", async () => {
    // Counted where they leave: the sockets' writes (nothing else in this process writes meanwhile).
    const proto = net.Socket.prototype as unknown as Record<"_write" | "_writev", (...a: unknown[]) => unknown>;
    const originals = { _write: proto._write, _writev: proto._writev };
    let writes = 0;
    for (const m of ["_write", "_writev"] as const) {
      const original = originals[m];
      proto[m] = function (this: unknown, ...a: unknown[]) {
        writes++;
        return original.apply(this, a);
      };
    }
    const update = (key: string) =>
      store.transaction(async (tx) => {
        await tx.openUpdate({ key, at: new Date(), identityKey: "test:nobody", chatKey: "test:nowhere" });
        await tx.saveUpdateReplies(key, [{ text: "Xin chào đồng chí." }]);
      });
    try {
      await update("test:writes-warm"); // the pool's connection and the statements' preparation
      writes = 0;
      for (let i = 0; i < 20; i++) await update(`test:writes-${i}`);
    } finally {
      Object.assign(proto, originals);
    }
    expect(writes).toBe(40);
    const kept = await db.prisma.processedUpdate.findFirstOrThrow({ where: { key: "test:writes-19" } });
    expect(kept.replies).toEqual([{ text: "Xin chào đồng chí." }]);
  });

  it("keeps two transactions at once apart, each seeing only its own writes", async () => {
    const seen: Record<string, boolean[]> = { g: [], h: [] };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // Neither commits before both have read: at READ COMMITTED a committed row is visible
    // to the other, and that is not what this test is about (it once failed so on a loaded run).
    let read = 0;
    let bothRead!: () => void;
    const readGate = new Promise<void>((r) => (bothRead = r));
    const both = ["g", "h"].map((n) =>
      store.transaction(async (tx) => {
        await tx.upsertChat({ key: chatKey(n), platform: "test", kind: "group", title: n, personId: null });
        if (n === "h") release();
        await gate;
        // Issued in the same tick by both: Prisma must not send them together on one connection.
        for (const k of ["g", "h"]) seen[n]!.push((await tx.getChat(chatKey(k))) !== null);
        if (++read === 2) bothRead();
        await readGate;
      }),
    );
    await Promise.all(both);
    expect(seen).toEqual({ g: [true, false], h: [false, true] });
  });
});

describe.each(backends())("reference data kept in memory on %s", { timeout: SLOW }, (backend) => {
  let t: TestDatabase;
  let db: Database;
  let store: Store;
  let campaignId: number;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
    db = await openDatabase(t.config);
    store = createStore(db);
    const deps = { store, translate: createTranslator("vi").translate, defaultLocale: "vi" as const, timeZone: "Asia/Ho_Chi_Minh", now: new Date() };
    await seedReference(deps);
    await seedDemo(deps);
    campaignId = (await db.prisma.campaign.findFirstOrThrow({ select: { id: true } })).id;
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  /** A transaction as an update's: it starts by reading the generation of the reference data. */
  const inUpdate = <T>(fn: (tx: Tx) => Promise<T>) =>
    store.transaction(async (tx) => {
      await tx.openUpdate({ key: null, at: new Date(), identityKey: "test:nobody", chatKey: "test:nowhere" });
      return fn(tx);
    });

  it("serves a campaign and the forms from memory while nothing changed them, and reads them again once anything did", async () => {
    const first = await inUpdate((tx) => tx.getCampaign(campaignId));
    const forms = await inUpdate((tx) => tx.commendationForms());
    expect(await inUpdate((tx) => tx.getCampaign(campaignId))).toBe(first); // the same copy
    expect(await inUpdate((tx) => tx.commendationForms())).toBe(forms);
    // Changed behind the bot's back, as another instance or an operator's SQL would.
    await db.sql.execute(Prisma.sql`UPDATE "Phase" SET "dedication" = 'Chào mừng Đại hội Công đoàn các cấp' WHERE "campaignId" = ${campaignId} AND "ordinal" = 1`);
    const again = await inUpdate((tx) => tx.getCampaign(campaignId));
    expect(again).not.toBe(first);
    expect(again!.phases[0]!.dedication).toBe("Chào mừng Đại hội Công đoàn các cấp");
    expect(await inUpdate((tx) => tx.commendationForms())).not.toBe(forms);
  });

  it("shows a transaction its own change, and keeps nothing of one that was rolled back", async () => {
    const before = (await inUpdate((tx) => tx.getCampaign(campaignId)))!;
    const boom = new Error("boom");
    await expect(
      inUpdate(async (tx) => {
        await tx.setCampaignDeadlines(campaignId, { registrationDeadline: "2031-01-31", phases: before.phases.map((p) => ({ id: p.id, reportDeadline: p.reportDeadline })), dates: [] });
        expect((await tx.getCampaign(campaignId))!.registrationDeadline).toBe("2031-01-31");
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect((await inUpdate((tx) => tx.getCampaign(campaignId)))!.registrationDeadline).toBe(before.registrationDeadline);
  });

  it("keeps nothing for work outside an update (the scheduler, the CLI), and lets no one change a kept copy", async () => {
    const a = await store.transaction((tx) => tx.getCampaign(campaignId));
    expect(await store.transaction((tx) => tx.getCampaign(campaignId))).not.toBe(a);
    const kept = (await inUpdate((tx) => tx.getCampaign(campaignId)))!;
    expect(() => (kept.phases as unknown as unknown[]).push(null)).toThrow(TypeError);
  });
});

describe("the store's code", () => {
  it("never uses findUnique, which Prisma batches across transactions", async () => {
    const root = path.resolve(import.meta.dirname, "../../src");
    const offenders: string[] = [];
    for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
      const file = path.join(entry.parentPath, entry.name);
      if (file.includes(`${path.sep}generated${path.sep}`)) continue;
      const text = await readFile(file, "utf8");
      if (/\.findUnique(OrThrow)?\(/.test(text)) offenders.push(path.relative(root, file));
    }
    expect(offenders).toEqual([]);
  });
});
