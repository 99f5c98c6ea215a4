/**
 * The inbox (src/infra/inbox.ts) on a real database: updates to store and handled marks
 * that wait at the same moment go in one statement, and each gets its own answer: a new
 * update its id (and is handled), a redelivery nothing, a mark clears what was kept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/infra/db/open.js";
import { Inbox } from "../../src/infra/inbox.js";
import { createLogger } from "../../src/infra/log.js";
import type { Inbound, Outbound } from "../../src/core/model.js";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { backends, createTestDatabase, type TestDatabase } from "../support/database.js";

const SLOW = 300_000;

describe.each(backends())("the inbox on %s", { timeout: SLOW }, (backend) => {
  let t: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
    db = await openDatabase(t.config);
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  const update = (n: string): Inbound & { updateId: string } => ({
    platform: "tg",
    chatId: `tg:inbox-${n}`,
    chatKind: "private",
    userId: `tg:inbox-${n}`,
    userName: "Nguyễn Văn An",
    text: "/trogiup",
    updateId: `tg:inbox-update-${n}`,
  });

  it("stores a new update and marks another handled in the same statement, each with its own answer", async () => {
    const handled: string[] = [];
    const received: Promise<boolean>[] = [];
    const inbox: Inbox = new Inbox({
      prisma: db.prisma,
      sql: db.sql,
      handle: async (inbound) => {
        handled.push(inbound.updateId!);
        // As the engine does: the replies kept until delivered.
        await db.prisma.processedUpdate.upsert({
          where: { key: inbound.updateId! },
          create: { key: inbound.updateId!, at: new Date(), replies: [{ text: "Các lệnh dùng được ở đây" }] },
          update: {},
        });
        return { replies: [{ text: "Các lệnh dùng được ở đây" }], duplicate: false };
      },
      deliver: async (_chatKey: string, _replies: Outbound[], updateId: string) => {
        // While A's reply goes out, B arrives, with a redelivery of A: their storing waits
        // with A's handled mark, pushed as soon as this returns, for the same statement.
        if (updateId === update("a").updateId) received.push(inbox.receive(update("b")), inbox.receive(update("a")));
      },
      log: createLogger("warn", () => undefined),
      clock: { now: () => new Date() },
    });

    expect(await inbox.receive(update("a"))).toBe(true);
    await inbox.idle();
    expect(await Promise.all(received)).toEqual([true, false]);
    await inbox.idle();
    await until(async () => (await db.prisma.inboundEvent.count({ where: { handledAt: null } })) === 0);

    expect(handled).toEqual([update("a").updateId, update("b").updateId]);
    const rows = await db.prisma.inboundEvent.findMany({ orderBy: { id: "asc" }, select: { key: true, handledAt: true, payload: true } });
    expect(rows.map((r) => [r.key, r.handledAt !== null, r.payload])).toEqual([
      [update("a").updateId, true, null],
      [update("b").updateId, true, null],
    ]);
    expect(await db.prisma.processedUpdate.count({ where: { NOT: { replies: { equals: Prisma.DbNull } } } })).toBe(0);
  });
});

async function until(done: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
