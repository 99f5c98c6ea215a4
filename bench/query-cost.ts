/**
 * What one statement costs the bot's process in CPU, by the way it is sent: a Prisma model
 * query, a Prisma raw query, the driver itself. The same indexed read of one chat each
 * time, on a migrated database with a few rows, measured with process.cpuUsage over many
 * sequential calls (in this process, as the server would run them). This is what decides
 * where the hot path's statements are written (src/infra/store/plumbing.ts).
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { openDatabase } from "../src/infra/db/open.js";
import type { Backend } from "./setup.js";
import { freshDatabase } from "./unit-import.js";

export interface QueryCost {
  calls: number;
  /** CPU µs per call in this process, and wall µs per call (one call at a time). */
  cpuUs: Record<string, number>;
  wallUs: Record<string, number>;
}

async function measure(calls: number, f: () => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  for (let i = 0; i < Math.min(500, calls); i++) await f();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await f();
  const c = process.cpuUsage(c0);
  return { cpu: Math.round((c.user + c.system) / calls), wall: Math.round(((performance.now() - t0) * 1000) / calls) };
}

export async function benchQueryCost(o: { backend: Backend; calls: number }): Promise<QueryCost> {
  const fresh = await freshDatabase(o.backend);
  const url = fresh.env.DATABASE_URL;
  const db = await openDatabase(url ? { kind: "postgres", url } : { kind: "pglite", dataDir: fresh.env.DATA_DIR! });
  const pool = url ? new pg.Pool({ connectionString: url, max: 1 }) : null;
  try {
    await db.prisma.chat.createMany({ data: Array.from({ length: 50 }, (_, i) => ({ key: `tg:${i}`, platform: "tg", kind: "PRIVATE" as const })), skipDuplicates: true });
    const sql = `SELECT "id", "key", "platform", "kind"::text AS "kind", "title", "unitId", "personId", "active", "locale", "prefs" FROM "Chat" WHERE "key" = $1`;
    const ways: Record<string, () => Promise<unknown>> = {
      prismaModel: () => db.prisma.chat.findUnique({ where: { key: "tg:7" } }),
      prismaRaw: () => db.prisma.$queryRawUnsafe(sql, "tg:7"),
      prismaTransactionOfOneRaw: () => db.prisma.$transaction((tx) => tx.$queryRawUnsafe(sql, "tg:7")),
      ...(pool && {
        driver: () => pool.query(sql, ["tg:7"]),
        driverPrepared: () => pool.query({ name: "chat-by-key", text: sql, values: ["tg:7"] }),
      }),
    };
    const cpuUs: Record<string, number> = {};
    const wallUs: Record<string, number> = {};
    for (const [name, f] of Object.entries(ways)) {
      const r = await measure(o.calls, f);
      cpuUs[name] = r.cpu;
      wallUs[name] = r.wall;
    }
    return { calls: o.calls, cpuUs, wallUs };
  } finally {
    await pool?.end();
    await db.close();
    await fresh.cleanup();
  }
}
